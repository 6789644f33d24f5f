// capdl_spec: Plan + seL4 plan -> capDL data (see capdl_spec.h).
#include "sel4/capdl_spec.h"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/shared/pd_abi.h"
#include "sel4/spec_writer.h"
#include "support/text.h"

namespace microkit::capdl {
namespace {

using plan::KernelObject;
using plan::ObjType;

constexpr uint32_t kPageBits = 12;
constexpr uint32_t kTableIndexBits = 9;  // entries of a non-root table (AArch64, RISC-V)
constexpr uint32_t kLastTableCovers = 21;  // a table of 4 KiB entries covers 2 MiB

// The TCB's capability slots, as capDL numbers them (capDL-tool Model.hs).
constexpr uint32_t kTcbCSpace = 0, kTcbVSpace = 1, kTcbIpcBuffer = 4, kTcbFaultEp = 5,
                   kTcbSc = 6, kTcbBoundNotification = 8, kTcbVCpu = 9;

struct Builder {
  const SpecInputs& in;
  Spec spec;
  std::vector<uint32_t> id_of;            // planner object -> capDL id
  std::vector<uint32_t> irq_id;           // Sel4Plan::irqs -> capDL id
  std::optional<uint32_t> smc_id;
  std::map<std::pair<size_t, uint64_t>, uint32_t> ioports_id;  // (owner pd, first port) -> capDL id
  std::set<std::string> names;
  std::vector<size_t> cover_untyped;      // parallel to spec.untyped_covers
};

uint32_t add(Builder& b, Object o) {
  std::string base = identifier(o.name);
  o.name = base;
  for (int k = 2; !b.names.insert(o.name).second; ++k) o.name = base + "_" + std::to_string(k);
  b.spec.objects.push_back(std::move(o));
  return uint32_t(b.spec.objects.size() - 1);
}

ObjectKind kind_of(ObjType t) {
  switch (t) {
    case ObjType::Untyped: return ObjectKind::Untyped;
    case ObjType::Tcb: return ObjectKind::Tcb;
    case ObjType::SchedContext: return ObjectKind::SchedContext;
    case ObjType::Reply: return ObjectKind::Reply;
    case ObjType::Endpoint: return ObjectKind::Endpoint;
    case ObjType::Notification: return ObjectKind::Notification;
    case ObjType::CNode: return ObjectKind::CNode;
    case ObjType::VSpace: return ObjectKind::PageTable;
    case ObjType::PageTable: return ObjectKind::PageTable;
    case ObjType::Frame: return ObjectKind::Frame;
    case ObjType::Vcpu: return ObjectKind::VCpu;
    case ObjType::IoPageTable: return ObjectKind::IOPageTable;
    case ObjType::EptRoot:  // never reached: capDL of an x86 VM is refused (commands.cc)
    case ObjType::EptTable: return ObjectKind::PageTable;
  }
  return ObjectKind::Untyped;
}

CapKind cap_kind_of(ObjectKind k) {
  switch (k) {
    case ObjectKind::Untyped: return CapKind::Untyped;
    case ObjectKind::Endpoint: return CapKind::Endpoint;
    case ObjectKind::Notification: return CapKind::Notification;
    case ObjectKind::CNode: return CapKind::CNode;
    case ObjectKind::Tcb: return CapKind::Tcb;
    case ObjectKind::ArmIrq: return CapKind::ArmIrqHandler;
    case ObjectKind::RiscvIrq: return CapKind::RiscvIrqHandler;
    case ObjectKind::VCpu: return CapKind::VCpu;
    case ObjectKind::Frame: return CapKind::Frame;
    case ObjectKind::PageTable: return CapKind::PageTable;
    case ObjectKind::SchedContext: return CapKind::SchedContext;
    case ObjectKind::Reply: return CapKind::Reply;
    case ObjectKind::ArmSmc: return CapKind::ArmSmc;
    case ObjectKind::IrqIOApic: return CapKind::IrqIOApicHandler;
    case ObjectKind::IrqMsi: return CapKind::IrqMsiHandler;
    case ObjectKind::IOPorts: return CapKind::IOPorts;
    case ObjectKind::IOPageTable: return CapKind::IOPageTable;
    case ObjectKind::IOSpace: return CapKind::Untyped;  // no cap to it is described
  }
  return CapKind::Endpoint;
}

Object object_for(const KernelObject& k) {
  Object o;
  o.name = k.name;
  o.kind = kind_of(k.type);
  o.size_bits = uint8_t(k.type == ObjType::CNode ? k.cnode_slot_bits : k.size_bits);
  bool sized = o.kind == ObjectKind::Untyped || o.kind == ObjectKind::Frame ||
               o.kind == ObjectKind::SchedContext || o.kind == ObjectKind::CNode;
  if (!sized) o.size_bits = 0;
  if (o.kind == ObjectKind::Untyped || o.kind == ObjectKind::Frame) o.paddr = k.paddr;
  return o;
}

Cap cap_to(const Builder& b, uint32_t id) {
  Cap c;
  c.kind = cap_kind_of(b.spec.objects[id].kind);
  c.object = id;
  return c;
}

Rights rights_of(const plan::CapRights& r) { return {r.read, r.write, r.grant, r.grant_reply}; }

// 1. Objects retyped from untypeds, untyped by untyped, in retype order.
void add_retyped(Builder& b) {
  const auto& sp = *b.in.sel4;
  for (size_t u = 0; u < sp.untyped_use.size(); ++u) {
    uint32_t begin = uint32_t(b.spec.objects.size());
    for (size_t obj : sp.untyped_use[u].objects) b.id_of[obj] = add(b, object_for(sp.objects[obj]));
    if (b.spec.objects.size() > begin) {
      b.spec.untyped_covers.push_back({0, begin, uint32_t(b.spec.objects.size())});
      b.cover_untyped.push_back(u);
    }
  }
}

// 3. The kernel's untypeds, and which of them covers which objects.
void add_kernel_untypeds(Builder& b) {
  const auto& sp = *b.in.sel4;
  b.spec.root_objects_end = uint32_t(b.spec.objects.size());
  std::vector<uint32_t> ut_id;
  for (const auto& u : sp.untypeds) {
    Object o;
    o.name = std::string(u.is_device ? "device_untyped_" : "untyped_") + hex(u.paddr);
    o.kind = ObjectKind::Untyped;
    o.size_bits = u.size_bits;
    o.paddr = u.paddr;
    ut_id.push_back(add(b, std::move(o)));
  }
  for (size_t k = 0; k < b.spec.untyped_covers.size(); ++k)
    b.spec.untyped_covers[k].parent = ut_id[b.cover_untyped[k]];
}

// Where a program page's bytes come from: each PT_LOAD segment with file
// data in that page.
std::vector<FillEntry> program_fill(const elf::ElfFile& elf, uint32_t pd, uint64_t page_vaddr) {
  std::vector<FillEntry> fill;
  for (uint32_t s = 0; s < elf.segments.size(); ++s) {
    const elf::Segment& seg = elf.segments[s];
    uint64_t lo = std::max(page_vaddr, seg.vaddr);
    uint64_t hi = std::min(page_vaddr + (uint64_t{1} << kPageBits), seg.vaddr + seg.filesz);
    if (lo >= hi) continue;
    FillEntry f;
    f.dest_offset = lo - page_vaddr;
    f.dest_length = hi - lo;
    f.elf_id = pd;
    f.segment = s;
    f.segment_offset = lo - seg.vaddr;
    f.file = elf.path;
    f.file_offset = seg.offset + f.segment_offset;
    fill.push_back(std::move(f));
  }
  return fill;
}

std::vector<FillEntry> prefill_fill(const plan::Mr& mr, uint64_t page) {
  uint64_t start = page << kPageBits;
  if (start >= mr.prefill.size()) return {};
  FillEntry f;
  f.source = FillEntry::Source::Bytes;
  f.dest_length = std::min<uint64_t>(mr.prefill.size() - start, uint64_t{1} << kPageBits);
  f.bytes.assign(mr.prefill.begin() + long(start), mr.prefill.begin() + long(start + f.dest_length));
  f.file = mr.prefill_path.value_or("");
  f.file_offset = start;
  return {std::move(f)};
}

// 2. Frames inside the boot image, with what fills them.
void add_user_image_frames(Builder& b) {
  const auto& sp = *b.in.sel4;
  std::map<uint64_t, std::pair<uint32_t, uint64_t>> program_page;  // paddr -> (pd, vaddr)
  for (uint32_t i = 0; i < b.in.pd_images.size(); ++i)
    for (const auto& p : b.in.pd_images[i].pages) program_page[p.paddr] = {i, p.vaddr};
  for (size_t obj = 0; obj < sp.objects.size(); ++obj) {
    const KernelObject& k = sp.objects[obj];
    if (k.source != KernelObject::Source::UserImage) continue;
    Object o = object_for(k);
    if (k.mr) {
      const auto& frames = sp.mr_frames[*k.mr];
      uint64_t page = uint64_t(std::find(frames.begin(), frames.end(), obj) - frames.begin());
      o.fill = prefill_fill(b.in.plan->mrs[*k.mr], page);
    } else if (auto it = program_page.find(k.paddr); it != program_page.end()) {
      auto [pd, vaddr] = it->second;
      if (pd < b.in.programs.size() && b.in.programs[pd])
        o.fill = program_fill(*b.in.programs[pd], pd, vaddr);
    }
    b.id_of[obj] = add(b, std::move(o));
  }
}

// Frames of prefilled MRs with pages bigger than 4 KiB: retyped like any
// frame, then the initial task copies their share of the prefill in.
void add_frame_fills(Builder& b) {
  const auto& sp = *b.in.sel4;
  for (const plan::FrameFill& f : sp.frame_fills) {
    const KernelObject& k = sp.objects[f.object];
    if (!k.mr) continue;
    const plan::Mr& mr = b.in.plan->mrs[*k.mr];
    const auto& frames = sp.mr_frames[*k.mr];
    uint64_t offset = uint64_t(std::find(frames.begin(), frames.end(), f.object) - frames.begin()) * mr.page_size;
    if (offset >= mr.prefill.size()) continue;
    FillEntry e;
    e.source = FillEntry::Source::Bytes;
    e.dest_length = std::min<uint64_t>(f.length, mr.prefill.size() - offset);
    e.bytes.assign(mr.prefill.begin() + long(offset), mr.prefill.begin() + long(offset + e.dest_length));
    e.file = mr.prefill_path.value_or("");
    e.file_offset = offset;
    b.spec.objects[b.id_of[f.object]].fill.push_back(std::move(e));
  }
}

// An x86 handler's object: the IOAPIC pin or the MSI the kernel routes to
// the handler's vector (seL4_IRQControl_GetIOAPIC / GetMSI arguments).
void set_x86_irq(Object& o, const plan::IrqHandler& h) {
  const plan::ChannelSlot& s = h.source;
  if (s.irq_kind == sdf::Irq::Kind::Msi) {
    o.kind = ObjectKind::IrqMsi;
    o.msi_handle = s.msi_handle;
    o.pci_bus = s.pci_address >> 8;
    o.pci_dev = (s.pci_address >> 3) & 0x1f;
    o.pci_func = s.pci_address & 0x7;
    return;
  }
  o.kind = ObjectKind::IrqIOApic;
  o.ioapic = s.ioapic;
  o.ioapic_pin = s.pin;
  o.ioapic_level = h.trigger == sdf::Trigger::Level ? 1 : 0;
  o.ioapic_polarity = s.polarity == sdf::Polarity::Low ? 1 : 0;
}

// Frames of prefill_bootinfo MRs (x86): the initial task copies a bootinfo
// chunk into them at boot.
void add_bootinfo_fills(Builder& b) {
  for (const plan::BootInfoFill& f : b.in.sel4->bootinfo_fills) {
    FillEntry e;
    e.source = FillEntry::Source::BootInfo;
    e.dest_length = uint64_t{1} << kPageBits;
    e.bootinfo_id = f.chunk_id;
    e.segment_offset = f.chunk_offset;
    b.spec.objects[b.id_of[f.object]].fill.push_back(std::move(e));
  }
}

void add_irqs_and_smc(Builder& b) {
  const auto& sp = *b.in.sel4;
  board::Arch arch = b.in.facts->arch;
  for (const plan::IrqHandler& h : sp.irqs) {
    Object o;
    o.name = "irq_" + std::to_string(h.irq) + "_" + b.in.plan->pds[h.pd].name;
    o.irq_trigger = h.trigger == sdf::Trigger::Edge ? 1 : 0;
    if (arch == board::Arch::X86_64) {
      set_x86_irq(o, h);
    } else if (arch == board::Arch::RiscV64) {
      o.kind = ObjectKind::RiscvIrq;  // RISC-V IRQs have no target core
    } else {
      o.kind = ObjectKind::ArmIrq;
      o.irq_target = b.in.plan->pds[h.pd].cpu;
    }
    Cap n = cap_to(b, b.id_of[h.notification]);
    n.badge = h.badge;
    n.rights = {false, true, false, false};  // the handler only signals
    o.slots.push_back({0, n});
    uint32_t id = add(b, std::move(o));
    b.irq_id.push_back(id);
    b.spec.irqs.push_back({h.irq, id});
  }
  for (const auto& po : sp.pds)
    for (const plan::Cap& c : po.caps)
      if (c.kind == plan::Cap::Kind::Smc && !b.smc_id) {
        Object o;
        o.name = "arm_smc";
        o.kind = ObjectKind::ArmSmc;
        b.smc_id = add(b, std::move(o));
      }
}

// The key of an I/O port cap's object: a <cap_ioport> grant holds a copy
// of its owner's range, so both caps name the owner's one object.
std::pair<size_t, uint64_t> ioports_key(const plan::Cap& c) { return {c.ioport_owner, c.first_port}; }

// x86 <ioport>s: one IOPorts object per issued range (seL4 issues a range
// once), made from the IOPortControl cap like IRQ handlers from IRQControl.
void add_ioports(Builder& b) {
  const auto& sp = *b.in.sel4;
  for (size_t pd = 0; pd < sp.pds.size(); ++pd)
    for (const plan::Cap& c : sp.pds[pd].caps) {
      if (c.kind != plan::Cap::Kind::IoPort || b.ioports_id.contains(ioports_key(c))) continue;
      Object o;
      o.name = "ioports_" + hex(c.first_port) + "_" + b.in.plan->pds[c.ioport_owner].name;
      o.kind = ObjectKind::IOPorts;
      o.first_port = c.first_port;
      o.last_port = c.last_port;
      b.ioports_id[ioports_key(c)] = add(b, std::move(o));
    }
}

// One IOMMU address space: its frames under a kCapdlIoptLevels-deep tree
// of IO page tables taken from the plan's pool in the order the initial
// task takes them when seL4 reports that depth (a table whenever a map
// finds none, top level first: initialiser_spec.h, X86IoMapFrame).
void add_io_space(Builder& b, const plan::IoSpacePlan& space, const std::string& name, size_t& next) {
  const auto& pool = b.in.sel4->io_page_tables;
  Object o;
  o.name = "iospace_" + name;
  o.kind = ObjectKind::IOSpace;
  o.domain_id = space.domain_id;
  o.pci_bus = space.pci_address >> 8;
  o.pci_dev = (space.pci_address >> 3) & 0x1f;
  o.pci_func = space.pci_address & 0x7;
  uint32_t iospace = add(b, std::move(o));
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> table;  // (level, iovaddr >> its cover) -> id
  auto covers = [](uint32_t level) { return kPageBits + kTableIndexBits * (kCapdlIoptLevels - level); };
  for (const plan::IoFrameMapping& m : space.maps) {
    uint32_t parent = iospace;
    for (uint32_t level = 0; level < kCapdlIoptLevels; ++level) {
      auto key = std::pair{level, m.iovaddr >> covers(level)};
      auto it = table.find(key);
      if (it == table.end() && next < pool.size()) {
        uint32_t id = b.id_of[pool[next++]];
        b.spec.objects[id].level = uint8_t(level);
        uint32_t slot = level == 0 ? 0 : uint32_t((m.iovaddr >> covers(level)) & 511);
        b.spec.objects[parent].slots.push_back({slot, cap_to(b, id)});
        it = table.emplace(key, id).first;
      }
      if (it == table.end()) return;  // the planner sized the pool for more
      parent = it->second;
    }
    Cap f = cap_to(b, b.id_of[m.object]);
    f.rights = {m.read, m.write, false, false};
    b.spec.objects[parent].slots.push_back({uint32_t((m.iovaddr >> kPageBits) & 511), f});
  }
}

// The pool's tables the described depth leaves unused, as spares in the
// IOSpaces' slots 1.. (rust-sel4's layout: tables the initialiser may need
// when seL4 reports a deeper IO address space; level 0 as there).
void add_io_spares(Builder& b, const std::vector<uint32_t>& spaces, size_t next) {
  constexpr uint32_t kSparesPerSpace = 6 - kCapdlIoptLevels;  // seL4 reports at most 6 levels
  const auto& pool = b.in.sel4->io_page_tables;
  for (uint32_t space : spaces)
    for (uint32_t slot = 1; slot <= kSparesPerSpace && next < pool.size(); ++slot)
      b.spec.objects[space].slots.push_back({slot, cap_to(b, b.id_of[pool[next++]])});
}

void add_io_spaces(Builder& b) {
  size_t next = 0;
  std::vector<uint32_t> spaces;
  for (size_t i = 0; i < b.in.sel4->io_spaces.size(); ++i)
    if (!b.in.sel4->io_spaces[i].maps.empty()) {
      spaces.push_back(uint32_t(b.spec.objects.size()));
      add_io_space(b, b.in.sel4->io_spaces[i], b.in.plan->io_spaces[i].name, next);
    }
  add_io_spares(b, spaces, next);
  for (Object& o : b.spec.objects)
    if (o.kind == ObjectKind::IOPageTable || o.kind == ObjectKind::IOSpace)
      std::sort(o.slots.begin(), o.slots.end(), [](const auto& x, const auto& y) { return x.slot < y.slot; });
}

// A PD's CNode, slot by slot.
void fill_cspace(Builder& b, size_t pd) {
  const auto& po = b.in.sel4->pds[pd];
  auto& slots = b.spec.objects[b.id_of[po.cnode]].slots;
  for (size_t k = 0; k < po.caps.size(); ++k) {
    const plan::Cap& c = po.caps[k];
    Cap cap;
    switch (c.kind) {
      case plan::Cap::Kind::IrqHandler: cap = cap_to(b, b.irq_id[c.irq]); break;
      case plan::Cap::Kind::Smc: cap = cap_to(b, *b.smc_id); break;
      case plan::Cap::Kind::SchedControl:
        cap.kind = CapKind::SchedControl;
        cap.core = c.cpu;
        break;
      case plan::Cap::Kind::IoPort: cap = cap_to(b, b.ioports_id.at(ioports_key(c))); break;
      case plan::Cap::Kind::Object:
        cap = cap_to(b, b.id_of[c.object]);
        cap.rights = rights_of(c.rights);
        cap.badge = c.badge;
        if (cap.kind == CapKind::CNode) {  // a granted CNode: the Mint's word is its guard (cspace.md)
          cap.guard_size = uint8_t(c.badge & 0x3f);
          cap.badge = 0;
        }
        break;
    }
    slots.push_back({uint32_t(c.slot), cap});
  }
  std::sort(slots.begin(), slots.end(), [](const auto& x, const auto& y) { return x.slot < y.slot; });
}

void fill_tcb(Builder& b, size_t pd) {
  const plan::Pd& p = b.in.plan->pds[pd];
  const auto& po = b.in.sel4->pds[pd];
  Object& tcb = b.spec.objects[b.id_of[po.tcb]];
  Cap cspace = cap_to(b, b.id_of[po.cnode]);
  cspace.guard_size = uint8_t(sel4::pd_cnode_cap_data() & 0x3f);
  Cap ipc = cap_to(b, b.id_of[po.ipc_buffer]);
  ipc.rights = {true, true, false, false};
  Cap fault = cap_to(b, b.id_of[po.fault_endpoint]);
  fault.badge = po.fault_badge;
  fault.rights = {false, true, true, true};
  Cap ntfn = cap_to(b, b.id_of[po.notification]);
  tcb.slots = {{kTcbCSpace, cspace},
               {kTcbVSpace, cap_to(b, b.id_of[po.vspace])},
               {kTcbIpcBuffer, ipc},
               {kTcbFaultEp, fault},
               {kTcbSc, cap_to(b, b.id_of[po.sc])},
               {kTcbBoundNotification, ntfn}};
  tcb.tcb.ipc_buffer_addr = po.ipc_buffer_vaddr;
  tcb.tcb.affinity = p.cpu;
  tcb.tcb.prio = uint8_t(p.priority);
  tcb.tcb.max_prio = uint8_t(p.priority);
  tcb.tcb.fpu_disabled = !p.fpu;
  if (p.domain) tcb.tcb.domain = uint8_t(*p.domain);
  // A late-loaded PD waits, registers unset, for its parent to start it.
  tcb.tcb.resume = !p.late_load_mr;
  tcb.tcb.ip = p.late_load_mr ? 0 : po.entry;
  tcb.tcb.sp = p.late_load_mr ? 0 : po.stack_top;
  Object& sc = b.spec.objects[b.id_of[po.sc]];
  sc.sc_budget = p.budget_us;
  sc.sc_period = p.period_us;
}

// A VSpace as capDL's tree of page tables: each table's entries hold the
// next level's tables or the frames mapped at that level's entry size.
struct Table {
  uint32_t id;
  uint64_t vaddr;
  uint32_t entry_bits;  // bytes one entry maps, log2
  uint32_t covers_bits;
};

void fill_address_space(Builder& b, size_t vspace, const std::vector<plan::PageTableSlot>& page_tables,
                        const std::vector<plan::FrameMapping>& mappings) {
  const auto& levels = b.in.facts->paging_level_bits;  // non-root covers, top first
  uint32_t root_entry = levels.empty() ? kPageBits : levels.front();
  uint32_t root_covers = root_entry + (b.in.facts->vspace_bits - 3);
  std::vector<Table> tables{{b.id_of[vspace], 0, root_entry, root_covers}};
  auto entry_bits_below = [&](uint32_t covers) {
    for (size_t k = 0; k + 1 < levels.size(); ++k)
      if (levels[k] == covers) return uint32_t(levels[k + 1]);
    return kPageBits;
  };
  for (const auto& pt : page_tables)
    tables.push_back({b.id_of[pt.object], pt.vaddr, entry_bits_below(pt.covers_bits), pt.covers_bits});
  for (const Table& t : tables) {
    Object& o = b.spec.objects[t.id];
    o.is_root = t.id == b.id_of[vspace];
    o.level = uint8_t(last_table_level(b.in.facts->arch) - (t.covers_bits - kLastTableCovers) / kTableIndexBits);
  }
  auto place = [&](uint64_t vaddr, uint32_t size_bits, Cap cap) {
    for (const Table& t : tables)
      if (t.entry_bits == size_bits && vaddr >> t.covers_bits == t.vaddr >> t.covers_bits) {
        uint64_t mask = (uint64_t{1} << (t.covers_bits - t.entry_bits)) - 1;
        b.spec.objects[t.id].slots.push_back({uint32_t((vaddr >> t.entry_bits) & mask), cap});
        return;
      }
  };
  for (const auto& pt : page_tables) place(pt.vaddr, pt.covers_bits, cap_to(b, b.id_of[pt.object]));
  for (const auto& m : mappings) {
    Cap f = cap_to(b, b.id_of[m.object]);
    f.rights = {m.read, m.write, false, false};
    f.cached = m.cached;
    f.executable = m.execute;
    place(m.vaddr, b.in.sel4->objects[m.object].size_bits, f);
  }
  for (const Table& t : tables) {
    auto& s = b.spec.objects[t.id].slots;
    std::sort(s.begin(), s.end(), [](const auto& x, const auto& y) { return x.slot < y.slot; });
  }
}

void fill_vspace(Builder& b, size_t pd) {
  const auto& po = b.in.sel4->pds[pd];
  fill_address_space(b, po.vspace, po.page_tables, po.mappings);
  if (po.vm) fill_address_space(b, po.vm->vspace, po.vm->page_tables, po.vm->mappings);
}

// A VM's vCPU threads, as the initial task leaves them: the guest address
// space, an empty CNode, faults to the VMM badged with the vCPU id, the
// VCPU bound, not resumed (the VMM starts them).
void fill_vcpu_tcbs(Builder& b, size_t pd) {
  const auto& po = b.in.sel4->pds[pd];
  if (!po.vm) return;
  const plan::Vm& vm = *b.in.plan->pds[pd].vm;
  for (const plan::VcpuObjects& v : po.vm->vcpus) {
    Object& tcb = b.spec.objects[b.id_of[v.tcb]];
    Cap cspace = cap_to(b, b.id_of[v.cnode]);
    cspace.guard_size = uint8_t((64 - plan::kVmCNodeSlotBits) & 0x3f);
    Cap fault = cap_to(b, b.id_of[*po.endpoint]);
    fault.badge = pd_abi::fault_badge(v.id);
    fault.rights = {false, true, true, true};
    tcb.slots = {{kTcbCSpace, cspace},
                 {kTcbVSpace, cap_to(b, b.id_of[po.vm->vspace])},
                 {kTcbFaultEp, fault},
                 {kTcbSc, cap_to(b, b.id_of[v.sc])},
                 {kTcbVCpu, cap_to(b, b.id_of[v.vcpu])}};
    tcb.tcb.affinity = v.cpu;
    tcb.tcb.prio = uint8_t(vm.priority);
    tcb.tcb.max_prio = uint8_t(vm.priority);
    tcb.tcb.resume = false;
    Object& sc = b.spec.objects[b.id_of[v.sc]];
    sc.sc_budget = vm.budget_us;
    sc.sc_period = vm.period_us;
  }
}

}  // namespace

uint8_t last_table_level(board::Arch arch) { return arch == board::Arch::RiscV64 ? 2 : 3; }

std::string identifier(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? c : '_';
  }
  if (out.empty() || !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= 'A' && out[0] <= 'Z')))
    out = "o_" + out;
  return out;
}

