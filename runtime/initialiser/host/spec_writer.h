// spec_writer.h: builds the bytes of an initialiser spec on the host
// (runtime/shared/initialiser_spec.h). Used by the initialiser's host tests
// and the QEMU test harness that writes a hand-made plan; the tool's seL4
// back end may use it too. It only serialises: the caller decides every
// slot, object and address. Host C++20 only (never in target code).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser_spec {

// Any typed step as the raw 64-byte Step.
template <class T>
Step as_step(const T& typed) {
  static_assert(sizeof(T) == sizeof(Step));
  Step s;
  std::memcpy(&s, &typed, sizeof s);
  return s;
}

class SpecWriter {
 public:
  // The bootinfo facts the plan was made for; the table fields of the
  // header (counts, offsets, sizes) are filled in by bytes().
  SpecHeader header{};
  std::vector<ExpectedUntyped> untypeds;
  std::vector<Step> steps;
  std::vector<PdEntry> pds;
  std::string strings;

  void expect_untyped(uint64_t paddr, uint8_t size_bits, bool is_device, uint8_t bind = kBindExact) {
    ExpectedUntyped u{};
    u.paddr = paddr;
    u.size_bits = size_bits;
    u.is_device = is_device ? 1 : 0;
    u.bind = bind;
    untypeds.push_back(u);
  }
  void bind_untyped(uint64_t untyped_index, uint64_t size_bits, uint64_t carve_slot, uint64_t carve_count) {
    BindUntypedStep s{};
    s.kind = uint32_t(StepKind::BindUntyped);
    s.untyped_index = untyped_index;
    s.size_bits = size_bits;
    s.carve_slot = carve_slot;
    s.carve_count = carve_count;
    steps.push_back(as_step(s));
  }
  void retype(ObjectKind kind, uint64_t untyped_index, uint64_t size_bits, uint64_t count,
              uint64_t dest_slot) {
    RetypeStep s{};
    s.kind = uint32_t(StepKind::Retype);
    s.object_kind = uint32_t(kind);
    s.untyped_index = untyped_index;
    s.size_bits = size_bits;
    s.count = count;
    s.dest_slot = dest_slot;
    steps.push_back(as_step(s));
  }
  void copy(uint64_t src, uint64_t dest_cnode, uint64_t dest_index, uint64_t depth, uint32_t rights) {
    steps.push_back(as_step(cap_step(StepKind::Copy, src, dest_cnode, dest_index, depth, rights, 0)));
  }
  void mint(uint64_t src, uint64_t dest_cnode, uint64_t dest_index, uint64_t depth, uint32_t rights,
            uint64_t badge) {
    steps.push_back(as_step(cap_step(StepKind::Mint, src, dest_cnode, dest_index, depth, rights, badge)));
  }
  void asid_pool_assign(uint64_t vspace) { slots(StepKind::AsidPoolAssign, {vspace}); }
  void map_page_table(uint64_t pt, uint64_t vspace, uint64_t vaddr) {
    slots(StepKind::MapPageTable, {pt, vspace, vaddr});
  }
  void map_frame(uint64_t frame, uint64_t vspace, uint64_t vaddr, uint32_t rights, uint64_t attributes) {
    MapFrameStep s{};
    s.kind = uint32_t(StepKind::MapFrame);
    s.rights = rights;
    s.frame_slot = frame;
    s.vspace_slot = vspace;
    s.vaddr = vaddr;
    s.attributes = attributes;
    steps.push_back(as_step(s));
  }
  void tcb_configure(uint64_t tcb, uint64_t cspace, uint64_t cspace_data, uint64_t vspace,
                     uint64_t ipc_vaddr, uint64_t ipc_frame) {
    slots(StepKind::TcbConfigure, {tcb, cspace, cspace_data, vspace, ipc_vaddr, ipc_frame});
  }
  void tcb_sched_params(uint64_t tcb, uint64_t authority, uint64_t mcp, uint64_t priority, uint64_t sc,
                        uint64_t fault_ep) {
    slots(StepKind::TcbSetSchedParams, {tcb, authority, mcp, priority, sc, fault_ep});
  }
  void sched_control(uint64_t core, uint64_t sc, uint64_t budget_us, uint64_t period_us,
                     uint64_t extra_refills, uint64_t badge, uint64_t flags) {
    slots(StepKind::SchedControlConfigure, {core, sc, budget_us, period_us, extra_refills, badge, flags});
  }
  void write_registers(uint64_t tcb, uint64_t pc, uint64_t sp) {
    slots(StepKind::TcbWriteRegisters, {tcb, pc, sp});
  }
  void bind_notification(uint64_t tcb, uint64_t ntfn) { slots(StepKind::TcbBindNotification, {tcb, ntfn}); }
  void resume(uint64_t tcb) { slots(StepKind::TcbResume, {tcb}); }
  void sched_context_bind(uint64_t sc, uint64_t ntfn) { slots(StepKind::SchedContextBind, {sc, ntfn}); }
  void name_thread(uint64_t tcb, uint64_t pd_index) { slots(StepKind::TcbSetName, {tcb, pd_index}); }
  void set_flags(uint64_t tcb, uint64_t clear, uint64_t set) { slots(StepKind::TcbSetFlags, {tcb, clear, set}); }
  void domain_set(uint64_t tcb, uint64_t domain) { slots(StepKind::DomainSet, {tcb, domain}); }
  void schedule_configure(uint64_t index, uint64_t domain, uint64_t ticks) {
    slots(StepKind::DomainScheduleConfigure, {index, domain, ticks});
  }
  void schedule_start(uint64_t index) { slots(StepKind::DomainScheduleSetStart, {index}); }
  void fault_page(uint64_t pd_index, uint64_t frame, uint64_t vaddr, uint32_t flags) {
    steps.push_back(slots_step(StepKind::FaultPage, {pd_index, frame, vaddr}));
    steps.back().small = flags;
  }
  void crash_dump(uint64_t pd_index) { slots(StepKind::CrashDump, {pd_index}); }
  void irq_issue(uint64_t irq, uint32_t trigger, uint64_t dest_cnode, uint64_t dest_index, uint64_t depth) {
    Step s = slots_step(StepKind::IrqIssue, {irq, dest_cnode, dest_index, depth});
    s.small = trigger;
    steps.push_back(s);
  }
  void irq_set_notification(uint64_t handler, uint64_t ntfn) {
    slots(StepKind::IrqSetNotification, {handler, ntfn});
  }

