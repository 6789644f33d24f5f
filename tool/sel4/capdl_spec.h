// capdl_spec: the system's capability distribution (capDL) as data, derived
// from the same Plan and seL4 plan the image is built from.
//
// It is a description of what the initial task builds, in capDL's terms:
// every kernel object (with its physical address, which our planner fixes
// for all of them), every capability in a CNode, TCB, page table or IRQ
// handler, the IRQs, and the untyped memory each object is retyped from.
// Two writers read it: capdl_json.h (the JSON of the official Microkit's
// --capdl-json, i.e. the serde form of rust-sel4's capDL spec types) and
// capdl_text.h (the .cdl text the seL4 capDL tool reads).
//
// Object order (ids are indices into Spec::objects):
//   1. every object retyped from an untyped, untyped by untyped in the
//      bootinfo order, each untyped's objects in retype (= address) order,
//      padding untypeds included, so each untyped covers a contiguous range;
//   2. frames that already exist when the initial task starts (program and
//      prefill pages inside the boot image's user image), then one IRQ
//      object per <irq>, then the SMC object when a PD has smc;
//   3. the kernel's untypeds (bootinfo order), which are not created.
// root_objects is [0, first kernel untyped): everything the initial task
// creates or hands out. Building cannot fail: the plan already holds it all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "kernel/boot_emulation.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"

