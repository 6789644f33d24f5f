// KernelPackage: what the tool knows about one seL4 16.0.0 kernel build.
//
// A package is read from one of two kinds of folder:
// - an install: the result of `ninja install` of a kernel build plus that
//   build's configuration files: bin/kernel.elf, libsel4/include/,
//   support/platform_gen.json (not on x86), gen_config.json and
//   invocations_all.json;
// - the board/<board>/<config> folder of a Microkit SDK: elf/sel4.elf,
//   include/ (libsel4, with include/kernel/gen_config.json),
//   platform_gen.json (not on x86) and invocations_all.json;
// - a facts folder (the steering repo's shared/sel4-16.0.0/<board>/<config>): the same
//   JSON files, with object_sizes.json and kernel_elf.json standing in for
//   the libsel4 headers and kernel.elf (for planning tests; it cannot boot).
// Either way the result is the same struct, so planning cannot tell them
// apart. Object sizes come from object_sizes.json when the folder has one,
// else from the libsel4 headers evaluated under the build's configuration.
// Every value planning needs is checked for presence and type here; an
// error names the file and the missing or malformed key.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "board/board.h"
#include "elf/elf_file.h"
#include "support/diagnostics.h"

namespace microkit::kernel {

struct MemoryRange {
  uint64_t start = 0;  // inclusive
  uint64_t end = 0;    // exclusive
  friend bool operator==(const MemoryRange&, const MemoryRange&) = default;
};

// The kernel's resolved configuration (gen_config.json), typed.
struct KernelConfig {
  board::Arch arch = board::Arch::AArch64;
  uint32_t word_size = 64;
  std::string platform;                  // PLAT, e.g. "qemu-arm-virt", "pc99"
  bool mcs = false;
  bool hypervisor = false;               // ARM_HYPERVISOR_SUPPORT, or VTX on x86
  std::optional<uint32_t> arm_pa_size_bits;   // 40 or 44 (AArch64)
  std::optional<uint32_t> riscv_pt_levels;    // 3 = Sv39 (RISC-V)
  uint32_t root_cnode_size_bits = 0;
  // Most objects one seL4_Untyped_Retype may create (CONFIG_RETYPE_FAN_OUT_LIMIT).
  uint32_t retype_fan_out_limit = 256;
  uint32_t num_domains = 1;
  bool debug_build = false;
  bool printing = false;
  bool benchmarks = false;               // ENABLE_BENCHMARKS
  uint32_t max_num_nodes = 1;            // cores the kernel supports (SMP when > 1)
  bool have_fpu = false;
  std::optional<uint64_t> timer_frequency;  // Hz; absent when measured at boot (x86 TSC)
  uint64_t paddr_user_device_top = 0;
  uint32_t kernel_stack_bits = 12;
  uint32_t boot_thread_time_slice = 5;   // ms
  uint32_t wcet_scale = 1;
  // Every key as text (booleans as "true"/"false"), for anything else.
  std::map<std::string, std::string> raw;

  std::optional<std::string> get(std::string_view key) const;
  bool smp() const { return max_num_nodes > 1; }
};

// Object sizes, in bits (log2 of bytes), from libsel4.
struct ObjectSizes {
  uint32_t tcb = 0;
  uint32_t endpoint = 0;
  uint32_t notification = 0;
  uint32_t reply = 0;
  uint32_t min_sched_context = 0;
  uint32_t page_table = 0;
  uint32_t vspace = 0;
  uint32_t asid_pool = 0;
  uint32_t slot = 0;
  uint32_t page = 0;
  uint32_t large_page = 0;
  uint32_t huge_page = 0;
  uint32_t min_untyped = 0;
  uint32_t max_untyped = 0;
  uint32_t bootinfo_frame = 0;
  uint32_t page_table_index = 0;
  std::optional<uint32_t> vcpu;            // AArch64 with hypervisor, x86
  std::optional<uint32_t> io_page_table;   // AArch64, x86
  std::optional<uint32_t> vspace_index;    // AArch64
  uint64_t user_top = 0;                   // seL4_UserTop exactly as libsel4 defines it
  friend bool operator==(const ObjectSizes&, const ObjectSizes&) = default;
};

struct KernelSegment {
  uint64_t offset = 0;   // in kernel.elf
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint32_t flags = 0;    // PF_R | PF_W | PF_X
  friend bool operator==(const KernelSegment&, const KernelSegment&) = default;
};

struct KernelPackage {
  enum class Kind { Install, MicrokitSdk, Facts };
  Kind kind = Kind::Facts;
  std::string dir;
  KernelConfig config;
  ObjectSizes sizes;
  // Physical memory and device regions (platform_gen.json); empty on x86,
  // where the kernel finds memory at boot.
  std::vector<MemoryRange> memory;
  std::vector<MemoryRange> devices;
  // kernel.elf facts.
  uint64_t entry = 0;
  std::vector<KernelSegment> segments;    // PT_LOAD, in file order
  std::map<std::string, uint64_t> symbols;   // _start, ki_boot_end, ki_end, ... when present
  uint64_t ki_boot_end = 0;
  uint64_t ki_end = 0;
  // Entries of the kernel's IRQ state table (intStateIRQTable's size in
  // words): maxIRQ + 1, plus NUM_PPI per extra core on ARM. Absent when the
  // package has no kernel.elf (a facts folder).
  std::optional<uint64_t> irq_table_entries;
  std::map<std::string, uint64_t> invocation_labels;  // e.g. "UntypedRetype" -> 1
  std::string kernel_elf_path;            // Install, MicrokitSdk: the kernel to put in an image
  // That kernel, as read once for the facts above, so an image build does
  // not read it again (null for a facts folder).
  std::shared_ptr<const elf::ElfFile> kernel_elf;

  std::optional<uint64_t> label(std::string_view invocation) const;
  // The first address past the user part of a VSpace: seL4_UserTop + 1 on
  // AArch64 (where libsel4 defines it as the last address), else seL4_UserTop.
  uint64_t user_vaddr_end() const;
};

// Budgets and periods seL4_SchedControl_ConfigureFlags accepts (MCS;
// decodeSchedControl_ConfigureFlags refuses others with seL4_RangeError):
// at least MIN_BUDGET = 2 * KERNEL_WCET * KERNEL_WCET_SCALE in timer ticks,
// at most MAX_PERIOD_US (KERNEL_STATIC_MAX_PERIOD_US, or when that is 0
// the largest time the timer conversion does not overflow, over 8).
// KERNEL_WCET is a platform constant of the kernel build that packages do
// not carry: seL4 16.0.0 sets 100 us on tk1 and 10 us on every other
// platform (src/plat/*/config.cmake; RISC-V and x86 hard-code 10).
struct SchedTimeLimits {
  uint64_t min_us = 0;  // the smallest accepted value, in microseconds
  uint64_t max_us = 0;  // the largest
};
// Empty when the timer frequency is not known at build time (x86's TSC).
std::optional<SchedTimeLimits> sched_time_limits(const KernelConfig& config);

// Reads the package in `dir`; on failure the diagnostics say which file and
// which key. The kind of folder is told by bin/kernel.elf (an install), else
// elf/sel4.elf (a Microkit SDK), else it is taken for a facts folder.
std::optional<KernelPackage> load_kernel_package(const std::string& dir, Diagnostics& diags);

}  // namespace microkit::kernel
