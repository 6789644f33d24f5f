// spec_writer: Plan + seL4 plan -> initialiser spec bytes (see spec_writer.h).
#include "sel4/spec_writer.h"

#include <cstring>
#include <string>

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

struct Writer {
  const SpecInputs& in;
  Diagnostics& diags;
  std::vector<is::Step> steps;
  std::vector<uint64_t> slot_of;  // per object; 0 = not in a root slot (yet)
  uint64_t next_slot = 0;
  bool out_of_slots = false;
  uint64_t slots_wanted = 0;  // every slot asked for, also past the end
};

uint64_t new_slot(Writer& w) {
  ++w.slots_wanted;
  if (w.next_slot >= w.in.boot->empty.end) {
    w.out_of_slots = true;
    return w.in.boot->empty.end - 1;
  }
  return w.next_slot++;
}

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
    case ObjType::Frame:
      return o.size_bits >= 30 ? is::ObjectKind::HugePage
           : o.size_bits >= 21 ? is::ObjectKind::LargePage
                               : is::ObjectKind::SmallPage;
  }
  return is::ObjectKind::Untyped;
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

void emit_retypes(Writer& w) {
  const auto& sp = *w.in.sel4;
  for (size_t u = 0; u < sp.untyped_use.size(); ++u) {
    const auto& list = sp.untyped_use[u].objects;
    for (size_t k = 0; k < list.size();) {
      const KernelObject& first = sp.objects[list[k]];
      size_t run = 1;
      while (k + run < list.size() && sp.objects[list[k + run]].type == first.type &&
             sp.objects[list[k + run]].size_bits == first.size_bits)
        ++run;
      is::RetypeStep s{};
      s.kind = uint32_t(is::StepKind::Retype);
      s.object_kind = uint32_t(kind_of(first));
      s.untyped_index = u;
      s.size_bits = retype_size_arg(first);
      s.count = run;
      s.dest_slot = w.next_slot;
      for (size_t j = 0; j < run; ++j) w.slot_of[list[k + j]] = new_slot(w);
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
uint64_t frame_cap_to_map(Writer& w, size_t obj, std::vector<bool>& used) {
  const KernelObject& o = w.in.sel4->objects[obj];
  bool original_free = o.source == KernelObject::Source::Untyped && !used[obj];
  used[obj] = true;
  if (original_free) return w.slot_of[obj];
  uint64_t src = o.source == KernelObject::Source::UserImage ? user_image_slot(w, o) : w.slot_of[obj];
  uint64_t dest = new_slot(w);
  emit_copy(w, is::StepKind::Copy, src, kRootCNode, dest, kRootDepth, is::kRightsAll, 0);
  return dest;
}

void emit_vspace(Writer& w, size_t pd, std::vector<bool>& used) {
  const auto& po = w.in.sel4->pds[pd];
  uint64_t vspace = w.slot_of[po.vspace];
  is::AsidPoolAssignStep a{};
  a.kind = uint32_t(is::StepKind::AsidPoolAssign);
  a.vspace_slot = vspace;
  push(w, a);
  for (const auto& pt : po.page_tables) {
    is::MapPageTableStep s{};
    s.kind = uint32_t(is::StepKind::MapPageTable);
    s.pt_slot = w.slot_of[pt.object];
    s.vspace_slot = vspace;
    s.vaddr = pt.vaddr;
    push(w, s);
  }
  for (const auto& m : po.mappings) {
    is::MapFrameStep s{};
    s.kind = uint32_t(is::StepKind::MapFrame);
    s.frame_slot = frame_cap_to_map(w, m.object, used);
    s.rights = (m.read ? is::kRightRead : 0) | (m.write ? is::kRightWrite : 0);
    s.vspace_slot = vspace;
    s.vaddr = m.vaddr;
    s.attributes = (m.cached ? is::kMapCacheable : 0) | (m.execute ? is::kMapExecutable : 0);
    push(w, s);
  }
}

void emit_irq(Writer& w, size_t pd, const plan::Cap& cap) {
  const auto& irq = w.in.sel4->irqs[cap.irq];
  uint64_t handler = new_slot(w);
  is::IrqIssueStep s{};
  s.kind = uint32_t(is::StepKind::IrqIssue);
  s.trigger = irq.trigger == sdf::Trigger::Edge ? is::kTriggerEdge : is::kTriggerLevel;
  s.irq = irq.irq;
  s.dest_cnode_slot = kRootCNode;
  s.dest_index = handler;
  s.dest_depth = kRootDepth;
  push(w, s);
  uint64_t badged = new_slot(w);
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
  emit_copy(w, is::StepKind::Copy, handler, w.slot_of[w.in.sel4->pds[pd].cnode], cap.slot,
            pd_abi::kCNodeBits, is::kRightsAll, 0);
}

void emit_cspace(Writer& w, size_t pd) {
  const auto& po = w.in.sel4->pds[pd];
  uint64_t cnode = w.slot_of[po.cnode];
  for (const plan::Cap& cap : po.caps) {
    switch (cap.kind) {
      case plan::Cap::Kind::IrqHandler: emit_irq(w, pd, cap); break;
      case plan::Cap::Kind::Smc:
        emit_copy(w, is::StepKind::Copy, kSmcCap, cnode, cap.slot, pd_abi::kCNodeBits,
                  is::kRightsAll, 0);
        break;
      case plan::Cap::Kind::Object:
        emit_copy(w, cap.badge ? is::StepKind::Mint : is::StepKind::Copy, w.slot_of[cap.object],
                  cnode, cap.slot, pd_abi::kCNodeBits, rights_mask(cap.rights), cap.badge);
        break;
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

void emit_thread(Writer& w, size_t pd) {
  const plan::Pd& p = w.in.plan->pds[pd];
  const auto& po = w.in.sel4->pds[pd];
  uint64_t tcb = w.slot_of[po.tcb];
  is::SchedControlConfigureStep sc{};
  sc.kind = uint32_t(is::StepKind::SchedControlConfigure);
  sc.core = p.cpu;
  sc.sc_slot = w.slot_of[po.sc];
  sc.budget_us = p.budget_us;
  sc.period_us = p.period_us;
  push(w, sc);
  is::TcbConfigureStep cfg{};
  cfg.kind = uint32_t(is::StepKind::TcbConfigure);
  cfg.tcb_slot = tcb;
  cfg.cspace_slot = w.slot_of[po.cnode];
  cfg.cspace_data = pd_cnode_cap_data();
  cfg.vspace_slot = w.slot_of[po.vspace];
  cfg.ipc_buffer_vaddr = po.ipc_buffer_vaddr;
  cfg.ipc_buffer_slot = w.slot_of[po.ipc_buffer];
  push(w, cfg);
  uint64_t fault = new_slot(w);
  emit_copy(w, is::StepKind::Mint, w.slot_of[po.fault_endpoint], kRootCNode, fault, kRootDepth,
            is::kRightWrite | is::kRightGrant | is::kRightGrantReply, po.fault_badge);
  is::TcbSetSchedParamsStep sched{};
  sched.kind = uint32_t(is::StepKind::TcbSetSchedParams);
  sched.tcb_slot = tcb;
  sched.authority_slot = kRootTcb;
  sched.mcp = p.priority;
  sched.priority = p.priority;
  sched.sc_slot = w.slot_of[po.sc];
  sched.fault_ep_slot = fault;
  push(w, sched);
  is::TcbWriteRegistersStep regs{};
  regs.kind = uint32_t(is::StepKind::TcbWriteRegisters);
  regs.tcb_slot = tcb;
  regs.pc = po.entry;
  regs.sp = po.stack_top;
  push(w, regs);
  is::TcbPairStep bind{};
  bind.kind = uint32_t(is::StepKind::TcbBindNotification);
  bind.a_slot = tcb;
  bind.b_slot = w.slot_of[po.notification];
  push(w, bind);
  emit_thread_extras(w, p, tcb);
}

template <class T>
void append(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void pad8(std::vector<uint8_t>& out) {
  while (out.size() % 8) out.push_back(0);
}

std::vector<uint8_t> serialise(const Writer& w) {
  const auto& boot = *w.in.boot;
  const auto& sp = *w.in.sel4;
  std::vector<uint8_t> out(sizeof(is::SpecHeader), 0);
  is::SpecHeader h{};
  h.magic = is::kSpecMagic;
  h.version = is::kSpecVersion;
  h.untyped_count = uint32_t(boot.untypeds.size());
  h.untyped_offset = uint32_t(out.size());
  for (const auto& u : boot.untypeds) {
    is::ExpectedUntyped e{};
    e.paddr = u.paddr;
    e.size_bits = u.size_bits;
    e.is_device = u.is_device ? 1 : 0;
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
    e.fault_badge = po.fault_endpoint == sp.monitor_endpoint ? po.fault_badge : 0;
    e.tcb_slot = w.slot_of[po.tcb];
    // The initial task takes a passive PD's SC once its init() is done and
    // binds it to the PD's notification (the one emit_thread binds the TCB
    // to), so a notified passive PD runs on it.
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
  h.total_size = out.size();
  h.fault_ep_slot = w.slot_of[sp.monitor_endpoint];
  h.reply_slot = w.slot_of[sp.initialiser_reply];
  h.empty_start = boot.empty.start;
  h.empty_end = boot.empty.end;
  h.user_image_frames_start = boot.user_image_frames.start;
  h.user_image_frames_end = boot.user_image_frames.end;
  h.untyped_start = boot.untyped.start;
  h.sched_control_start = boot.sched_control.start;
  h.sched_control_count = boot.sched_control.end - boot.sched_control.start;
  h.user_image_vaddr = w.in.user_image_vaddr;
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

}  // namespace

uint64_t pd_cnode_cap_data() {
  // seL4_CNode_CapData: guard in bits 6..63, guard size in bits 0..5.
  return pd_abi::kCNodeGuardBits & 0x3f;
}

std::optional<std::vector<uint8_t>> write_spec(const SpecInputs& in, Diagnostics& diags) {
  // 1. retypes; 2. VSpaces; 3. CSpaces; 4. threads; 5. resume; 6. domain
  // schedule; 7. bytes.
  Writer w{in, diags, {}, std::vector<uint64_t>(in.sel4->objects.size(), 0), in.boot->empty.start};
  emit_retypes(w);
  std::vector<bool> used(in.sel4->objects.size(), false);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) emit_vspace(w, i, used);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) emit_cspace(w, i);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) emit_thread(w, i);
  for (size_t i = 0; i < in.plan->pds.size(); ++i) {
    is::SingleSlotStep r{};
    r.kind = uint32_t(is::StepKind::TcbResume);
    r.slot = w.slot_of[in.sel4->pds[i].tcb];
    push(w, r);
  }
  size_t errors = diags.error_count();
  emit_domain_schedule(w);
  if (diags.error_count() > errors) return std::nullopt;
  if (w.out_of_slots) {
    diags.error("initialiser-out-of-slots", {}, {},
                "the initial task needs more capability slots than its CNode has free: " +
                    std::to_string(w.slots_wanted) + " needed, " +
                    std::to_string(in.boot->empty.end - in.boot->empty.start) + " available",
                "use a kernel built with a larger KernelRootCNodeSizeBits, or fewer objects");
    return std::nullopt;
  }
  return serialise(w);
}

}  // namespace microkit::sel4