namespace microkit::capdl {

enum class ObjectKind {
  Untyped, Endpoint, Notification, CNode, Tcb, ArmIrq, RiscvIrq, VCpu, Frame, PageTable,
  SchedContext, Reply, ArmSmc,
  IrqIOApic, IrqMsi, IOPorts, IOSpace, IOPageTable,  // x86-64
};
enum class CapKind {
  Untyped, Endpoint, Notification, CNode, Tcb, ArmIrqHandler, RiscvIrqHandler, VCpu, Frame,
  PageTable, SchedContext, Reply, ArmSmc,
  IrqIOApicHandler, IrqMsiHandler, IOPorts, IOPageTable,  // x86-64
  SchedControl,  // no object: capDL's sched_control cap names a core (.cdl only, see capdl_json.h)
};

struct Rights {
  bool read = true, write = true, grant = true, grant_reply = true;
  friend bool operator==(const Rights&, const Rights&) = default;
};

struct Cap {
  CapKind kind = CapKind::Endpoint;
  uint32_t object = 0;
  uint64_t badge = 0;        // Endpoint, Notification
  Rights rights;             // Endpoint, Notification, Frame
  uint64_t guard = 0;        // CNode
  uint8_t guard_size = 0;    // CNode
  bool cached = true;        // Frame
  bool executable = false;   // Frame
  uint64_t core = 0;         // SchedControl
};

struct CapEntry {
  uint32_t slot = 0;
  Cap cap;
};

// Where the initial bytes of an existing frame come from.
struct FillEntry {
  uint64_t dest_offset = 0, dest_length = 0;  // inside the frame
  enum class Source { ElfSegment, Bytes, BootInfo } source = Source::ElfSegment;
  // ElfSegment: PD `elf_id` (index in SDF order), its PT_LOAD segment
  // `segment` (file order), bytes [segment_offset, + dest_length) of it.
  uint32_t elf_id = 0;
  uint32_t segment = 0;
  uint64_t segment_offset = 0;
  // Bytes: the data (a prefilled MR's file contents).
  std::vector<uint8_t> bytes;
  // BootInfo (x86 prefill_bootinfo): the seL4_BootInfoHeader id of the
  // chunk, bytes from segment_offset of it.
  uint32_t bootinfo_id = 0;
  // ElfSegment, Bytes: the file the bytes are read from, and the offset in it.
  std::string file;
  uint64_t file_offset = 0;
};

struct TcbInfo {
  uint64_t ipc_buffer_addr = 0;
  uint64_t affinity = 0;
  uint8_t prio = 0, max_prio = 0;
  bool fpu_disabled = false;
  bool resume = true;
  std::optional<uint8_t> domain;
  uint64_t ip = 0, sp = 0;
};

struct Object {
  std::string name;             // unique; a capDL identifier
  ObjectKind kind = ObjectKind::Endpoint;
  uint8_t size_bits = 0;        // Untyped, Frame, SchedContext: log2 bytes; CNode: log2 slots
  std::optional<uint64_t> paddr;
  std::vector<CapEntry> slots;  // CNode, Tcb, PageTable, ArmIrq, RiscvIrq; ascending slot
  // PageTable. The level as the official tool numbers it: the table whose
  // entries map 4 KiB pages is level 3 on AArch64 and level 2 on RISC-V
  // (Sv39); each level up maps 9 bits more per entry.
  bool is_root = false;
  uint8_t level = 0;
  // Tcb, SchedContext (period/budget in microseconds), ArmIrq, Frame
  TcbInfo tcb;
  uint64_t sc_period = 0, sc_budget = 0, sc_badge = 0;
  uint8_t irq_trigger = 0;      // 0 level, 1 edge
  uint64_t irq_target = 0;      // ArmIrq: CPU the IRQ is routed to
  // IrqIOApic: seL4_IRQControl_GetIOAPIC's arguments (level 1 = level
  // triggered, polarity 1 = active low)
  uint64_t ioapic = 0, ioapic_pin = 0, ioapic_level = 0, ioapic_polarity = 0;
  // IrqMsi: seL4_IRQControl_GetMSI's arguments
  uint64_t msi_handle = 0, pci_bus = 0, pci_dev = 0, pci_func = 0;
  uint64_t first_port = 0, last_port = 0;  // IOPorts: [first, last]
  uint64_t domain_id = 0;  // IOSpace (pci_bus/dev/func above: its device)
  std::vector<FillEntry> fill;  // Frame: pre-existing contents
};

struct IrqEntry {
  uint64_t irq = 0;
  uint32_t handler = 0;  // an ArmIrq object
};

struct UntypedCover {
  uint32_t parent = 0;
  uint32_t begin = 0, end = 0;  // children [begin, end)
};

// One entry of the kernel's domain schedule (<domain_schedule>).
struct DomainScheduleEntry {
  bool end_marker = false;
  uint8_t domain = 0;
  uint64_t duration = 0;
  bool in_ticks = false;  // else microseconds
};

struct Spec {
  board::Arch arch = board::Arch::AArch64;
  std::vector<Object> objects;
  std::vector<IrqEntry> irqs;
  std::optional<std::vector<DomainScheduleEntry>> domain_schedule;
  std::optional<uint64_t> domain_set_start, domain_idx_shift;
  uint32_t root_objects_end = 0;  // root objects are [0, root_objects_end)
  std::vector<UntypedCover> untyped_covers;
};

struct SpecInputs {
  const plan::Plan* plan = nullptr;
  const plan::Sel4Plan* sel4 = nullptr;
  const kernel::BootFacts* facts = nullptr;
  std::vector<const elf::ElfFile*> programs;  // parallel to Plan::pds
  std::vector<plan::PdImage> pd_images;       // parallel to Plan::pds
};

Spec build_spec(const SpecInputs& in);

// x86 IOMMU address spaces are described, as rust-sel4's capDL types do,
// as a tree of this many IO page-table levels under a 39-bit IO address
// space (IOSpace slot 0 holds its root); level 0 is the root.
inline constexpr uint32_t kCapdlIoptLevels = 3;

// The level of the page tables whose entries map 4 KiB pages (see
// Object::level): 3 on AArch64, 2 on RISC-V.
uint8_t last_table_level(board::Arch arch);

// The capDL identifier for a planner object name ("tcb:hello" ->
// "tcb_hello"): letters, digits and _ stay, anything else becomes _, and a
// name not starting with a letter gets "o_" in front.
std::string identifier(const std::string& name);

}  // namespace microkit::capdl
