// Plan: every decision about a system, made once, for all back ends.
//
// plan::build turns a validated SystemDescription, the Board/Config and the
// already-loaded inputs (program ELFs, prefill files) into a Plan. It is pure:
// no file I/O, no printing; problems come back as diagnostics. Back ends (the
// host bundle, the seL4 image, the report) read the Plan and never re-decide
// or re-validate anything in it.
//
// This header holds the platform-independent part (PDs, mappings, channel
// tables, symbol patches, memory regions). seL4 kernel objects and CSpace
// layout are planned in plan/sel4_*.h on top of it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "board/board.h"
#include "elf/elf_file.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::plan {

struct Mapping {
  size_t mr = 0;        // index into Plan::mrs
  uint64_t vaddr = 0;
  uint64_t size = 0;    // the whole MR
  bool read = true, write = true, execute = false;
  bool cached = true;
  bool late_load = false;  // the program window of a late-loaded PD (<late_load>)
};

// One slot of a PD's channel table, indexed by channel id.
struct ChannelSlot {
  enum class Kind { Unused, Channel, Irq };
  Kind kind = Kind::Unused;
  // Kind::Channel
  size_t peer_pd = 0;       // index into Plan::pds
  uint64_t peer_id = 0;     // the id the peer uses for this channel
  bool can_notify = false;  // this end may notify the peer
  bool can_ppcall = false;  // this end may ppcall the peer
  bool receives_ppc = false;// the peer may ppcall this end
  // Kind::Irq
  uint64_t irq = 0;  // ARM/RISC-V: the interrupt number; x86: the vector
  sdf::Trigger trigger = sdf::Trigger::Level;
  // x86-64: an IOAPIC pin or an MSI, delivered at vector `irq`.
  sdf::Irq::Kind irq_kind = sdf::Irq::Kind::Number;
  uint64_t ioapic = 0, pin = 0;                   // IoApic
  sdf::Polarity polarity = sdf::Polarity::High;   // IoApic
  uint64_t pci_address = 0;  // Msi: bus << 8 | dev << 3 | func
  uint64_t msi_handle = 0;   // Msi
};

// An x86 <ioport>: ports [addr, addr + size), found by the PD at id.
struct IoPortRange {
  uint64_t id = 0;
  uint64_t addr = 0;
  uint64_t size = 0;
  friend bool operator==(const IoPortRange&, const IoPortRange&) = default;
};

// A value the tool writes into a program image at a symbol (setvar).
struct SymbolPatch {
  std::string symbol;
  uint64_t value = 0;
  bool from_elf_for_symbols = false;  // resolved in program_image path_for_symbols
  // Where the symbol is in the program (from its symtab) and how many bytes
  // to write there (the symbol's size when it is 1, 2, 4 or 8, else 8).
  uint64_t vaddr = 0;
  uint64_t size = 8;
  // <setvar region_paddr="MR">: `value` is that MR's physical address, which
  // a back end decides when the MR has no fixed one (the host platform gives
  // a fake but stable address; seL4 allocates one).
  std::optional<size_t> paddr_of_mr;  // index into Plan::mrs
  Loc loc;  // the SDF attribute that names the symbol
  // libmicrokit's own variables the tool fills when present (a program built
  // against another libmicrokit lacks them): dropped, not an error, if absent.
  bool optional = false;
};

