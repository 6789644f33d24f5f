// bootinfo_task.cc: an seL4 initial task that prints its BootInfo, so that
// the tool's boot emulation (tool/kernel/boot_emulation.h) can be checked
// against the real kernel (tests/qemu/bootinfo/compare_bootinfo.cc).
//
// Output, one fact per line, through seL4_DebugPutChar (debug kernels only):
//   bootinfo: begin
//   bootinfo: frame 0x<address of the BootInfo frame>
//   bootinfo: extraLen <bytes>
//   bootinfo: ipcBuffer 0x<address>
//   bootinfo: <slot region name> <start> <end>      (seven regions)
//   bootinfo: ut 0x<paddr> <sizeBits> <isDevice>     (one per untyped)
//   bootinfo: end
// then stops the system with seL4_DebugHalt. Numbers are decimal unless
// written with 0x. The format is parsed by compare_bootinfo; change both.
extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/put_number.h"

seL4_IPCBuffer* __sel4_ipc_buffer;

namespace {

void put(const char* s) {
  while (*s) seL4_DebugPutChar(*s++);
}

void put_decimal(seL4_Word value) { microkit::shared::put_decimal(value, seL4_DebugPutChar); }

void put_hex(seL4_Word value) {
  put("0x");
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    unsigned digit = (value >> shift) & 0xf;
    if (digit == 0 && !started && shift != 0) continue;
    started = true;
    seL4_DebugPutChar("0123456789abcdef"[digit]);
  }
}

void put_region(const char* name, seL4_SlotRegion r) {
  put("bootinfo: ");
  put(name);
  put(" ");
  put_decimal(r.start);
  put(" ");
  put_decimal(r.end);
  put("\n");
}

void put_fact(const char* name, seL4_Word value, bool hex) {
  put("bootinfo: ");
  put(name);
  put(" ");
  if (hex) {
    put_hex(value);
  } else {
    put_decimal(value);
  }
  put("\n");
}

}  // namespace

extern "C" [[noreturn]] void root_task_main(seL4_BootInfo* bi) {
  __sel4_ipc_buffer = bi->ipcBuffer;
  put("bootinfo: begin\n");
  put_fact("frame", reinterpret_cast<seL4_Word>(bi), true);
  put_fact("extraLen", bi->extraLen, false);
  put_fact("ipcBuffer", reinterpret_cast<seL4_Word>(bi->ipcBuffer), true);
  put_region("empty", bi->empty);
  put_region("userImageFrames", bi->userImageFrames);
  put_region("userImagePaging", bi->userImagePaging);
  put_region("extraBIPages", bi->extraBIPages);
  put_region("schedcontrol", bi->schedcontrol);
  put_region("untyped", bi->untyped);
  put_fact("initThreadCNodeSizeBits", bi->initThreadCNodeSizeBits, false);
  for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; ++i) {
    const seL4_UntypedDesc& u = bi->untypedList[i];
    put("bootinfo: ut ");
    put_hex(u.paddr);
    put(" ");
    put_decimal(u.sizeBits);
    put(" ");
    put_decimal(u.isDevice);
    put("\n");
  }
  put("bootinfo: end\n");
  seL4_DebugHalt();
  for (;;) seL4_Yield();
}
