// root_task.cc: the smallest seL4 initial task, for the QEMU boot test.
//
// Prints through the debug kernel's seL4_DebugPutChar (so it needs a
// CONFIG_PRINTING kernel) a greeting and one fact from the BootInfo, which
// proves the kernel built the initial thread from the loader's region:
//   root task: hello
//   root task: bootinfo lists <n> untypeds
// then stops the system with seL4_DebugHalt.
// libsel4's headers are C without extern "C" guards.
extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/put_number.h"

// libsel4 built with LibSel4UseThreadLocals=OFF reads the IPC buffer from
// this plain global.
seL4_IPCBuffer* __sel4_ipc_buffer;

namespace {

void put(const char* s) {
  while (*s) seL4_DebugPutChar(*s++);
}

void put_decimal(seL4_Word value) { microkit::shared::put_decimal(value, seL4_DebugPutChar); }

}  // namespace

extern "C" [[noreturn]] void root_task_main(seL4_BootInfo* bi) {
  __sel4_ipc_buffer = bi->ipcBuffer;
  put("root task: hello\n");
  put("root task: bootinfo lists ");
  put_decimal(bi->untyped.end - bi->untyped.start);
  put(" untypeds\n");
  seL4_DebugHalt();
  for (;;) asm volatile("" ::: "memory");  // not reached: the kernel halted
}
