// trace.cc: the trace build's ring, clock and dump on seL4 (compiled into
// libmicrokit_trace.a only; trace_ring.h, runtime/shared/trace_format.h).
//
// The clock is the ARM generic timer's physical count (CNTPCT_EL0): seL4's
// AArch64 configurations export it to user level (KernelArmExportPCNTUser,
// on in the official configurations; the virtual count is not exported).
// The tool refuses --trace for the other seL4 architectures.
//
// Dumping: in a kernel with CONFIG_PRINTING (debug) the records written
// since the last dump go out on the debug console every time the PD is
// about to block (event_loop.cc) and at microkit_trace_dump(); without it
// (release, benchmark) they stay in the ring.
#include "internal.h"
#include "trace_ring.h"

#define MICROKIT_PATCHED __attribute__((section(".data.microkit_patched"), used))
extern "C" {
MICROKIT_PATCHED uint64_t microkit_trace_buffer;
MICROKIT_PATCHED uint64_t microkit_trace_size;
}

namespace microkit::trace {

#if defined(__aarch64__)
uint64_t now() {
  uint64_t t;
  __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t)::"memory");
  return t;
}

uint64_t ticks_per_second() {
  uint64_t f;
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
  return f;
}
#else
uint64_t now() { return 0; }
uint64_t ticks_per_second() { return 0; }
#endif

}  // namespace microkit::trace

extern "C" void microkit_trace_dump(void) {
#if defined(CONFIG_PRINTING)
  if (microkit::trace::ring() == nullptr) return;
  microkit::trace::dump_new_records(microkit::trace::ring(), microkit_name,
                                    [](char c) { seL4_DebugPutChar(c); });
#endif
}
