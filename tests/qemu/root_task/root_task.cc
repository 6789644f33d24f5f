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

// libsel4 built with LibSel4UseThreadLocals=OFF reads the IPC buffer from
// this plain global.
seL4_IPCBuffer* __sel4_ipc_buffer;

namespace {

void put(const char* s) {
  while (*s) seL4_DebugPutChar(*s++);
}

void put_decimal(seL4_Word value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) seL4_DebugPutChar(digits[--n]);
}

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
