// seL4 planning: every kernel object, capability and mapping of a system,
// placed at a physical address inside the untypeds the kernel will hand the
// initial task.
//
// plan_sel4() reads a Plan (plan.h), the kernel's facts and the predicted
// boot (kernel/boot_emulation.h), plus where the user image holds each PD's
// program pages and each prefilled MR's pages, and decides:
//   - the objects of each PD: TCB, scheduling context, reply, notification,
//     endpoint (when it serves PPCs or has children), CNode, VSpace, page
//     tables at every non-root level, frames for its stack and IPC buffer;
//   - the frames of each MR, of its page size; an MR with a fixed physical
//     address gets frames at exactly that address; a prefilled MR of 4 KiB
//     pages is mapped straight from the user image's frames (no copy);
//   - each PD's CSpace, slot by slot, as runtime/shared/pd_abi.h defines it,
//     with every badge; IRQ handlers; fault endpoints;
//   - a PD's virtual machine (hypervisor kernels): per vCPU a TCB, SC, empty
//     CNode and VCPU, faulting to the PD's endpoint with the vCPU id's fault
//     badge; one guest VSpace holding the VM's maps at guest-physical
//     addresses; the PD's caps to each vCPU's TCB and VCPU;
//   - where every object lives: objects are allocated inside the predicted
//     untypeds. seL4 retypes an untyped sequentially (each object at the
//     next offset aligned to its size), so each untyped gets an ordered
//     list of retypes, ascending in address, with padding untypeds where a
//     gap must be skipped to reach a fixed address.
//
// Invariants of a result (tests hold them): every object lies inside its
// untyped, aligned to its size, and overlaps no other; device untypeds hold
// only frames and padding; a fixed-address frame is at its address; the
// retype list of an untyped, replayed with seL4's watermark rule, puts every
// object exactly at its planned address. Running out of memory, or a fixed
// address no untyped covers, is an error naming the PD or MR and the numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/boot_emulation.h"
#include "kernel/kernel_package.h"
#include "plan/plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::plan {

enum class ObjType {
  Untyped,  // padding (a gap the initialiser retypes and never uses) or an <untyped> grant
  Tcb,
  SchedContext,
  Reply,
  Endpoint,
  Notification,
  CNode,
  VSpace,
  PageTable,
  Frame,    // 4 KiB, 2 MiB or 1 GiB: size_bits says which
  Vcpu,
  IoPageTable,  // x86-64 IOMMU page table
  EptRoot,      // x86-64 VT-x guest address space: EPT PML4
  EptTable,     // an EPT PDPT, PD or PT (covers_bits of its PageTableSlot says which)
};
const char* obj_type_name(ObjType t);

// One kernel object. User-image frames are objects too (source UserImage):
// they already exist (the kernel made them at boot) and are not retyped.
struct KernelObject {
  enum class Source { Untyped, UserImage };
  ObjType type = ObjType::Frame;
  Source source = Source::Untyped;
  std::string name;            // unique, e.g. "tcb:hello", "frame:uart:0"
  uint32_t size_bits = 0;      // log2 of the bytes the object occupies
  uint32_t cnode_slot_bits = 0;// CNode only: log2 of its slots
  uint64_t paddr = 0;
  size_t untyped = 0;          // Source::Untyped: index into BootResult::untypeds
  std::optional<size_t> pd;    // owner, for the report
  std::optional<size_t> mr;    // MR frames
  std::optional<Loc> grant_loc;// a <cspace> grant's element (untyped, empty cnode)
  uint64_t size() const { return uint64_t{1} << size_bits; }
};

struct CapRights {
  bool read = true, write = true, grant = true, grant_reply = true;
  friend bool operator==(const CapRights&, const CapRights&) = default;
};

// A capability the initialiser puts into a PD's CNode.
struct Cap {
  enum class Kind { Object, IrqHandler, Smc, SchedControl, IoPort };
  Kind kind = Kind::Object;
  uint64_t slot = 0;
  size_t object = 0;           // Kind::Object: index into Sel4Plan::objects
  size_t irq = 0;              // Kind::IrqHandler: index into Sel4Plan::irqs
  uint64_t cpu = 0;            // Kind::SchedControl: the core's SchedControl cap
  uint64_t first_port = 0, last_port = 0;  // Kind::IoPort: x86 ports [first, last]
  size_t ioport_owner = 0;     // Kind::IoPort: the PD whose <ioport> it is (a grant holds a copy)
  CapRights rights;
  uint64_t badge = 0;          // 0 = unbadged
  std::string what;            // for the report, e.g. "ppc 3 -> server"
};