// A <cspace> grant (sdf::Cap, docs/cspace.md): found by this PD at user
// slots slot..slot+slots()-1 (1..127; on seL4 CNode slot
// MICROKIT_PD_BASE_USER_CAPS + slot, runtime/shared/pd_abi.h). Sources are
// another PD's TCB, SC, VSpace, CNode, notification, endpoint or x86 I/O
// port range, the handler of another PD's IRQ, an MR's frames, or new
// objects: untyped memory and empty CNodes.
// The host platform has no capabilities: the validator rejects <cspace>
// there, so a host Plan never holds one.
struct ExtraCap {
  using Kind = sdf::Cap::Kind;
  Kind kind = Kind::Tcb;
  size_t source_pd = 0;  // index into Plan::pds: whose object (PD kinds)
  uint64_t slot = 0;     // the SDF slot of the first cap
  size_t source_mr = 0;  // index into Plan::mrs (MrFrames)
  std::string name;      // the constant's name in the generated header
  bool read = false, write = true, grant = false;  // Notification, Endpoint, MrFrames (r/w)
  uint64_t badge = 0;           // Notification, Endpoint
  uint64_t count = 1;           // Untyped: how many; MrFrames: the MR's frames
  uint32_t size_bits = 0;       // Untyped: log2 of each one's bytes
  uint32_t cnode_slot_bits = 0; // EmptyCNode: log2 of its slots
  uint64_t cpu = 0;             // SchedControl
  uint64_t irq_channel = 0;     // Irq: the channel id of source_pd's <irq>
  uint64_t ioport_id = 0;       // IoPort: the id of source_pd's <ioport>
  Loc loc;                      // the element, for planning errors
  uint64_t slots() const { return count; }
  friend bool operator==(const ExtraCap&, const ExtraCap&) = default;
};

// A <virtual_machine> of a PD (its VMM): one thread per vCPU, running the
// guest in its own address space of guest-physical addresses (the maps).
// vCPU faults go to the VMM's fault() as faults of child `id`.
struct VmVcpu {
  uint64_t id = 0;   // the id the VMM uses (microkit_child), shared with its children's ids
  uint64_t cpu = 0;  // the core it runs on (the vCPU's cpu, else the VMM's)
};
struct Vm {
  std::string name;
  uint64_t priority = 0;
  uint64_t budget_us = 1000;
  uint64_t period_us = 1000;
  std::vector<VmVcpu> vcpus;      // SDF order
  std::vector<Mapping> mappings;  // vaddr = guest-physical address; sorted by it
};

struct Pd {
  std::string name;
  uint64_t priority = 0;
  uint64_t budget_us = 1000;
  uint64_t period_us = 1000;
  bool passive = false;
  uint64_t cpu = 0;
  bool fpu = true;
  bool smc = false;
  std::optional<uint64_t> domain;   // the kernel's domain id (<domains>)
  uint64_t stack_size = 0x2000;
  // crash_dump="...": what a fault's crash dump holds besides the registers
  // (docs/debugging.md); debug kernels only.
  struct CrashDump {
    bool enabled = false;
    bool stack = false;
    bool data = false;  // the program's writable pages
    std::set<std::string> mrs;  // names of mapped MRs (4 KiB pages)
  } crash_dump;
  std::optional<size_t> parent;     // index into Plan::pds
  std::optional<uint64_t> child_id; // the id the parent uses
  std::vector<size_t> children;
  std::string program_path;         // as resolved through the search path
  // <late_load>: no program at build time (program_path empty); the parent
  // loads one into this PD's mapping of this MR, the Mapping with late_load.
  std::optional<size_t> late_load_mr;  // index into Plan::mrs
  std::vector<Mapping> mappings;    // sorted by vaddr
  std::vector<ChannelSlot> channels;// size limits.max_channel_id + 1
  std::vector<SymbolPatch> patches;
  std::vector<ExtraCap> extra_caps; // from <cspace>, sorted by slot
  uint64_t free_slots = 0;          // <free_slots count>: promised empty after the tool's slots
  std::vector<IoPortRange> ioports; // x86 <ioport>, in SDF order
  std::optional<Vm> vm;             // the PD is this VM's VMM

  const IoPortRange* ioport(uint64_t id) const {
    for (const IoPortRange& io : ioports)
      if (io.id == id) return &io;
    return nullptr;
  }
};

// The masks libmicrokit reads to check channel ids (docs/sel4-abi.md,
// "Variables the tool patches"): bit c set when channel c is an IRQ, may be
// notified, may be ppcalled.
struct ChannelMasks {
  uint64_t irqs = 0, notifications = 0, pps = 0;
};
ChannelMasks channel_masks(const Pd& pd);

