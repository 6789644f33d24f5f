// spec_writer: Plan + seL4 plan -> initialiser spec bytes (see spec_writer.h).
#include "sel4/spec_writer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "arch/arch.h"
#include "kernel/initialiser_facts.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sdf/domain_schedule.h"

namespace microkit::sel4 {
namespace {

namespace is = initialiser_spec;
using plan::KernelObject;
using plan::ObjType;

constexpr uint64_t kRootCNode = 2;      // seL4_CapInitThreadCNode
constexpr uint64_t kRootTcb = 1;        // seL4_CapInitThreadTCB
constexpr uint64_t kSmcCap = 15;        // seL4_CapSMC
constexpr uint64_t kRootDepth = 64;

// Who a root slot is for, so that running out of slots can name the PDs
// and MRs that take the most.
struct Owner {
  std::optional<size_t> pd, mr;
};

struct Writer {
  const SpecInputs& in;
  Diagnostics& diags;
  std::vector<is::Step> steps;
  std::vector<uint64_t> slot_of;  // per object; 0 = not in a root slot (yet)
  uint64_t next_slot = 0;
  bool out_of_slots = false;
  uint64_t slots_wanted = 0;  // every slot asked for, also past the end
  std::vector<uint64_t> pd_slots = {}, mr_slots = {};  // slots taken per PD and per MR
  std::vector<uint64_t> irq_handler_slot = {};  // per Sel4Plan::irqs; 0 = not issued yet
  std::map<uint64_t, uint64_t> ioport_slot = {};  // first port -> root slot of its issued cap
};

uint64_t new_slot(Writer& w, Owner owner) {
  ++w.slots_wanted;
  // Slots of neither (the initialiser's own objects, padding) are not named.
  if (owner.mr) ++w.mr_slots[*owner.mr];
  else if (owner.pd) ++w.pd_slots[*owner.pd];
  if (w.next_slot >= w.in.boot->empty.end) {
    w.out_of_slots = true;
    return w.in.boot->empty.end - 1;
  }
  return w.next_slot++;
}

Owner owner_of(const KernelObject& o) { return {o.pd, o.mr}; }
Owner pd_owner(size_t pd) { return {pd, std::nullopt}; }

template <class T>
void push(Writer& w, const T& step) {
  static_assert(sizeof(T) == sizeof(is::Step));
  is::Step raw;
  std::memcpy(&raw, &step, sizeof raw);
  w.steps.push_back(raw);
}

is::ObjectKind kind_of(const KernelObject& o) {
  switch (o.type) {
    case ObjType::Untyped: return is::ObjectKind::Untyped;
    case ObjType::Tcb: return is::ObjectKind::Tcb;
    case ObjType::SchedContext: return is::ObjectKind::SchedContext;
    case ObjType::Reply: return is::ObjectKind::Reply;
    case ObjType::Endpoint: return is::ObjectKind::Endpoint;
    case ObjType::Notification: return is::ObjectKind::Notification;
    case ObjType::CNode: return is::ObjectKind::CNode;
    case ObjType::VSpace: return is::ObjectKind::VSpace;
    case ObjType::PageTable: return is::ObjectKind::PageTable;
    case ObjType::Vcpu: return is::ObjectKind::Vcpu;
    case ObjType::IoPageTable: return is::ObjectKind::IoPageTable;
    case ObjType::EptRoot: return is::ObjectKind::EptPml4;
    case ObjType::EptTable: return is::ObjectKind::EptPt;  // the level: retype_kind
    case ObjType::Frame:
      return o.size_bits >= 30 ? is::ObjectKind::HugePage
           : o.size_bits >= 21 ? is::ObjectKind::LargePage
                               : is::ObjectKind::SmallPage;
  }
  return is::ObjectKind::Untyped;
}

// The bits a page table covers, from its PD's list of tables.
uint32_t covers_of(const plan::Sel4Plan& sp, size_t obj) {
  const KernelObject& o = sp.objects[obj];
  if (!o.pd) return 21;
  const auto& po = sp.pds[*o.pd];
  for (const auto& pt : po.page_tables)
    if (pt.object == obj) return pt.covers_bits;
  if (po.vm)
    for (const auto& pt : po.vm->page_tables)
      if (pt.object == obj) return pt.covers_bits;
  return 21;
}

// The size_bits argument of Retype for this object (0 for fixed-size ones).
uint64_t retype_size_arg(const KernelObject& o) {
  switch (o.type) {
    case ObjType::Untyped: return o.size_bits;
    case ObjType::SchedContext: return o.size_bits;
    case ObjType::CNode: return o.cnode_slot_bits;
    default: return 0;
  }
}

uint32_t rights_mask(const plan::CapRights& r) {
  return (r.read ? is::kRightRead : 0) | (r.write ? is::kRightWrite : 0) |
         (r.grant ? is::kRightGrant : 0) | (r.grant_reply ? is::kRightGrantReply : 0);
}

// Bound untypeds (x86-64): one BindUntyped per used planned untyped, before
// any Retype. RAM ones largest first (the initialiser carves them from the
// real untypeds without losing space to alignment), then device ones by
// address (several may come from one real device untyped, in order).
void emit_binds(Writer& w) {
  const auto& sp = *w.in.sel4;
  if (!sp.bound_untypeds) return;
  std::vector<size_t> ram, device;
  for (size_t u = 0; u < sp.untypeds.size(); ++u) {
    if (sp.untyped_use[u].objects.empty()) continue;
    (sp.untypeds[u].is_device ? device : ram).push_back(u);
  }
  std::stable_sort(ram.begin(), ram.end(),
                   [&](size_t a, size_t b) { return sp.untypeds[a].size_bits > sp.untypeds[b].size_bits; });
  std::stable_sort(device.begin(), device.end(),
                   [&](size_t a, size_t b) { return sp.untypeds[a].paddr < sp.untypeds[b].paddr; });
  // Padding before a device block: at most two blocks per size between
  // seL4_MinUntypedBits and seL4_MaxUntypedBits.
  const auto& sizes = w.in.package->sizes;
  uint64_t device_carve = 1 + 2 * uint64_t(sizes.max_untyped - sizes.min_untyped);
  for (const auto* list : {&ram, &device}) {
    for (size_t u : *list) {
      is::BindUntypedStep s{};
      s.kind = uint32_t(is::StepKind::BindUntyped);
      s.untyped_index = u;
      s.size_bits = sp.untypeds[u].size_bits;
      s.carve_count = sp.untypeds[u].is_device ? device_carve : 1;
      s.carve_slot = w.next_slot;
      for (uint64_t k = 0; k < s.carve_count; ++k) new_slot(w, {});
      push(w, s);
    }
  }
}

is::ObjectKind table_kind_of(const SpecInputs& in, uint32_t covers_bits) {
  switch (arch::traits(in.package->config.arch)->table_kind(covers_bits)) {
    case arch::TableKind::X86Pdpt: return is::ObjectKind::X86Pdpt;
    case arch::TableKind::X86PageDirectory: return is::ObjectKind::X86PageDirectory;
    default: break;  // PageTable (EPT kinds: ept_kind_of)
  }
  return is::ObjectKind::PageTable;
}

// An EPT table's kind by the bits it covers (x86 VT-x guests).
is::ObjectKind ept_kind_of(const SpecInputs& in, uint32_t covers_bits) {
  switch (arch::traits(in.package->config.arch)->ept_table_kind(covers_bits)) {
    case arch::TableKind::EptPdpt: return is::ObjectKind::EptPdpt;
    case arch::TableKind::EptPd: return is::ObjectKind::EptPd;
    default: break;
  }
  return is::ObjectKind::EptPt;
}

// The object kind a Retype makes: page tables by their level.
is::ObjectKind retype_kind(const SpecInputs& in, size_t obj) {
  const KernelObject& o = in.sel4->objects[obj];
  if (o.type == ObjType::PageTable) return table_kind_of(in, covers_of(*in.sel4, obj));
  if (o.type == ObjType::EptTable) return ept_kind_of(in, covers_of(*in.sel4, obj));
  return kind_of(o);
}

// Runs of objects of one kind and size become one Retype, cut at the
// kernel's fan-out limit (seL4_Untyped_Retype refuses more objects than
// CONFIG_RETYPE_FAN_OUT_LIMIT with seL4_RangeError).
void emit_retypes(Writer& w) {
  const auto& sp = *w.in.sel4;
  size_t fan_out = std::max<uint32_t>(1, w.in.package->config.retype_fan_out_limit);
  for (size_t u = 0; u < sp.untyped_use.size(); ++u) {
    const auto& list = sp.untyped_use[u].objects;
    for (size_t k = 0; k < list.size();) {
      const KernelObject& first = sp.objects[list[k]];
      size_t run = 1;
      while (run < fan_out && k + run < list.size() && sp.objects[list[k + run]].type == first.type &&
             sp.objects[list[k + run]].size_bits == first.size_bits &&
             retype_kind(w.in, list[k + run]) == retype_kind(w.in, list[k]))
        ++run;
      is::RetypeStep s{};
      s.kind = uint32_t(is::StepKind::Retype);
      s.object_kind = uint32_t(retype_kind(w.in, list[k]));
      s.untyped_index = u;
      s.size_bits = retype_size_arg(first);
      s.count = run;
      s.dest_slot = w.next_slot;
      for (size_t j = 0; j < run; ++j) w.slot_of[list[k + j]] = new_slot(w, owner_of(sp.objects[list[k + j]]));
      push(w, s);
      k += run;
    }
  }
}

uint64_t user_image_slot(const Writer& w, const KernelObject& o) {
  return w.in.boot->user_image_frames.start + (o.paddr - w.in.user_image_paddr) / 4096;
}

void emit_copy(Writer& w, is::StepKind kind, uint64_t src, uint64_t cnode, uint64_t index,
               uint64_t depth, uint32_t rights, uint64_t badge) {
  is::CapStep s{};
  s.kind = uint32_t(kind);
  s.rights = rights;
  s.src_slot = src;
  s.dest_cnode_slot = cnode;
  s.dest_index = index;
  s.dest_depth = depth;
  s.badge = badge;
  push(w, s);
}

// A root slot holding a cap to this frame that is not mapped yet.
uint64_t frame_cap_to_map(Writer& w, std::optional<size_t> pd, size_t obj, std::vector<bool>& used) {
  const KernelObject& o = w.in.sel4->objects[obj];
  bool original_free = o.source == KernelObject::Source::Untyped && !used[obj];
  used[obj] = true;
  if (original_free) return w.slot_of[obj];
  uint64_t src = o.source == KernelObject::Source::UserImage ? user_image_slot(w, o) : w.slot_of[obj];
  uint64_t dest = new_slot(w, {pd, o.mr});
  emit_copy(w, is::StepKind::Copy, src, kRootCNode, dest, kRootDepth, is::kRightsAll, 0);
  return dest;
}

// An address space: ASID, page tables, frames. A PD's, or a VM's guest
// address space (stage 2 on a hypervisor kernel: vaddr is guest-physical).
void emit_address_space(Writer& w, size_t pd, size_t vspace_object, const std::vector<plan::PageTableSlot>& tables,
                        const std::vector<plan::FrameMapping>& mappings, std::vector<bool>& used) {
  uint64_t vspace = w.slot_of[vspace_object];
  is::AsidPoolAssignStep a{};
  a.kind = uint32_t(is::StepKind::AsidPoolAssign);
  a.vspace_slot = vspace;
  push(w, a);
  for (const auto& pt : tables) {
    is::MapPageTableStep s{};
    s.kind = uint32_t(is::StepKind::MapPageTable);
    s.pt_slot = w.slot_of[pt.object];
    is::ObjectKind table = table_kind_of(w.in, pt.covers_bits);
    s.table_kind = table == is::ObjectKind::PageTable ? 0 : uint32_t(table);
    s.vspace_slot = vspace;
    s.vaddr = pt.vaddr;
    push(w, s);
  }
  for (const auto& m : mappings) {
    is::MapFrameStep s{};
    s.kind = uint32_t(is::StepKind::MapFrame);
    s.frame_slot = frame_cap_to_map(w, pd, m.object, used);
    s.rights = (m.read ? is::kRightRead : 0) | (m.write ? is::kRightWrite : 0);
    s.vspace_slot = vspace;
    s.vaddr = m.vaddr;
    s.attributes = (m.cached ? is::kMapCacheable : 0) | (m.execute ? is::kMapExecutable : 0);
    push(w, s);
  }
}

// An x86 VT-x guest's address space: the EPT PML4 gets an ASID like a
// VSpace, then its tables and the guest's frames go in with the EPT map
// invocations (vaddr is guest-physical).
void emit_ept_space(Writer& w, size_t pd, const plan::VmObjects& vo, std::vector<bool>& used) {
  uint64_t pml4 = w.slot_of[vo.vspace];
  is::AsidPoolAssignStep a{};
  a.kind = uint32_t(is::StepKind::AsidPoolAssign);
  a.vspace_slot = pml4;
  push(w, a);
  for (const auto& pt : vo.page_tables) {
    is::EptMapStep s{};
    s.kind = uint32_t(is::StepKind::EptMap);
    s.object_kind = uint32_t(ept_kind_of(w.in, pt.covers_bits));
    s.object_slot = w.slot_of[pt.object];
    s.pml4_slot = pml4;
    s.gpa = pt.vaddr;
    push(w, s);
  }
  for (const auto& m : vo.mappings) {
    is::EptMapStep s{};
    s.kind = uint32_t(is::StepKind::EptMap);
    s.object_kind = uint32_t(kind_of(w.in.sel4->objects[m.object]));
    s.object_slot = frame_cap_to_map(w, pd, m.object, used);
    s.pml4_slot = pml4;
    s.gpa = m.vaddr;
    s.rights = (m.read ? is::kRightRead : 0) | (m.write ? is::kRightWrite : 0);
    s.attributes = (m.cached ? is::kMapCacheable : 0) | (m.execute ? is::kMapExecutable : 0);
    push(w, s);
  }
}

void emit_vspace(Writer& w, size_t pd, std::vector<bool>& used) {
  const auto& po = w.in.sel4->pds[pd];
  emit_address_space(w, pd, po.vspace, po.page_tables, po.mappings, used);
  if (!po.vm) return;
  if (po.vm->ept)
    emit_ept_space(w, pd, *po.vm, used);
  else
    emit_address_space(w, pd, po.vm->vspace, po.vm->page_tables, po.vm->mappings, used);
}

// Where the initial task maps a 2 MiB frame to fill it: the 2 MiB block
// just below the user image. The image starts at 4 MiB (initialiser.ld),
// so the level-2 table the kernel made for it covers that block too, and
// nothing is mapped there. (No board here has 1 GiB pages; such frames
// would need a free level-1 entry and are refused until one does.)
std::optional<uint64_t> scratch_vaddr(const Writer& w, uint32_t bits) {
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  uint64_t size = uint64_t{1} << bits;
  uint64_t ui = w.in.user_image_vaddr;
  if (bits == 21 && ui >= 2 * size && (ui - size) / kGiB == ui / kGiB) return ui - size;
  return std::nullopt;
}

// Prefilled MRs with pages over 4 KiB: their frames get the bytes now,
// before any PD maps them.
void emit_fills(Writer& w) {
  for (const plan::FrameFill& f : w.in.sel4->frame_fills) {
    const KernelObject& o = w.in.sel4->objects[f.object];
    auto scratch = scratch_vaddr(w, o.size_bits);
    if (!scratch) {
      w.diags.error("prefill-page-size", {}, {},
                    "frame " + o.name + " (" + std::to_string(o.size()) + " bytes) of a prefilled memory "
                    "region cannot be filled: the initial task maps only 2 MiB frames to fill them",
                    "give the prefilled memory region page_size=\"0x1000\" or \"0x200000\"");
      continue;
    }
    is::FillFrameStep s{};
    s.kind = uint32_t(is::StepKind::FillFrame);
    s.size_bits = o.size_bits;
    s.frame_slot = w.slot_of[f.object];
    s.src_vaddr = w.in.user_image_vaddr + (f.src_paddr - w.in.user_image_paddr);
    s.length = f.length;
    s.scratch_vaddr = *scratch;
    push(w, s);
  }
}

// x86: an IOAPIC pin or an MSI at its vector, into root slot `handler`.
void emit_x86_irq_issue(Writer& w, const plan::IrqHandler& irq, uint64_t handler) {
  const plan::ChannelSlot& src = irq.source;
  is::X86IrqIssueStep s{};
  s.kind = uint32_t(is::StepKind::X86IrqIssue);
  s.dest_cnode_slot = kRootCNode;
  s.dest_index = handler;
  s.dest_depth = kRootDepth;
  s.vector = irq.irq;
  if (src.irq_kind == sdf::Irq::Kind::IoApic) {
    s.source = is::kX86IrqIoApic;
    s.a = src.ioapic;
    s.b = src.pin;
    s.c = (irq.trigger == sdf::Trigger::Level ? is::kX86IrqLevel : 0) |
          (src.polarity == sdf::Polarity::Low ? is::kX86IrqActiveLow : 0);
  } else {
    s.source = is::kX86IrqMsi;
    s.a = src.pci_address;
    s.b = src.msi_handle;
  }
  push(w, s);
}

// An IRQ given by number (every architecture's IRQ but x86's IOAPIC and MSI
// ones), into root slot `handler`.
void emit_irq_issue(Writer& w, const plan::IrqHandler& irq, uint64_t handler) {
  is::IrqIssueStep s{};
  s.kind = uint32_t(is::StepKind::IrqIssue);
  s.trigger = irq.trigger == sdf::Trigger::Edge ? is::kTriggerEdge : is::kTriggerLevel;
  s.irq = irq.irq;
  s.dest_cnode_slot = kRootCNode;
  s.dest_index = handler;
  s.dest_depth = kRootDepth;
  push(w, s);
}

// The root slot of an IRQ's handler, issued, bound to its owner's
// notification and acked the first time a CSpace needs it (the owner's, or
// a PD's granted by <cap_irq>, whichever comes first).
uint64_t irq_handler(Writer& w, size_t index) {
  if (w.irq_handler_slot[index]) return w.irq_handler_slot[index];
  const auto& irq = w.in.sel4->irqs[index];
  uint64_t handler = new_slot(w, pd_owner(irq.pd));
  if (irq.source.irq_kind != sdf::Irq::Kind::Number) {
    emit_x86_irq_issue(w, irq, handler);
  } else {
    emit_irq_issue(w, irq, handler);
  }
  uint64_t badged = new_slot(w, pd_owner(irq.pd));
  emit_copy(w, is::StepKind::Mint, w.slot_of[irq.notification], kRootCNode, badged, kRootDepth,
            is::kRightWrite, irq.badge);
  is::TcbPairStep bind{};
  bind.kind = uint32_t(is::StepKind::IrqSetNotification);
  bind.a_slot = handler;
  bind.b_slot = badged;
  push(w, bind);
  is::SingleSlotStep ack{};
  ack.kind = uint32_t(is::StepKind::IrqAck);
  ack.slot = handler;
  push(w, ack);
  return w.irq_handler_slot[index] = handler;
}

void emit_irq(Writer& w, size_t pd, const plan::Cap& cap) {
  emit_copy(w, is::StepKind::Copy, irq_handler(w, cap.irq), w.slot_of[w.in.sel4->pds[pd].cnode], cap.slot,
            pd_abi::kCNodeBits, is::kRightsAll, 0);
}

// The root slot of an x86 port range's cap, issued the first time a CSpace
// needs it: seL4 issues a range once, so the owner and every <cap_ioport>
// holder get copies of this one cap.
uint64_t ioport(Writer& w, const plan::Cap& cap) {
  auto it = w.ioport_slot.find(cap.first_port);
  if (it != w.ioport_slot.end()) return it->second;
  uint64_t slot = new_slot(w, pd_owner(cap.ioport_owner));
  is::X86IoPortIssueStep s{};
  s.kind = uint32_t(is::StepKind::X86IoPortIssue);
  s.first_port = cap.first_port;
  s.last_port = cap.last_port;
  s.dest_cnode_slot = kRootCNode;
  s.dest_index = slot;
  s.dest_depth = kRootDepth;
  push(w, s);
  return w.ioport_slot[cap.first_port] = slot;
}

void emit_cspace(Writer& w, size_t pd) {
  const auto& po = w.in.sel4->pds[pd];
  uint64_t cnode = w.slot_of[po.cnode];
  for (const plan::Cap& cap : po.caps) {
    switch (cap.kind) {
      case plan::Cap::Kind::IrqHandler: emit_irq(w, pd, cap); break;
      case plan::Cap::Kind::SchedControl:
        emit_copy(w, is::StepKind::Copy, w.in.boot->sched_control.start + cap.cpu, cnode, cap.slot,
                  pd_abi::kCNodeBits, is::kRightsAll, 0);
        break;
      case plan::Cap::Kind::Smc:
        emit_copy(w, is::StepKind::Copy, kSmcCap, cnode, cap.slot, pd_abi::kCNodeBits,
                  is::kRightsAll, 0);
        break;
      case plan::Cap::Kind::IoPort:
        emit_copy(w, is::StepKind::Copy, ioport(w, cap), cnode, cap.slot, pd_abi::kCNodeBits,
                  is::kRightsAll, 0);
        break;
      case plan::Cap::Kind::Object: {
        // A prefilled MR's frames (granted by <cap_mr>) are the boot image's.
        const KernelObject& o = w.in.sel4->objects[cap.object];
        uint64_t src = o.source == KernelObject::Source::UserImage ? user_image_slot(w, o)
                                                                    : w.slot_of[cap.object];
        emit_copy(w, cap.badge ? is::StepKind::Mint : is::StepKind::Copy, src, cnode, cap.slot,
                  pd_abi::kCNodeBits, rights_mask(cap.rights), cap.badge);
        break;
      }
    }
  }
}

// x86 prefill_bootinfo MRs: each frame gets its share of the chunk now,
// before any PD maps it.
void emit_bootinfo_fills(Writer& w) {
  for (const plan::BootInfoFill& f : w.in.sel4->bootinfo_fills) {
    is::X86BootInfoFillStep s{};
    s.kind = uint32_t(is::StepKind::X86BootInfoFill);
    s.chunk_id = f.chunk_id;
    s.frame_slot = w.slot_of[f.object];
    s.chunk_offset = f.chunk_offset;
    push(w, s);
  }
}

// The IO page table pool's first root slot: the planner put the tables at
// consecutive addresses of one untyped, so one Retype gave them consecutive
// slots; anything else is a tool bug, reported.
std::optional<uint64_t> io_pool_start(Writer& w) {
  const auto& pool = w.in.sel4->io_page_tables;
  if (pool.empty()) return 0;
  for (size_t k = 1; k < pool.size(); ++k) {
    if (w.slot_of[pool[k]] == w.slot_of[pool[0]] + k) continue;
    w.diags.error("io-page-table-slots", {}, {}, "the IO page tables did not get consecutive slots",
                  "this is a bug in the tool; please report it");
    return std::nullopt;
  }
  return w.slot_of[pool[0]];
}

// IOMMU address spaces: an IOSpace cap per space (minted with its first
// map) and every frame mapped at its iovaddr (a copy of the frame cap when
// the original is mapped into a PD already).
void emit_io_spaces(Writer& w, std::vector<bool>& used) {
  auto pool = io_pool_start(w);
  if (!pool) return;
  for (const plan::IoSpacePlan& space : w.in.sel4->io_spaces) {
    if (space.maps.empty()) continue;
    uint64_t iospace = new_slot(w, {});
    bool first = true;
    for (const plan::IoFrameMapping& m : space.maps) {
      is::X86IoMapFrameStep s{};
      s.kind = uint32_t(is::StepKind::X86IoMapFrame);
      s.rights = (m.read ? is::kRightRead : 0) | (m.write ? is::kRightWrite : 0);
      s.frame_slot = frame_cap_to_map(w, {}, m.object, used);
      s.iospace_slot = iospace;
      s.iovaddr = m.iovaddr;
      s.iospace_data = first ? space.domain_id << 16 | space.pci_address : 0;
      s.iopt_pool_start = *pool;
      s.iopt_pool_count = w.in.sel4->io_page_tables.size();
      push(w, s);
      first = false;
    }
  }
}

// fpu="false" (a kernel without an FPU has nothing to turn off) and the
// PD's domain (<domains>).
void emit_thread_extras(Writer& w, const plan::Pd& p, uint64_t tcb) {
  if (!p.fpu && w.in.package->config.have_fpu) {
    is::TcbSetFlagsStep f{};
    f.kind = uint32_t(is::StepKind::TcbSetFlags);
    f.tcb_slot = tcb;
    f.set = is::kTcbFlagFpuDisabled;
    push(w, f);
  }
  if (p.domain) {
    is::DomainSetStep d{};
    d.kind = uint32_t(is::StepKind::DomainSet);
    d.tcb_slot = tcb;
    d.domain = *p.domain;
    push(w, d);
  }
}

is::DomainScheduleConfigureStep schedule_entry(uint64_t index, uint64_t domain, uint64_t ticks) {
  is::DomainScheduleConfigureStep e{};
  e.kind = uint32_t(is::StepKind::DomainScheduleConfigure);
  e.index = index;
  e.domain = domain;
  e.duration = ticks;
  return e;
}

// The domain schedule, after every thread is resumed: the switch to it
// happens at once, and the initial task then runs only in domain 0's slots.
// At boot the kernel starts at entry 0 (domain 0, endless); entry 0 may only
// become an end marker once the start has moved away from it.
void emit_domain_schedule(Writer& w) {
  const auto& sched = w.in.plan->domain_schedule;
  if (!sched) return;
  auto hz = w.in.package->config.timer_frequency;
  std::optional<is::DomainScheduleConfigureStep> deferred;
  for (size_t k = 0; k < sched->slots.size(); ++k) {
    const plan::ScheduleSlot& slot = sched->slots[k];
    uint64_t index = sched->index_shift + k;
    uint64_t ticks = 0;
    if (!slot.end_marker) {
      sdf::ScheduleEntry e;
      e.duration = slot.duration;
      e.unit = slot.unit;
      auto t = hz || slot.unit == sdf::ScheduleEntry::Unit::Ticks ? sdf::schedule_ticks(e, hz.value_or(0))
                                                                  : std::nullopt;
      if (!t || *t == 0) {
        w.diags.error("domain-schedule-duration", {}, {},
                      "domain schedule entry " + std::to_string(k) +
                          " cannot be given to the kernel in timer ticks",
                      "give its duration in ticks, or use a kernel package with TIMER_FREQUENCY");
        continue;
      }
      ticks = *t;
    }
    auto step = schedule_entry(index, slot.end_marker ? 0 : slot.domain, ticks);
    if (index == 0 && slot.end_marker) deferred = step;
    else push(w, step);
  }
  is::DomainScheduleSetStartStep start{};
  start.kind = uint32_t(is::StepKind::DomainScheduleSetStart);
  start.index = sched->index_shift + sched->start_index;
  push(w, start);
  if (deferred) push(w, *deferred);
}

// A thread's scheduling context on `core`, configured with its budget and period.
void emit_sched_context(Writer& w, uint64_t core, size_t sc_object, uint64_t budget_us, uint64_t period_us) {
  is::SchedControlConfigureStep sc{};
  sc.kind = uint32_t(is::StepKind::SchedControlConfigure);
  sc.core = core;
  sc.sc_slot = w.slot_of[sc_object];
  sc.budget_us = budget_us;
  sc.period_us = period_us;
  push(w, sc);
}

// A thread's priority (also its maximum), SC and fault endpoint: `endpoint`
// minted with `badge` into a new root slot owned by PD `pd`.
void emit_sched_params(Writer& w, size_t pd, uint64_t tcb, uint64_t priority, size_t sc_object,
                       size_t endpoint, uint64_t badge) {
  uint64_t fault = new_slot(w, pd_owner(pd));
  emit_copy(w, is::StepKind::Mint, w.slot_of[endpoint], kRootCNode, fault, kRootDepth,
            is::kRightWrite | is::kRightGrant | is::kRightGrantReply, badge);
  is::TcbSetSchedParamsStep sched{};
  sched.kind = uint32_t(is::StepKind::TcbSetSchedParams);
  sched.tcb_slot = tcb;
  sched.authority_slot = kRootTcb;
  sched.mcp = priority;
  sched.priority = priority;
  sched.sc_slot = w.slot_of[sc_object];
  sched.fault_ep_slot = fault;
  push(w, sched);
}

void emit_thread(Writer& w, size_t pd) {
  const plan::Pd& p = w.in.plan->pds[pd];
  const auto& po = w.in.sel4->pds[pd];
  uint64_t tcb = w.slot_of[po.tcb];
  emit_sched_context(w, p.cpu, po.sc, p.budget_us, p.period_us);
  is::TcbConfigureStep cfg{};
  cfg.kind = uint32_t(is::StepKind::TcbConfigure);
  cfg.tcb_slot = tcb;
  cfg.cspace_slot = w.slot_of[po.cnode];
  cfg.cspace_data = pd_cnode_cap_data();
  cfg.vspace_slot = w.slot_of[po.vspace];
  cfg.ipc_buffer_vaddr = po.ipc_buffer_vaddr;
  cfg.ipc_buffer_slot = w.slot_of[po.ipc_buffer];
  push(w, cfg);
  is::TcbSetNameStep name{};  // kernel debug output names the PD
  name.kind = uint32_t(is::StepKind::TcbSetName);
  name.tcb_slot = tcb;
  name.pd_index = pd;
  push(w, name);
  emit_sched_params(w, pd, tcb, p.priority, po.sc, po.fault_endpoint, po.fault_badge);
  if (!p.late_load_mr) {  // a late-loaded PD's parent writes them when it starts it
    is::TcbWriteRegistersStep regs{};
    regs.kind = uint32_t(is::StepKind::TcbWriteRegisters);
    regs.tcb_slot = tcb;
    regs.pc = po.entry;
    regs.sp = po.stack_top;
    push(w, regs);
  }
  is::TcbPairStep bind{};
  bind.kind = uint32_t(is::StepKind::TcbBindNotification);
  bind.a_slot = tcb;
  bind.b_slot = w.slot_of[po.notification];
  push(w, bind);
  emit_thread_extras(w, p, tcb);
  if (!p.passive) return;
  // A passive PD's SC drives its TCB through init() and is bound to its
  // notification too: the kernel returns it to the notification when the
  // PD first blocks, and a signal sent during init() is received on it.
  is::TcbPairStep lend{};
  lend.kind = uint32_t(is::StepKind::SchedContextBind);
  lend.a_slot = w.slot_of[po.sc];
  lend.b_slot = w.slot_of[po.notification];
  push(w, lend);
}

// The PD table's fault_badge (initialiser_spec.h): how the initial task
// recognises a fault of PD `pd`. A PD without a parent faults to it with its
// monitor badge; a child's fault comes from its parent (when that parent
// reports its children's faults) under the child's report key; else none.
uint64_t fault_key(const Writer& w, size_t pd) {
  const plan::Pd& p = w.in.plan->pds[pd];
  const auto& po = w.in.sel4->pds[pd];
  if (p.parent && w.in.sel4->pds[*p.parent].reports_child_faults)
    return pd_abi::report_key(*p.parent, p.child_id.value_or(0));
  return po.fault_endpoint == w.in.sel4->monitor_endpoint ? po.fault_badge : 0;
}

// Fault reports (debug kernels; runtime/initialiser/fault_report.h): for
// each PD whose faults the initial task reports, a cap copy of every stack
// frame (the backtrace's frame records) and of every frame its crash_dump
// names, with the page's vaddr; and a CrashDump step for each PD with
// crash_dump.
void emit_fault_pages(Writer& w) {
  const auto& cfg = w.in.package->config;
  if (!cfg.debug_build || !cfg.printing) return;
  for (size_t pd = 0; pd < w.in.plan->pds.size(); ++pd) {
    const plan::Pd& p = w.in.plan->pds[pd];
    if (p.parent && !w.in.sel4->pds[*p.parent].reports_child_faults) continue;
    for (const plan::FrameMapping& m : w.in.sel4->pds[pd].mappings) {
      const KernelObject& o = w.in.sel4->objects[m.object];
      uint32_t flags = 0;
      if (m.what == "stack") flags |= is::kFaultPageStack | (p.crash_dump.stack ? is::kFaultPageDump : 0);
      if (o.mr && p.crash_dump.mrs.count(w.in.plan->mrs[*o.mr].name)) flags |= is::kFaultPageDump;
      if (m.what == "program" && m.write && p.crash_dump.data) flags |= is::kFaultPageDump;
      if (flags == 0 || o.size_bits != 12) continue;
      uint64_t copy = new_slot(w, pd_owner(pd));
      uint64_t src = o.source == KernelObject::Source::UserImage ? user_image_slot(w, o) : w.slot_of[m.object];
      emit_copy(w, is::StepKind::Copy, src, kRootCNode, copy, kRootDepth, is::kRightRead, 0);
      is::FaultPageStep s{};
      s.kind = uint32_t(is::StepKind::FaultPage);
      s.flags = flags;
      s.pd_index = pd;
      s.frame_slot = copy;
      s.vaddr = m.vaddr;
      push(w, s);
    }
    if (!p.crash_dump.enabled) continue;
    is::CrashDumpStep d{};
    d.kind = uint32_t(is::StepKind::CrashDump);
    d.pd_index = pd;
    push(w, d);
  }
}

// x86 VT-x: the VMM's own TCB runs the vCPU and translates the guest's
// memory through the VM's EPT (seL4_TCB_SetEPTRoot needs the PML4's ASID,
// assigned by emit_vspace before).
void emit_vcpu_on_vmm_thread(Writer& w, const plan::VcpuObjects& v, const plan::VmObjects& vo) {
  is::TcbPairStep bind{};
  bind.kind = uint32_t(is::StepKind::VcpuSetTcb);
  bind.a_slot = w.slot_of[v.vcpu];
  bind.b_slot = w.slot_of[v.tcb];
  push(w, bind);
  is::TcbPairStep root{};
  root.kind = uint32_t(is::StepKind::TcbSetEptRoot);
  root.a_slot = w.slot_of[v.tcb];
  root.b_slot = w.slot_of[vo.vspace];
  push(w, root);
}

// A VM's vCPU threads: each with its own SC on its core, the guest
// address space, no IPC buffer, faults to the VMM's endpoint with the fault
// badge of the vCPU id, bound to its VCPU object. Never resumed here: the
// VMM starts a vCPU with microkit_vcpu_restart.
void emit_vcpu_threads(Writer& w, size_t pd) {
  const plan::Vm& vm = *w.in.plan->pds[pd].vm;
  const plan::VmObjects& vo = *w.in.sel4->pds[pd].vm;
  const auto& vmm = w.in.sel4->pds[pd];
  for (const plan::VcpuObjects& v : vo.vcpus) {
    uint64_t tcb = w.slot_of[v.tcb];
    if (!v.own_thread) {
      emit_vcpu_on_vmm_thread(w, v, vo);
      continue;
    }
    emit_sched_context(w, v.cpu, v.sc, vm.budget_us, vm.period_us);
    is::TcbConfigureStep cfg{};
    cfg.kind = uint32_t(is::StepKind::TcbConfigure);
    cfg.tcb_slot = tcb;
    cfg.cspace_slot = w.slot_of[v.cnode];
    cfg.cspace_data = (64 - plan::kVmCNodeSlotBits) & 0x3f;  // guard size: a CPtr is a slot
    cfg.vspace_slot = w.slot_of[vo.vspace];
    push(w, cfg);
    emit_sched_params(w, pd, tcb, vm.priority, v.sc, *vmm.endpoint, pd_abi::fault_badge(v.id));
    is::TcbPairStep bind{};
    bind.kind = uint32_t(is::StepKind::VcpuSetTcb);
    bind.a_slot = w.slot_of[v.vcpu];
    bind.b_slot = tcb;
    push(w, bind);
  }
}

template <class T>
void append(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void pad8(std::vector<uint8_t>& out) {
  while (out.size() % 8) out.push_back(0);
}

// Each PD's fault symbol table (SpecInputs::fault_symbols) after the string
// table, recorded in its PdEntry.
void append_fault_symbols(const Writer& w, uint32_t pd_offset, std::vector<uint8_t>& out) {
  const auto* tables = w.in.fault_symbols;
  for (size_t i = 0; tables && i < tables->size() && i < w.in.plan->pds.size(); ++i) {
    const std::vector<uint8_t>& t = (*tables)[i];
    if (t.empty()) continue;
    is::PdEntry e{};
    size_t at = pd_offset + i * sizeof(is::PdEntry);
    std::memcpy(&e, out.data() + at, sizeof e);
    e.symbols_offset = uint32_t(out.size());
    e.symbols_size = uint32_t(t.size());
    std::memcpy(out.data() + at, &e, sizeof e);
    out.insert(out.end(), t.begin(), t.end());
    pad8(out);
  }
}

std::vector<uint8_t> serialise(const Writer& w) {
  const auto& boot = *w.in.boot;
  const auto& sp = *w.in.sel4;
  std::vector<uint8_t> out(sizeof(is::SpecHeader), 0);
  is::SpecHeader h{};
  h.magic = is::kSpecMagic;
  h.version = is::kSpecVersion;
  // A bound spec lists the planned untypeds; otherwise the kernel's.
  const auto& untypeds = sp.bound_untypeds ? sp.untypeds : boot.untypeds;
  h.untyped_count = uint32_t(untypeds.size());
  h.untyped_offset = uint32_t(out.size());
  for (const auto& u : untypeds) {
    is::ExpectedUntyped e{};
    e.paddr = u.paddr;
    e.size_bits = u.size_bits;
    e.is_device = u.is_device ? 1 : 0;
    if (sp.bound_untypeds) e.bind = u.is_device ? is::kBindDevice : is::kBindRam;
    append(out, e);
  }
  h.step_count = uint32_t(w.steps.size());
  h.step_offset = uint32_t(out.size());
  for (const auto& s : w.steps) append(out, s);
  std::string strings;
  h.pd_count = uint32_t(w.in.plan->pds.size());
  h.pd_offset = uint32_t(out.size());
  for (size_t i = 0; i < w.in.plan->pds.size(); ++i) {
    const std::string& name = w.in.plan->pds[i].name;
    is::PdEntry e{};
    e.name_offset = uint32_t(strings.size());
    e.name_size = uint32_t(std::min<size_t>(name.size(), is::kMaxNameBytes));
    strings += name.substr(0, e.name_size);
    const auto& po = sp.pds[i];
    e.fault_badge = fault_key(w, i);
    e.tcb_slot = w.slot_of[po.tcb];
    // For the record (fault reports): a passive PD's SC and the
    // notification emit_thread binds it to.
    if (w.in.plan->pds[i].passive) {
      e.sc_slot = w.slot_of[po.sc];
      e.notification_slot = w.slot_of[po.notification];
    }
    append(out, e);
  }
  h.strings_offset = uint32_t(out.size());
  h.strings_size = uint32_t(strings.size());
  out.insert(out.end(), strings.begin(), strings.end());
  pad8(out);
  append_fault_symbols(w, h.pd_offset, out);
  h.total_size = out.size();
  h.fault_ep_slot = w.slot_of[sp.monitor_endpoint];
  h.reply_slot = w.slot_of[sp.initialiser_reply];
  kernel::fill_boot_ranges(h, boot);
  h.user_image_vaddr = w.in.user_image_vaddr;
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}


// ---------------------------------------------------------------------------
// Limits of the initial task that no splitting can get around.

struct SlotUser {
  uint64_t slots = 0;
  std::optional<size_t> pd, mr;
};

std::string describe(const Writer& w, const SlotUser& u) {
  if (u.mr)
    return "memory region '" + w.in.plan->mrs[*u.mr].name + "' takes " + std::to_string(u.slots) +
           " (one per page, and one per page for each further mapping)";
  return "protection domain '" + w.in.plan->pds[*u.pd].name + "' takes " + std::to_string(u.slots) +
         " (its kernel objects, stack, program pages and mappings)";
}

std::pair<std::string, Loc> loc_of(const Writer& w, const SlotUser& u) {
  const sdf::SystemDescription* sdf = w.in.sdf;
  if (sdf && u.mr && *u.mr < sdf->mrs.size()) return {sdf->file, sdf->mrs[*u.mr].loc};
  if (sdf && u.pd && *u.pd < sdf->pds.size()) return {sdf->file, sdf->pds[*u.pd].loc};
  return {{}, {}};
}

// The PDs and MRs that take the most root CNode slots, most first.
std::vector<SlotUser> biggest_slot_users(const Writer& w, size_t n) {
  std::vector<SlotUser> users;
  for (size_t i = 0; i < w.pd_slots.size(); ++i) users.push_back({w.pd_slots[i], i, std::nullopt});
  for (size_t m = 0; m < w.mr_slots.size(); ++m) users.push_back({w.mr_slots[m], std::nullopt, m});
  std::stable_sort(users.begin(), users.end(),
                   [](const SlotUser& a, const SlotUser& b) { return a.slots > b.slots; });
  users.resize(std::min(users.size(), n));
  return users;
}

// Every kernel object and every extra mapping of a frame needs a slot in
// the initial task's CNode (2^ROOT_CNODE_SIZE_BITS, less what the kernel
// filled at boot); the error names the PDs and MRs that take the most.
void report_out_of_slots(Writer& w) {
  uint64_t free = w.in.boot->empty.end - w.in.boot->empty.start;
  auto users = biggest_slot_users(w, 3);
  std::string what = "the initial task needs " + std::to_string(w.slots_wanted) +
                     " capability slots but its CNode has " + std::to_string(free) + " free (2^" +
                     std::to_string(w.in.package->config.root_cnode_size_bits) +
                     " less the caps the kernel gives it for the boot image and untyped memory)";
  std::string hint = "give large memory regions a larger page_size (a 2 MiB page takes one slot "
                     "where 4 KiB pages take 512), map fewer pages, or use a kernel built with a "
                     "larger ROOT_CNODE_SIZE_BITS";
  if (users.empty() || users[0].slots == 0) {
    w.diags.error("initialiser-out-of-slots", {}, {}, what, hint);
    return;
  }
  if (users[0].mr && w.in.plan->mrs[*users[0].mr].prefill_path)
    hint = "a prefilled region takes two slots per 4 KiB page (its page in the boot image and "
           "the cap it is mapped with): make it smaller, or fill it at run time";
  auto [file, loc] = loc_of(w, users[0]);
  w.diags.error("initialiser-out-of-slots", file, loc, what + ": " + describe(w, users[0]), hint);
  for (size_t k = 1; k < users.size() && users[k].slots > 0; ++k) {
    auto [f, l] = loc_of(w, users[k]);
    w.diags.note(f, l, describe(w, users[k]));
  }
}

// The initialiser's decoder bounds (initialiser_spec.h) as build errors.
bool check_table_limits(Writer& w) {
  if (w.in.plan->pds.size() > is::kMaxPds) {
    w.diags.error("initialiser-too-many-pds", w.in.sdf ? w.in.sdf->file : std::string{},
                  w.in.sdf ? w.in.sdf->loc : Loc{},
                  "the system has " + std::to_string(w.in.plan->pds.size()) +
                      " protection domains; the seL4 initial task handles at most " +
                      std::to_string(is::kMaxPds),
                  "use fewer protection domains");
    return false;
  }
  if (w.steps.size() > is::kMaxSteps) {
    w.diags.error("initialiser-too-many-steps", w.in.sdf ? w.in.sdf->file : std::string{},
                  w.in.sdf ? w.in.sdf->loc : Loc{},
                  "the initial task would run " + std::to_string(w.steps.size()) +
                      " steps; it runs at most " + std::to_string(is::kMaxSteps),
                  "use fewer memory regions, mappings or protection domains");
    return false;
  }
  return true;
}

}  // namespace

uint64_t pd_cnode_cap_data() {
  // seL4_CNode_CapData: guard in bits 6..63, guard size in bits 0..5.
  return pd_abi::kCNodeGuardBits & 0x3f;
}

std::optional<std::vector<uint8_t>> write_spec(const SpecInputs& in, Diagnostics& diags) {
  // 1. retypes, then prefill copies; 2. VSpaces; 3. CSpaces; 4. fault
  // report pages; 5. threads; 6. resume; 7. domain schedule; 8. bytes.
  Writer w{in, diags, {}, std::vector<uint64_t>(in.sel4->objects.size(), 0), in.boot->empty.start};
  w.pd_slots.assign(in.plan->pds.size(), 0);
  w.mr_slots.assign(in.plan->mrs.size(), 0);
  w.irq_handler_slot.assign(in.sel4->irqs.size(), 0);
  size_t errors_before = diags.error_count();
  emit_binds(w);
  emit_retypes(w);
  emit_fills(w);
  emit_bootinfo_fills(w);
  if (diags.error_count() != errors_before) return std::nullopt;
  std::vector<bool> used(in.sel4->objects.size(), false);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) emit_vspace(w, i, used);
  emit_io_spaces(w, used);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) emit_cspace(w, i);
  emit_fault_pages(w);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) {
    emit_thread(w, i);
    if (in.sel4->pds[i].vm) emit_vcpu_threads(w, i);
  }
  for (size_t i = 0; i < in.plan->pds.size(); ++i) {
    if (in.plan->pds[i].late_load_mr) continue;  // empty until its parent loads and starts it
    is::SingleSlotStep r{};
    r.kind = uint32_t(is::StepKind::TcbResume);
    r.slot = w.slot_of[in.sel4->pds[i].tcb];
    push(w, r);
  }
  size_t errors = diags.error_count();
  emit_domain_schedule(w);
  if (diags.error_count() > errors) return std::nullopt;
  if (w.out_of_slots) {
    report_out_of_slots(w);
    return std::nullopt;
  }
  if (!check_table_limits(w)) return std::nullopt;
  return serialise(w);
}

}  // namespace microkit::sel4
