// Board: what the tool knows about a target before it sees a kernel package.
//
// Boards are data (boards/<name>.json), not code; this header is their
// in-memory form and the reader that loads them. A Board together with one
// of its Configs fixes every limit the SDF validator enforces (PD count,
// channel ids, priorities, usable virtual addresses, page sizes), so that a
// limit is a property of the target, never a constant in the validator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::board {

enum class Arch { AArch64, RiscV64, X86_64, Host };

const char* arch_name(Arch arch);

struct Range {
  uint64_t start = 0;  // inclusive
  uint64_t end = 0;    // exclusive
};

// An interrupt number the kernel keeps for itself, and what it is.
struct ReservedIrq {
  uint64_t irq = 0;
  std::string what;
};

// Limits that the SDF validator enforces; each can differ per board/config.
// The fields after the board file's come from the kernel package
// (kernel::apply_kernel_limits) when the driver finds one; until then they
// are unknown (nullopt / empty) and the rules that need them stay silent.
struct Limits {
  uint64_t max_pds = 63;
  uint64_t max_channel_id = 62;   // channel and irq ids are 0..max_channel_id
  uint64_t max_priority = 254;
  uint64_t max_child_id = 62;     // <protection_domain id=...> of children
  uint64_t max_vcpu_id = 61;
  uint64_t max_ioport_id = 62;
  uint64_t min_stack_size = 0x1000;
  uint64_t max_stack_size = 0x1000000;
  uint64_t max_x86_vector = 107;
  // From the kernel package (or stated by the board file).
  std::optional<uint64_t> max_domains;          // NUM_DOMAINS
  std::optional<uint64_t> max_domain_schedule;  // NUM_DOMAIN_SCHEDULES
  std::string kernel_package;              // the folder they were read from; "" = none
  std::optional<bool> smc_calls;           // ALLOW_SMC_CALLS
  std::optional<uint64_t> min_irq;         // below it: not a device interrupt the kernel hands out
  std::string min_irq_why;                 // why, for the message
  std::optional<uint64_t> max_irq;         // the kernel's maxIRQ (minus its timer on RISC-V)
  std::vector<ReservedIrq> reserved_irqs;  // the kernel's own
  std::optional<uint64_t> timer_frequency; // Hz: domain schedule microseconds -> ticks
  std::optional<bool> fpu;                 // HAVE_FPU
  std::optional<uint64_t> kernel_cores;    // MAX_NUM_NODES: cores the kernel was built for
  std::optional<bool> iommu;               // x86-64: IOMMU (io_address_space needs it)
  std::optional<uint64_t> max_ioapics;     // x86-64: MAX_NUM_IOAPIC
};

struct Config {
  std::string name;       // debug, release, benchmark, smp-debug, ...
  bool debug = false;     // kernel prints; loader and monitor print progress
  bool benchmark = false;
  bool smp = false;
  uint64_t cpus = 1;      // cores the system may use in this configuration
  Limits limits;
};

// What the loader is built with for this board (runtime/loader): its UART
// driver (runtime/loader/<arch>/<uart>.cc) and the device and RAM facts it
// cannot learn at run time. Read by the build (CMake), checked here.
struct LoaderFacts {
  std::string uart;                   // "pl011" (AArch64) or "ns16550" (RISC-V)
  uint64_t uart_paddr = 0;
  uint64_t ram_end = 0;               // exclusive; the loader's stack and tables stay below
  std::optional<uint64_t> gicd_paddr, gicc_paddr;  // AArch64: the GICv2 the loader sets up
};

// How QEMU boots the board's images (`microkit run`, docs/boards.md): the
// command with {image}, {kernel32} (x86-64: the kernel as ELF32) and {cpus}
// to fill in; smp_args are added for the smp-* configurations.
struct QemuCommand {
  std::vector<std::string> command;
  std::vector<std::string> smp_args;
};

struct Board {
  std::string name;
  std::string description;
  Arch arch = Arch::AArch64;
  std::vector<uint64_t> page_sizes;   // ascending, e.g. 0x1000, 0x200000
  Range user_vaddr;                   // where PDs may map memory
  std::optional<uint64_t> loader_address;   // where the image is loaded (ARM/RISC-V)
  std::optional<LoaderFacts> loader;        // seL4 boards with a loader built here
  uint64_t cpu_count = 1;
  bool hypervisor = false;            // virtual machines allowed
  std::string kernel_platform;        // seL4 KernelPlatform, e.g. "qemu-arm-virt"
  std::optional<QemuCommand> qemu;    // boards QEMU emulates
  std::vector<Config> configs;

  const Config* find_config(std::string_view name) const;
  uint64_t largest_page_size() const { return page_sizes.empty() ? 0x1000 : page_sizes.back(); }
  uint64_t smallest_page_size() const { return page_sizes.empty() ? 0x1000 : page_sizes.front(); }
};

// The QEMU command line for an image of `board` in `config`: the board's
// command with its placeholders filled, plus smp_args on SMP configs.
// Empty when the board has no "qemu" object.
std::vector<std::string> qemu_command(const Board& board, const Config& config,
                                      const std::string& image, const std::string& kernel32);

// The board database: every boards/*.json under `dir`.
struct BoardDatabase {
  std::vector<Board> boards;
  const Board* find(std::string_view name) const;
  std::vector<std::string> names() const;
};

// Reads one board file. Errors (bad JSON, missing or unknown keys) name the file.
std::optional<Board> parse_board(std::string_view json_text, const std::string& file,
                                 Diagnostics& diags);
// With `only`, reads just <dir>/<only>.json when there is one (a build needs
// one board; reading them all was a measurable part of a small build), and
// every board otherwise, so an unknown name still gets its did-you-mean.
BoardDatabase load_boards(const std::string& dir, Diagnostics& diags,
                          const std::optional<std::string>& only = std::nullopt);

// The folder the tool reads boards from: $MICROKIT_BOARDS, else the one next
// to the executable (<prefix>/share/microkit/boards or the source tree's).
std::string default_boards_dir(const std::string& argv0);

}  // namespace microkit::board