// The mapping a late-loaded PD's program runs in, or nullptr.
const Mapping* late_load_window(const Pd& pd);

struct Mr {
  std::string name;
  uint64_t size = 0;
  uint64_t page_size = 0x1000;
  std::optional<uint64_t> phys_addr;
  std::optional<std::string> prefill_path;  // resolved path
  uint64_t prefill_size = 0;
  std::vector<uint8_t> prefill;              // the bytes (prefill_size of them)
  bool needs_fixed_paddr = false;            // subject of <setvar region_paddr>
  // prefill_bootinfo (x86-64): the seL4_BootInfoHeader id of the chunk the
  // initial task copies in at boot (SEL4_BOOTINFO_HEADER_X86_*); 0 = none.
  uint32_t bootinfo_chunk = 0;
};

// An x86 <iomap>: an MR's frames at iovaddr of an IOMMU address space.
struct IoMap {
  size_t mr = 0;  // index into Plan::mrs
  uint64_t iovaddr = 0;
  bool read = true, write = true;
};

// An x86 <io_address_space>: the IOMMU translation of one PCI device.
struct IoSpace {
  std::string name;
  uint64_t pci_address = 0;  // requester id: bus << 8 | dev << 3 | func
  uint64_t domain_id = 0;    // 1..0xffff
  std::vector<IoMap> maps;
};

// <domain_schedule>: the kernel's schedule array from index_shift on.
struct ScheduleSlot {
  bool end_marker = false;
  uint64_t domain = 0;     // kernel domain id
  uint64_t duration = 0;   // in `unit`; 0 for an end marker
  sdf::ScheduleEntry::Unit unit = sdf::ScheduleEntry::Unit::Microseconds;
};
struct DomainSchedule {
  uint64_t index_shift = 0;  // kernel index of slots[0]
  uint64_t start_index = 0;  // into slots
  std::vector<ScheduleSlot> slots;
};

// `--gdb-stub` (tool/gdb, runtime/shared/gdb_abi.h): the debugger PD and
// the PDs it debugs, in the order it numbers them (target k = targets[k]).
// A PD that sees every other PD (their TCBs, windows on their memory;
// runtime/shared/gdb_abi.h): the --gdb-stub debugger, or the seL4 profiler,
// which samples them but handles no faults and only reads their memory.
struct Debugger {
  size_t pd = 0;
  std::vector<size_t> targets;
  bool handles_faults = true;  // false: the profiler
  uint64_t profile_hz = 0;     // the profiler's samples a second
};

struct Plan {
  std::string board;
  std::string config;
  board::Arch arch = board::Arch::Host;
  std::vector<Pd> pds;  // SDF document order; parents before their children
  std::vector<Mr> mrs;
  std::optional<DomainSchedule> domain_schedule;
  std::vector<IoSpace> io_spaces;  // x86 <io_address_space>, SDF order
  std::optional<Debugger> debugger;
};

// SEL4_BOOTINFO_HEADER_* id of a prefill_bootinfo name; 0 if unknown.
uint32_t bootinfo_chunk_id(std::string_view name);

// What the caller loaded for plan::build: programs by the path written in the
// SDF, prefill files likewise. Search-path resolution happens before planning.
struct Inputs {
  std::map<std::string, elf::ElfFile> programs;           // key: program_image path
  std::map<std::string, std::string> resolved_paths;      // key: SDF path -> file found
  std::map<std::string, std::vector<uint8_t>> prefills;   // key: prefill_path
  // `microkit headers`: plan from the SDF alone; programs and prefill files
  // were not loaded, so symbols stay unresolved and prefills empty.
  bool sdf_only = false;
};

std::optional<Plan> build(const sdf::SystemDescription& sd, const board::Board& board,
                          const board::Config& config, const Inputs& inputs,
                          Diagnostics& diags);

}  // namespace microkit::plan