  // Passive PDs give sc_slot and notification_slot; active ones neither.
  uint32_t add_pd(std::string_view name, uint64_t fault_badge, uint64_t tcb_slot, uint64_t sc_slot = 0,
                  uint64_t notification_slot = 0) {
    PdEntry e{};
    e.name_offset = uint32_t(strings.size());
    e.name_size = uint32_t(name.size());
    e.fault_badge = fault_badge;
    e.tcb_slot = tcb_slot;
    e.sc_slot = sc_slot;
    e.notification_slot = notification_slot;
    strings.append(name);
    pds.push_back(e);
    return uint32_t(pds.size() - 1);
  }

  // Header, untypeds, steps, PDs, strings; each table 8-aligned.
  std::vector<uint8_t> bytes() const {
    SpecHeader h = header;
    h.magic = kSpecMagic;
    h.version = kSpecVersion;
    uint64_t at = sizeof(SpecHeader);
    h.untyped_count = uint32_t(untypeds.size());
    h.untyped_offset = uint32_t(at);
    at += untypeds.size() * sizeof(ExpectedUntyped);
    h.step_count = uint32_t(steps.size());
    h.step_offset = uint32_t(at);
    at += steps.size() * sizeof(Step);
    h.pd_count = uint32_t(pds.size());
    h.pd_offset = uint32_t(at);
    at += pds.size() * sizeof(PdEntry);
    h.strings_offset = uint32_t(at);
    h.strings_size = uint32_t(strings.size());
    at += strings.size();
    h.total_size = (at + 7) / 8 * 8;
    std::vector<uint8_t> out(h.total_size, 0);
    std::memcpy(out.data(), &h, sizeof h);
    put(out, h.untyped_offset, untypeds);
    put(out, h.step_offset, steps);
    put(out, h.pd_offset, pds);
    std::memcpy(out.data() + h.strings_offset, strings.data(), strings.size());
    return out;
  }

 private:
  static CapStep cap_step(StepKind kind, uint64_t src, uint64_t dest_cnode, uint64_t dest_index,
                          uint64_t depth, uint32_t rights, uint64_t badge) {
    CapStep s{};
    s.kind = uint32_t(kind);
    s.rights = rights;
    s.src_slot = src;
    s.dest_cnode_slot = dest_cnode;
    s.dest_index = dest_index;
    s.dest_depth = depth;
    s.badge = badge;
    return s;
  }
  static Step slots_step(StepKind kind, std::initializer_list<uint64_t> args) {
    Step s{};
    s.kind = uint32_t(kind);
    size_t i = 0;
    for (uint64_t a : args) s.arg[i++] = a;
    return s;
  }
  void slots(StepKind kind, std::initializer_list<uint64_t> args) { steps.push_back(slots_step(kind, args)); }
  template <class T>
  static void put(std::vector<uint8_t>& out, uint64_t offset, const std::vector<T>& table) {
    if (!table.empty()) std::memcpy(out.data() + offset, table.data(), table.size() * sizeof(T));
  }
};

}  // namespace microkit::initialiser_spec