// A page-table object of a PD's VSpace, covering [vaddr, vaddr + 2^covers_bits).
struct PageTableSlot {
  size_t object = 0;
  uint64_t vaddr = 0;
  uint32_t covers_bits = 0;
};

// One frame mapped into a PD.
struct FrameMapping {
  size_t object = 0;
  uint64_t vaddr = 0;
  bool read = true, write = true, execute = false;
  bool cached = true;
  std::string what;            // "program", "stack", "ipc buffer", or the MR's name
};

struct IrqHandler {
  size_t pd = 0;
  uint64_t channel = 0;
  uint64_t irq = 0;            // x86: the vector
  sdf::Trigger trigger = sdf::Trigger::Level;
  ChannelSlot source;          // x86: IOAPIC pin or MSI (irq_kind and its fields)
  size_t notification = 0;     // object the handler signals
  uint64_t badge = 0;          // 1 << channel
};

// One vCPU of a VM: a thread (TCB, its own SC on the vCPU's core, an empty
// CNode the kernel insists on) bound to an ARM VCPU object; it starts
// suspended and its faults go to the VMM's endpoint with the fault badge of
// its id.
struct VcpuObjects {
  uint64_t id = 0;
  uint64_t cpu = 0;
  size_t tcb = 0, sc = 0, cnode = 0, vcpu = 0;
  // False on x86 VT-x: `tcb` is the VMM's own TCB, which enters the guest;
  // sc and cnode are unused.
  bool own_thread = true;
};
constexpr uint32_t kVmCNodeSlotBits = 1;  // the smallest CNode seL4 makes; nothing is ever put in it

// A VM's guest address space (stage 2 on a hypervisor kernel) and vCPUs.
struct VmObjects {
  size_t vspace = 0;                       // a VSpace (stage 2), or an EptRoot
  bool ept = false;                        // x86 VT-x: EPT root and tables
  std::vector<PageTableSlot> page_tables;  // by (covers_bits desc, vaddr)
  std::vector<FrameMapping> mappings;      // by guest-physical address
  std::vector<VcpuObjects> vcpus;          // SDF order
};

struct PdObjects {
  size_t tcb = 0, sc = 0, reply = 0, notification = 0, cnode = 0, vspace = 0;
  std::optional<size_t> endpoint;
  size_t ipc_buffer = 0;       // the frame object
  uint64_t ipc_buffer_vaddr = 0;
  uint64_t entry = 0;
  uint64_t stack_top = 0;
  // Where the TCB's faults go (an endpoint object) and with which badge.
  size_t fault_endpoint = 0;
  uint64_t fault_badge = 0;
  // Debug configurations: a parent holds the initial task's endpoint
  // (MICROKIT_PD_SLOT_FAULT_REPORT, report badge) and sends each child's
  // fault there for a report before its fault() runs.
  bool reports_child_faults = false;
  std::vector<PageTableSlot> page_tables;  // by (covers_bits desc, vaddr)
  std::vector<FrameMapping> mappings;      // by vaddr
  std::vector<Cap> caps;                   // by slot
  std::optional<VmObjects> vm;             // the PD's <virtual_machine>
};

// The retype list of one untyped, in the order the initialiser must run it.
struct UntypedUse {
  std::vector<size_t> objects;  // ascending paddr; padding objects included
  uint64_t used = 0;            // bytes of real objects (padding excluded)
  uint64_t watermark = 0;       // paddr after the last object
};

// A frame of a prefilled MR bigger than the user image's 4 KiB pages: the
// initial task copies its bytes from the user image (FillFrame step).
struct FrameFill {
  size_t object = 0;       // the frame (Source::Untyped)
  uint64_t src_paddr = 0;  // where its bytes start in the user image
  uint64_t length = 0;     // bytes to copy (the rest stays zero)
};