// The plan's <domain_schedule>, as the kernel's schedule array gets it.
void add_domain_schedule(Spec& spec, const plan::Plan& plan) {
  if (!plan.domain_schedule) return;
  const plan::DomainSchedule& ds = *plan.domain_schedule;
  std::vector<DomainScheduleEntry> entries;
  for (const plan::ScheduleSlot& s : ds.slots)
    entries.push_back({s.end_marker, uint8_t(s.domain), s.duration,
                       s.unit == sdf::ScheduleEntry::Unit::Ticks});
  spec.domain_schedule = std::move(entries);
  spec.domain_set_start = ds.start_index;
  if (ds.index_shift) spec.domain_idx_shift = ds.index_shift;
}

Spec build_spec(const SpecInputs& in) {
  // 1. retyped objects; 2. boot-image frames, IRQs, SMC; 3. kernel
  // untypeds; 4. caps of every CNode, TCB, VSpace.
  Builder b{in, {}, std::vector<uint32_t>(in.sel4->objects.size(), 0), {}, {}, {}, {}, {}};
  add_retyped(b);
  add_user_image_frames(b);
  add_frame_fills(b);
  add_bootinfo_fills(b);
  add_irqs_and_smc(b);
  add_ioports(b);
  add_io_spaces(b);
  add_kernel_untypeds(b);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) {
    fill_cspace(b, i);
    fill_tcb(b, i);
    fill_vcpu_tcbs(b, i);
    fill_vspace(b, i);
  }
  add_domain_schedule(b.spec, *in.plan);
  b.spec.arch = in.facts->arch;
  return std::move(b.spec);
}

}  // namespace microkit::capdl
