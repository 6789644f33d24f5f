// SystemDescription: what an SDF file says, as data.
//
// The parser (sdf/parse.h) fills it from XML; the validator (sdf/validate.h)
// checks it against the manual's rules and a Board. It knows the SDF and
// nothing of seL4 objects. Every element keeps where it came from (its own
// location and each attribute's), so that any later phase can point at the
// exact text that caused a problem.
//
// Invariants after a successful parse (the validator may assume them):
// - every required attribute was present and well-formed (numbers parsed,
//   booleans and enums recognised); optional ones are std::optional or hold
//   the manual's default;
// - protection domains are flattened in document order; `parent` and
//   `children` link the hierarchy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::sdf {

// Where an element and each of its attributes are in the SDF.
struct Element {
  Loc loc;                                          // the '<' of the start tag
  std::vector<std::pair<std::string, Loc>> attrs;   // attribute name -> location of its name

  // Location of attribute `name`, or of the element when it has none.
  Loc at(std::string_view name) const {
    for (const auto& [n, l] : attrs)
      if (n == name) return l;
    return loc;
  }
  bool has(std::string_view name) const {
    for (const auto& a : attrs)
      if (a.first == name) return true;
    return false;
  }
};

struct Perms {
  bool read = true;
  bool write = true;
  bool execute = false;
  friend bool operator==(const Perms&, const Perms&) = default;
};

struct Map : Element {
  std::string mr;
  uint64_t vaddr = 0;
  Perms perms;
  bool cached = true;
  std::optional<std::string> setvar_vaddr;
  std::optional<std::string> setvar_size;
  std::optional<std::string> setvar_prefill_size;
  bool late_load = false;  // the mapping a <late_load> asks for (not written as <map>)
};

enum class Trigger { Level, Edge };
enum class Polarity { High, Low };

struct Irq : Element {
  // ARM and RISC-V interrupts carry `irq`; x86-64 ones are IOAPIC or MSI.
  enum class Kind { Number, IoApic, Msi };
  Kind kind = Kind::Number;
  uint64_t id = 0;  // channel identifier
  std::optional<std::string> setvar_id;
  Trigger trigger = Trigger::Level;
  // Kind::Number
  uint64_t irq = 0;
  // Kind::IoApic
  uint64_t ioapic = 0;
  uint64_t pin = 0;
  Polarity polarity = Polarity::High;
  // Kind::IoApic and Kind::Msi
  uint64_t vector = 0;
  // Kind::Msi: pcidev "BUS:DEV.FUNC"
  uint64_t pci_bus = 0, pci_dev = 0, pci_func = 0;
  uint64_t handle = 0;
};

struct IoPort : Element {
  uint64_t id = 0;
  uint64_t addr = 0;
  uint64_t size = 0;
  std::optional<std::string> setvar_id;
  std::optional<std::string> setvar_addr;
};

struct SetVar : Element {
  std::string symbol;
  std::string region_paddr;  // name of a memory region
};

// One grant inside <cspace> (docs/cspace.md). The official elements
// (cap_tcb, cap_sc, cap_vspace) name a PD; the others name a PD, an MR or
// nothing (untyped memory and empty CNodes are new objects); cap_ioport
// names a PD's <ioport> by id.
struct Cap : Element {
  enum class Kind {
    Tcb,           // <cap_tcb pd>
    Sc,            // <cap_sc pd>
    VSpace,        // <cap_vspace pd>
    CNode,         // <cap_cnode pd>: that PD's CSpace root
    Notification,  // <cap_notification pd rights badge>
    Endpoint,      // <cap_endpoint pd rights badge>
    MrFrames,      // <cap_mr mr perms>: one slot per page of the MR
    Untyped,       // <untyped size count>: new untyped memory, count slots
    EmptyCNode,    // <cnode slots>: a new empty CNode of `cnode_slots` slots
    SchedControl,  // <cap_sched_control cpu>: configures scheduling contexts on that core
    Irq,           // <cap_irq pd id> or <cap_irq irq>: the handler of an IRQ a PD's <irq> declares
    IoPort,        // <cap_ioport pd id>: the I/O port range of a PD's <ioport> (x86-64)
  };
  struct Rights {
    bool read = false, write = true, grant = false;  // seL4 r/w/g; default: send only
    friend bool operator==(const Rights&, const Rights&) = default;
  };
  Kind kind = Kind::Tcb;
  uint64_t slot = 0;
  std::string pd;                   // Tcb, Sc, VSpace, CNode, Notification, Endpoint
  std::string mr;                   // MrFrames
  std::optional<std::string> name;  // the constant's name in the generated header
  Rights rights;                    // Notification, Endpoint
  uint64_t badge = 0;               // Notification, Endpoint; 0 = unbadged
  Perms perms{true, false, false};  // MrFrames: r or rw (read-only unless asked)
  uint64_t size = 0;                // Untyped: bytes, a power of two
  uint64_t count = 1;               // Untyped: how many of that size
  uint64_t cnode_slots = 0;         // EmptyCNode: a power of two
  uint64_t cpu = 0;                 // SchedControl
  std::optional<uint64_t> irq_id;   // Irq: the <irq id> of `pd`
  std::optional<uint64_t> irq;      // Irq: the IRQ number of some PD's <irq irq>
  uint64_t ioport_id = 0;           // IoPort: the <ioport id> of `pd`
  std::optional<std::string> setvar_slot;  // symbol patched with the first slot's cptr
};

