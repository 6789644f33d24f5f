// profiler.cc: the profiler PD an SDF <profiler> adds to an seL4 system
// (docs/profiling.md, "On seL4"). Benchmark configurations only: it reads
// the kernel's per-thread utilisation (KERNEL_BENCHMARK=track_utilisation).
//
// How it runs (single core, the highest priority of the system):
//   - its scheduling context's period is 1/frequency and its budget small;
//     seL4_Yield gives up the rest of the budget, so the loop in init()
//     wakes once per period, preempting whatever PD was running;
//   - at each wake-up, the PD whose kernel-counted cycles grew most since the
//     last wake-up is the one that ran; its registers (seL4_TCB_ReadRegisters
//     on the TCB cap the tool granted) give its pc and frame pointer, and its
//     frame records are read through the read-only windows on its memory the
//     tool mapped (runtime/shared/gdb_abi.h: same table and slots as the
//     GDB debugger);
//   - each sample is one framed line on the UART it maps (sampler.h); the
//     benchmark kernel has no console, so nothing else writes there once
//     the system runs.
#include <microkit.h>
#include <sel4/benchmark_utilisation_types.h>

#include "gdb_abi.h"
#include "profile_format.h"
#include "runtime/profiler/sampler.h"

#define MICROKIT_PROFILER_PATCHED __attribute__((section(".data.microkit_patched"), used))
extern "C" {
MICROKIT_PROFILER_PATCHED microkit::gdb_abi::Table microkit_gdb_table;
// Samples a second (the SDF's <profiler frequency>), patched by the tool.
MICROKIT_PROFILER_PATCHED uint64_t microkit_profiler_hz;
}

namespace microkit::profiler {
namespace {

const gdb_abi::Table& table() { return microkit_gdb_table; }

// ---- the PL011 UART, transmit only ----
constexpr uint64_t kUartDr = 0x00, kUartFr = 0x18;
constexpr uint32_t kFrTxFull = 1u << 5;

volatile uint32_t& uart(uint64_t reg) {
  return *reinterpret_cast<volatile uint32_t*>(uint64_t{MICROKIT_GDB_UART_VADDR} + reg);
}

void uart_write(const char* s, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    while ((uart(kUartFr) & kFrTxFull) != 0) {
    }
    uart(kUartDr) = uint8_t(s[i]);
  }
}

// ---- the sampled PDs ----
seL4_CPtr tcb(uint32_t k) { return MICROKIT_GDB_SLOT_TCB(k); }

bool read_word(void* ctx, uint64_t addr, uint64_t* out) {
  uint32_t k = *static_cast<uint32_t*>(ctx);
  for (uint32_t i = 0; i < table().range_count; ++i) {
    const gdb_abi::Range& r = table().ranges[i];
    if (r.target != k || addr < r.vaddr || addr + 8 > r.vaddr + r.size) continue;
    uint64_t a = gdb_abi::window_address(k, addr, table().user_top);
    if (a == 0) return false;
    *out = *reinterpret_cast<volatile uint64_t*>(a);
    return true;
  }
  return false;
}

uint64_t cycles_of(uint32_t k) {
  seL4_BenchmarkGetThreadUtilisation(tcb(k));
  return seL4_GetIPCBuffer()->msg[BENCHMARK_TCB_UTILISATION];
}

uint64_t last_cycles[MICROKIT_GDB_MAX_TARGETS];

// The target that used most cycles since the last call, or -1 (all idle).
int32_t who_ran() {
  int32_t best = -1;
  uint64_t most = 0;
  for (uint32_t k = 0; k < table().target_count; ++k) {
    uint64_t now = cycles_of(k);
    uint64_t used = now - last_cycles[k];
    last_cycles[k] = now;
    if (used > most) {
      most = used;
      best = int32_t(k);
    }
  }
  return best;
}

void sample(uint32_t k, uint64_t time_ns) {
  seL4_UserContext c{};
  if (seL4_TCB_ReadRegisters(tcb(k), seL4_False, 0, sizeof(c) / sizeof(seL4_Word), &c) != seL4_NoError) return;
  uint64_t pcs[profile::kMaxDepth];
  uint32_t depth = walk_frames(c.pc, c.x29, read_word, &k, pcs, profile::kMaxDepth);
  char line[64 + MICROKIT_GDB_NAME_BYTES + 17 * profile::kMaxDepth];
  size_t len = format_sample(line, sizeof line, table().targets[k].name, time_ns, pcs, depth);
  uart_write(line, len);
}

void announce_rate() {
  char line[128 + MICROKIT_GDB_NAME_BYTES];
  for (uint32_t k = 0; k < table().target_count; ++k) {
    size_t len = format_field(line, sizeof line, table().targets[k].name, "hz", microkit_profiler_hz, false);
    uart_write(line, len);
  }
}

}  // namespace
}  // namespace microkit::profiler

using namespace microkit::profiler;

void init() {
  seL4_BenchmarkResetLog();  // starts the kernel's utilisation counting
  for (uint32_t k = 0; k < table().target_count; ++k) last_cycles[k] = cycles_of(k);
  announce_rate();
  uint64_t period_ns = microkit_profiler_hz ? 1000000000ull / microkit_profiler_hz : 0;
  for (uint64_t tick = 1;; ++tick) {
    seL4_Yield();  // the rest of this period's budget: wake at the next period
    int32_t k = who_ran();
    if (k >= 0) sample(uint32_t(k), tick * period_ns);
  }
}

void notified(microkit_channel) {}