// A frame of a prefill_bootinfo MR (x86): the initial task copies bytes
// [chunk_offset, + 4 KiB) of the bootinfo chunk into it at boot.
struct BootInfoFill {
  size_t object = 0;  // the 4 KiB frame
  uint32_t chunk_id = 0;
  uint64_t chunk_offset = 0;
};

// One 4 KiB frame of an <iomap>.
struct IoFrameMapping {
  size_t object = 0;
  uint64_t iovaddr = 0;
  bool read = true, write = true;
};

// An IOMMU address space (x86 <io_address_space>): its frames. Its IO page
// tables come from Sel4Plan::io_page_tables, shared by all spaces, because
// the table depth is known only at boot.
struct IoSpacePlan {
  uint64_t pci_address = 0;
  uint64_t domain_id = 0;
  std::vector<IoFrameMapping> maps;  // by iovaddr
};

// `--gdb-stub`: a range of target memory the debugger has in its window
// (runtime/shared/gdb_abi.h): target number, MR index + 1 (0: program,
// stack or IPC buffer), the target's address and size.
struct DebuggerRange {
  size_t target = 0;
  size_t mr = 0;
  uint64_t vaddr = 0;
  uint64_t size = 0;
};

struct Sel4Plan {
  std::vector<kernel::UntypedObject> untypeds;  // the predicted boot's list
  std::vector<KernelObject> objects;
  std::vector<PdObjects> pds;                   // parallel to Plan::pds
  std::vector<std::vector<size_t>> mr_frames;   // parallel to Plan::mrs
  std::vector<uint64_t> mr_paddr;               // parallel to Plan::mrs
  std::vector<IrqHandler> irqs;
  std::vector<FrameFill> frame_fills;           // in MR order
  std::vector<BootInfoFill> bootinfo_fills;     // x86 prefill_bootinfo, in MR order
  std::vector<IoSpacePlan> io_spaces;           // parallel to Plan::io_spaces
  // IO page tables for every IO space at the deepest page-table layout
  // seL4 may pick (6 levels), at consecutive addresses of one untyped so
  // that they get consecutive slots (one Retype).
  std::vector<size_t> io_page_tables;
  std::vector<UntypedUse> untyped_use;          // parallel to untypeds
  size_t monitor_endpoint = 0;                  // the initialiser's: faults and passive PDs
  size_t initialiser_reply = 0;                 // the Reply object it receives faults with
  std::vector<DebuggerRange> debugger_ranges;   // --gdb-stub: by target, then vaddr
  // x86-64 (RAM found at boot): `untypeds` are the planned ones, each used
  // one shrunk to the aligned block its objects need; the initialiser binds
  // them to real untypeds (initialiser_spec.h, BindUntyped).
  bool bound_untypeds = false;
  uint64_t normal_memory = 0;                   // bytes in non-device untypeds
  uint64_t normal_used = 0;                     // bytes of them taken by objects (incl. alignment)
};

// Where the user image holds a PD's program: one 4 KiB page per entry,
// covering every PT_LOAD segment's memsz (page-aligned).
struct UserImagePage {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  bool read = true, write = false, execute = false;
};
struct PdImage {
  uint64_t entry = 0;
  std::vector<UserImagePage> pages;  // ascending vaddr, no duplicates
};

struct Sel4Inputs {
  const kernel::KernelPackage* package = nullptr;
  const kernel::BootFacts* facts = nullptr;
  const kernel::BootResult* boot = nullptr;
  std::vector<PdImage> pd_images;                 // parallel to Plan::pds
  // Prefilled MRs: paddr in the user image of each of its 4 KiB pages
  // (size / 4 KiB of them); empty for MRs without prefill.
  std::vector<std::vector<uint64_t>> mr_prefill_pages;  // parallel to Plan::mrs
  // For diagnostics' locations (optional): the SDF the Plan came from.
  const sdf::SystemDescription* sdf = nullptr;
};

std::optional<Sel4Plan> plan_sel4(const Plan& plan, const Sel4Inputs& in, Diagnostics& diags);

// Replays seL4's retype rule over an untyped's list: returns the address
// each object would get (padding included), for tests and the spec writer's
// self-check.
std::vector<uint64_t> replay_retypes(const Sel4Plan& sp, size_t untyped);

}  // namespace microkit::plan