// The element of each kind of grant, in Cap::Kind order: the one table the
// parser, the validator's messages and the CSpace headers read.
inline constexpr std::array<std::string_view, 12> kCapElements{
    "cap_tcb", "cap_sc", "cap_vspace", "cap_cnode", "cap_notification",
    "cap_endpoint", "cap_mr", "untyped", "cnode", "cap_sched_control", "cap_irq", "cap_ioport"};
static_assert(kCapElements.size() == static_cast<size_t>(Cap::Kind::IoPort) + 1,
              "one element name per Cap::Kind");
inline std::string_view cap_element(Cap::Kind kind) { return kCapElements[static_cast<size_t>(kind)]; }

// The grant's name in the generated header: its `name`, else one made of
// its kind and source ("tcb_alpha", "mr_buffer", "untyped_12").
// Characters a C identifier cannot hold become '_'.
inline std::string default_cap_name(const Cap& cap);
inline std::string cap_name(const Cap& cap) {
  if (cap.name) return *cap.name;
  std::string s = default_cap_name(cap);
  for (char& ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) ch = '_';
  return s;
}
inline std::string default_cap_name(const Cap& cap) {
  switch (cap.kind) {
    case Cap::Kind::Tcb: return "tcb_" + cap.pd;
    case Cap::Kind::Sc: return "sc_" + cap.pd;
    case Cap::Kind::VSpace: return "vspace_" + cap.pd;
    case Cap::Kind::CNode: return "cnode_" + cap.pd;
    case Cap::Kind::Notification: return "notification_" + cap.pd;
    case Cap::Kind::Endpoint: return "endpoint_" + cap.pd;
    case Cap::Kind::MrFrames: return "mr_" + cap.mr;
    case Cap::Kind::Untyped: return "untyped_" + std::to_string(cap.slot);
    case Cap::Kind::EmptyCNode: return "cnode_" + std::to_string(cap.slot);
    case Cap::Kind::SchedControl: return "sched_control_" + std::to_string(cap.cpu);
    case Cap::Kind::Irq:
      return cap.irq ? "irq_" + std::to_string(*cap.irq)
                     : "irq_" + cap.pd + "_" + std::to_string(cap.irq_id.value_or(0));
    case Cap::Kind::IoPort: return "ioport_" + cap.pd + "_" + std::to_string(cap.ioport_id);
  }
  return {};
}

// <free_slots count>: a promise of `count` empty slots in the PD's CSpace
// root (the slots after everything the tool puts there).
struct FreeSlots : Element {
  uint64_t count = 0;
  std::optional<std::string> setvar_first;  // symbol patched with the first free cptr
};

struct ProgramImage : Element {
  std::string path;
  std::optional<std::string> path_for_symbols;
};

// <late_load mr vaddr>, in place of <program_image>: the PD has no program of
// its own; its parent loads one at run time into memory region `mr`, which
// the tool maps into this PD at `vaddr` (read, write, execute). The parser
// adds that mapping to the PD's maps (marked `late_load`), so every check of
// a mapping applies to it (docs/cspace.md, "Late-loading PDs").
struct LateLoad : Element {
  std::string mr;
  uint64_t vaddr = 0x200000;  // where programs are linked (microkit.ld, pd_abi.h)
};

struct Vcpu : Element {
  uint64_t id = 0;
  std::optional<uint64_t> cpu;
  std::optional<std::string> setvar_id;
};

// <linux> in a <virtual_machine> (this project's): the guest boots Linux from
// prefilled memory regions the way the VMM library places them
// (docs/virtual-machines.md), so the tool can check that they fit guest RAM
// and that guest memory stays off the devices of the guest's device tree.
struct LinuxGuest : Element {
  std::string ram;                    // the MR the VM maps as guest RAM
  std::string kernel;                 // prefilled with the arm64 Image
  std::string dtb;                    // prefilled with the guest's device tree
  std::optional<std::string> initrd;  // prefilled with the initial RAM disk
};

