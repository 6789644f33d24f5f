// trace.cc: the trace build's ring, clock and dump on seL4 (compiled into
// libmicrokit_trace.a only; trace_ring.h, runtime/shared/trace_format.h).
//
// The clock, one per architecture, each readable at user level:
// - AArch64: the generic timer's physical count (CNTPCT_EL0; seL4 exports it
//   with KernelArmExportPCNTUser, on in the official configurations; the
//   virtual count is not exported), its rate in CNTFRQ_EL0.
// - RISC-V 64: the `time` CSR (OpenSBI lets S and U mode read it; seL4
//   leaves that as it is), at the kernel's CONFIG_TIMER_FREQUENCY.
// - x86-64: the time-stamp counter (seL4 does not set CR4.TSD), at the rate
//   CPUID reports (leaf 0x15, else 0x16); 0, "unknown", when the CPU reports
//   none, and `microkit trace` then shows ticks as nanoseconds.
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
#elif defined(__riscv)
uint64_t now() {
  uint64_t t;
  __asm__ volatile("rdtime %0" : "=r"(t)::"memory");
  return t;
}

uint64_t ticks_per_second() { return CONFIG_TIMER_FREQUENCY; }
#elif defined(__x86_64__)
uint64_t now() {
  uint32_t lo, hi;
  __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
  return (uint64_t(hi) << 32) | lo;
}

namespace {
struct Cpuid {
  uint32_t a, b, c, d;
};

Cpuid cpuid(uint32_t leaf) {
  Cpuid r;
  __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(0));
  return r;
}
}  // namespace

uint64_t ticks_per_second() {
  uint32_t max_leaf = cpuid(0).a;
  if (max_leaf >= 0x15) {
    Cpuid r = cpuid(0x15);  // TSC = crystal (c Hz) * b / a
    if (r.a != 0 && r.b != 0 && r.c != 0) return uint64_t(r.c) * r.b / r.a;
  }
  if (max_leaf >= 0x16) {
    uint32_t mhz = cpuid(0x16).a & 0xffff;  // the base frequency in MHz
    if (mhz != 0) return uint64_t(mhz) * 1000000;
  }
  return 0;
}
#else
#error "trace.cc: no clock for this architecture"
#endif

}  // namespace microkit::trace

extern "C" void microkit_trace_dump(void) {
#if defined(CONFIG_PRINTING)
  if (microkit::trace::ring() == nullptr) return;
  microkit::trace::dump_new_records(microkit::trace::ring(), microkit_name,
                                    [](char c) { seL4_DebugPutChar(c); });
#endif
}