struct VirtualMachine : Element {
  std::string name;
  uint64_t priority = 0;
  uint64_t budget = 1000;
  std::optional<uint64_t> period;  // defaults to budget
  std::vector<Vcpu> vcpus;
  std::vector<Map> maps;
  std::optional<LinuxGuest> linux_guest;
};

// crash_dump="...": what a PD's crash dump holds besides its registers.
struct CrashDump {
  bool stack = false;
  bool data = false;             // the program's writable pages (.data, .bss)
  std::vector<std::string> mrs;  // memory regions the PD maps
};

struct ProtectionDomain : Element {
  std::string name;
  uint64_t priority = 0;
  uint64_t budget = 1000;          // microseconds
  std::optional<uint64_t> period;  // microseconds; defaults to budget
  bool passive = false;
  uint64_t stack_size = 0x2000;
  uint64_t cpu = 0;
  bool smc = false;
  bool fpu = true;
  std::optional<std::string> domain;
  std::optional<CrashDump> crash_dump;

  // Only for children: the id the parent uses for this child.
  std::optional<uint64_t> child_id;
  std::optional<std::string> setvar_id;  // symbol in the parent's image

  std::optional<ProgramImage> program_image;
  std::optional<LateLoad> late_load;  // instead of program_image
  std::vector<Map> maps;
  std::vector<Irq> irqs;
  std::vector<SetVar> setvars;
  std::vector<IoPort> ioports;
  std::vector<Cap> caps;          // from <cspace>
  std::optional<FreeSlots> free_slots;  // <cspace><free_slots/>
  std::optional<Loc> cspace_loc;  // where <cspace> was, if present
  std::optional<VirtualMachine> vm;

  std::optional<size_t> parent;  // index into SystemDescription::pds
  std::vector<size_t> children;  // indices into SystemDescription::pds

  uint64_t effective_period() const { return period.value_or(budget); }
};

struct MemoryRegion : Element {
  std::string name;
  std::optional<uint64_t> size;
  std::optional<uint64_t> page_size;
  std::optional<uint64_t> phys_addr;
  std::optional<std::string> prefill_path;
  std::optional<std::string> prefill_bootinfo;  // x86_vbe, x86_mbmap, ...
};

struct ChannelEnd : Element {
  std::string pd;
  uint64_t id = 0;
  bool pp = false;
  bool notify = true;
  std::optional<std::string> setvar_id;
};

struct Channel : Element {
  ChannelEnd a;
  ChannelEnd b;
};

struct IoMap : Element {
  std::string mr;
  uint64_t iovaddr = 0;
  Perms perms;  // read and write only
};

struct IoAddressSpace : Element {
  std::string name;
  uint64_t peripheral_id = 0;
  // peripheral_id was written as a PCI address "BUS:DEV.FUNC" (how the x86-64
  // IOMMU names devices); peripheral_id then holds its requester id,
  // bus << 8 | dev << 3 | func.
  bool peripheral_is_pci = false;
  uint64_t domain_id = 0;
  std::vector<IoMap> maps;
};

struct Domain : Element {
  std::string name;
  std::optional<uint64_t> id;
};

struct ScheduleEntry : Element {
  enum class Kind { Entry, EndMarker };
  enum class Unit { Microseconds, Ticks };
  Kind kind = Kind::Entry;
  std::string domain;
  uint64_t duration = 0;
  Unit unit = Unit::Microseconds;
};

struct DomainSchedule : Element {
  uint64_t start_index = 0;
  uint64_t index_shift = 0;
  std::vector<ScheduleEntry> entries;
};

struct Domains : Element {
  std::vector<Domain> domains;
  std::optional<DomainSchedule> schedule;
};

// <profiler frequency="Hz">: sample which PD runs, and where, this many
// times a second of CPU time (docs/profiling.md).
struct Profiler : Element {
  uint64_t frequency = 0;
};

struct SystemDescription {
  std::string file;  // path of the SDF, for diagnostics
  Loc loc;           // the <system> element
  std::vector<ProtectionDomain> pds;  // all of them, children included, document order
  std::vector<MemoryRegion> mrs;
  std::vector<Channel> channels;
  std::vector<IoAddressSpace> io_address_spaces;
  std::optional<Domains> domains;
  // `microkit build --gdb-stub`: the debugger PD the tool added (tool/gdb).
  std::optional<size_t> gdb_debugger;
  std::optional<Profiler> profiler;
  // <profiler> on seL4: the profiler PD the tool added (tool/profile/sel4_profiler.h).
  std::optional<size_t> profiler_pd;

  const ProtectionDomain* find_pd(std::string_view name) const {
    for (const auto& pd : pds)
      if (pd.name == name) return &pd;
    return nullptr;
  }
  const MemoryRegion* find_mr(std::string_view name) const {
    for (const auto& mr : mrs)
      if (mr.name == name) return &mr;
    return nullptr;
  }
};

}  // namespace microkit::sdf
