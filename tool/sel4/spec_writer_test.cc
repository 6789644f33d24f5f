// Tests for write_spec: the bytes decode with the initialiser's own checks
// (runtime/initialiser/spec_decode.h, built for the host) and say what the
// seL4 plan decided.
#include "sel4/spec_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"
#include "plan/sel4_test_world.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/spec_test_support.h"

namespace microkit::sel4 {
namespace {

namespace is = initialiser_spec;
using spec_test_support::as;
using spec_test_support::spec_steps;

using World = plan::test_support::Sel4TestWorld;
constexpr uint64_t kUiPaddr = plan::test_support::kTestUserImagePaddr;
constexpr uint64_t kUiVaddr = plan::test_support::kTestUserImageVaddr;

bool make_world(World& w, bool passive_server = false) {
  return plan::test_support::plan_client_server(w, {.passive_server = passive_server});
}

SpecInputs spec_inputs(const World& w) {
  SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &w.sp;
  in.boot = &w.boot;
  in.package = &w.pkg;
  in.user_image_paddr = kUiPaddr;
  in.user_image_vaddr = kUiVaddr;
  return in;
}

using plan::test_support::decoder_facts;

// The seL4 plan again, after a test changed w.plan (the world's one MR
// has no prefill).
bool replan(World& w) {
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.resize(1);
  Diagnostics d;
  auto sp = plan::plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

TEST(SpecWriter, EveryStepPassesTheInitialisersChecks) {
  World w;
  ASSERT_TRUE(make_world(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  is::SpecHeader h;
  std::memcpy(&h, bytes->data(), sizeof h);
  EXPECT_EQ(initialiser::check_header(h, bytes->size()), nullptr);
  auto facts = decoder_facts(w);
  EXPECT_EQ(initialiser::check_boot_facts(h, facts), nullptr);
  EXPECT_EQ(h.total_size, bytes->size());
  EXPECT_EQ(h.untyped_count, w.boot.untypeds.size());
  EXPECT_EQ(h.pd_count, 2u);
  auto steps = spec_steps(*bytes);
  ASSERT_FALSE(steps.empty());
  for (size_t i = 0; i < steps.size(); ++i) {
    const char* why = initialiser::check_step(steps[i], facts);
    EXPECT_EQ(why, nullptr) << "step " << i << " (" << initialiser::step_name(steps[i].kind)
                            << "): " << why;
  }
  EXPECT_EQ(initialiser::first_untyped_difference(bytes->data(), h, [&](uint64_t i) {
              is::ExpectedUntyped e{};
              e.paddr = w.boot.untypeds[i].paddr;
              e.size_bits = w.boot.untypeds[i].size_bits;
              e.is_device = w.boot.untypeds[i].is_device;
              return e;
            }), -1);
}

std::vector<is::PdEntry> pd_entries_of(const std::vector<uint8_t>& bytes) {
  is::SpecHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  std::vector<is::PdEntry> out(h.pd_count);
  std::memcpy(out.data(), bytes.data() + h.pd_offset, h.pd_count * sizeof(is::PdEntry));
  return out;
}

// A PD's fault symbol table is carried as given, after the string table,
// 8-aligned, and named by its PdEntry; a PD without one has 0/0; the
// initialiser's checks accept it and refuse an entry pointing outside.
TEST(SpecWriter, FaultSymbolTablesFollowTheStringsAndAreNamedByTheirPd) {
  World w;
  ASSERT_TRUE(make_world(w));
  std::vector<std::vector<uint8_t>> tables(2);
  for (int i = 0; i < 21; ++i) tables[1].push_back(uint8_t(0xa0 + i));
  SpecInputs in = spec_inputs(w);
  in.fault_symbols = &tables;
  Diagnostics d;
  auto bytes = write_spec(in, d);
  ASSERT_TRUE(bytes);
  is::SpecHeader h;
  std::memcpy(&h, bytes->data(), sizeof h);
  EXPECT_EQ(initialiser::check_header(h, bytes->size()), nullptr);
  auto facts = decoder_facts(w);
  EXPECT_EQ(initialiser::check_pds(bytes->data(), h, facts), nullptr);
  auto pds = pd_entries_of(*bytes);
  ASSERT_EQ(pds.size(), 2u);
  EXPECT_EQ(pds[0].symbols_offset, 0u);
  EXPECT_EQ(pds[0].symbols_size, 0u);
  EXPECT_EQ(pds[1].symbols_size, 21u);
  EXPECT_EQ(pds[1].symbols_offset % 8, 0u);
  EXPECT_GE(pds[1].symbols_offset, h.strings_offset + h.strings_size);
  ASSERT_LE(pds[1].symbols_offset + pds[1].symbols_size, h.total_size);
  EXPECT_TRUE(std::equal(tables[1].begin(), tables[1].end(), bytes->begin() + pds[1].symbols_offset));
  EXPECT_EQ(h.total_size % 8, 0u);
  // Without tables, the same spec is shorter by the table and its padding.
  auto plain = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(plain);
  EXPECT_EQ(bytes->size(), plain->size() + 24);
  // An entry pointing past the spec is refused.
  is::PdEntry bad = pds[1];
  bad.symbols_offset = uint32_t(h.total_size);
  std::memcpy(bytes->data() + h.pd_offset + sizeof(is::PdEntry), &bad, sizeof bad);
  EXPECT_NE(initialiser::check_pds(bytes->data(), h, facts), nullptr);
}

// The PD table names a passive PD's SC and the notification its TCB is bound
// to (the SchedContextBind step below uses the same two slots).
TEST(SpecWriter, PassivePdsNameTheirSchedulingContext) {
  World w;
  ASSERT_TRUE(make_world(w, /*passive_server=*/true));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  auto pds = pd_entries_of(*bytes);
  ASSERT_EQ(pds.size(), 2u);
  EXPECT_EQ(pds[0].sc_slot, 0u);  // client: active
  EXPECT_NE(pds[1].sc_slot, 0u);  // server: passive
  EXPECT_NE(pds[1].sc_slot, pds[1].tcb_slot);
  EXPECT_EQ(pds[0].notification_slot, 0u);
  EXPECT_NE(pds[1].notification_slot, 0u);
  EXPECT_NE(pds[1].notification_slot, pds[1].sc_slot);
  EXPECT_NE(pds[1].notification_slot, pds[1].tcb_slot);
  // It is the notification the server's TCB is bound to.
  auto steps = spec_steps(*bytes);
  bool bound = false;
  for (const auto& s : steps) {
    if (s.kind != uint32_t(is::StepKind::TcbBindNotification)) continue;
    auto b = as<is::TcbPairStep>(s);
    if (b.a_slot == pds[1].tcb_slot) bound = b.b_slot == pds[1].notification_slot;
  }
  EXPECT_TRUE(bound);
}

// Without this step the passive server's SC never reaches its notification
// and a signal sent before its init() returned is lost with the SC (the
// hand-off the kernel does when the PD first blocks needs the binding).
TEST(SpecWriter, PassivePdsLendTheirSchedulingContextToTheirNotificationAtBoot) {
  World w;
  ASSERT_TRUE(make_world(w, /*passive_server=*/true));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  auto pds = pd_entries_of(*bytes);
  auto steps = spec_steps(*bytes);
  size_t binds = 0, sched_params = steps.size(), bind = steps.size(), resume = steps.size();
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind == uint32_t(is::StepKind::SchedContextBind)) {
      ++binds;
      bind = i;
      auto b = as<is::TcbPairStep>(steps[i]);
      EXPECT_EQ(b.a_slot, pds[1].sc_slot);
      EXPECT_EQ(b.b_slot, pds[1].notification_slot);
    }
    if (steps[i].kind == uint32_t(is::StepKind::TcbSetSchedParams) &&
        as<is::TcbSetSchedParamsStep>(steps[i]).tcb_slot == pds[1].tcb_slot)
      sched_params = i;
    if (steps[i].kind == uint32_t(is::StepKind::TcbResume) && as<is::SingleSlotStep>(steps[i]).slot == pds[1].tcb_slot)
      resume = i;
  }
  EXPECT_EQ(binds, 1u);  // the server only: the client is active
  EXPECT_LT(sched_params, bind);  // the SC drives the TCB first (init on its own SC)
  EXPECT_LT(bind, resume);
  EXPECT_EQ(as<is::TcbSetSchedParamsStep>(steps[sched_params]).sc_slot, pds[1].sc_slot);
}

// Each PD's thread gets its PD's name in the kernel (debug output names it).
TEST(SpecWriter, EveryThreadIsNamedAfterItsPd) {
  World w;
  ASSERT_TRUE(make_world(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  auto pds = pd_entries_of(*bytes);
  std::vector<uint64_t> named(pds.size(), 0);
  for (const auto& s : spec_steps(*bytes)) {
    if (s.kind != uint32_t(is::StepKind::TcbSetName)) continue;
    auto n = as<is::TcbSetNameStep>(s);
    ASSERT_LT(n.pd_index, pds.size());
    EXPECT_EQ(n.tcb_slot, pds[n.pd_index].tcb_slot);
    ++named[n.pd_index];
  }
  for (size_t i = 0; i < pds.size(); ++i) EXPECT_EQ(named[i], 1u) << "PD " << i;
}

TEST(SpecWriter, RetypesCreateEveryObjectOnceAndThreadsResumeLast) {
  World w;
  ASSERT_TRUE(make_world(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  auto steps = spec_steps(*bytes);
  uint64_t created = 0;
  size_t resumes = 0, first_resume = steps.size();
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind == uint32_t(is::StepKind::Retype)) created += as<is::RetypeStep>(steps[i]).count;
    if (steps[i].kind == uint32_t(is::StepKind::TcbResume)) {
      ++resumes;
      first_resume = std::min(first_resume, i);
    }
  }
  size_t retyped = 0;
  for (const auto& o : w.sp.objects) retyped += o.source == plan::KernelObject::Source::Untyped;
  EXPECT_EQ(created, retyped);
  EXPECT_EQ(resumes, 2u);
  EXPECT_EQ(first_resume, steps.size() - 2);
}

TEST(SpecWriter, FpuOffIsATcbFlagOnlyWhereAsked) {
  World w;
  ASSERT_TRUE(make_world(w));
  ASSERT_TRUE(w.pkg.config.have_fpu);
  w.plan.pds[1].fpu = false;
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  auto pds = pd_entries_of(*bytes);
  std::vector<uint64_t> flagged;
  for (const auto& s : spec_steps(*bytes)) {
    if (s.kind != uint32_t(is::StepKind::TcbSetFlags)) continue;
    auto f = as<is::TcbSetFlagsStep>(s);
    EXPECT_EQ(f.set, is::kTcbFlagFpuDisabled);
    EXPECT_EQ(f.clear, 0u);
    flagged.push_back(f.tcb_slot);
  }
  EXPECT_EQ(flagged, std::vector<uint64_t>{pds[1].tcb_slot});
  // A kernel without an FPU has nothing to turn off.
  w.pkg.config.have_fpu = false;
  bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  for (const auto& s : spec_steps(*bytes)) EXPECT_NE(s.kind, uint32_t(is::StepKind::TcbSetFlags));
}

// The schedule goes in after every thread is resumed, ends with the start
// index, and an end marker at entry 0 (the kernel's boot-time start) waits
// until the start has moved.
TEST(SpecWriter, DomainsAndTheScheduleReachTheKernel) {
  World w;
  ASSERT_TRUE(make_world(w));
  w.plan.pds[0].domain = 1;
  w.plan.pds[1].domain = 2;
  plan::DomainSchedule sched;
  sched.index_shift = 0;
  sched.start_index = 1;
  sched.slots = {{true, 0, 0, sdf::ScheduleEntry::Unit::Microseconds},
                 {false, 1, 1000, sdf::ScheduleEntry::Unit::Microseconds},
                 {false, 2, 77, sdf::ScheduleEntry::Unit::Ticks}};
  w.plan.domain_schedule = sched;
  ASSERT_TRUE(w.pkg.config.timer_frequency);
  uint64_t hz = *w.pkg.config.timer_frequency;
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes) << d.error_count();
  auto steps = spec_steps(*bytes);
  auto pds = pd_entries_of(*bytes);
  auto facts = decoder_facts(w);
  std::map<uint64_t, uint64_t> domain_of_tcb;
  size_t last_resume = 0;
  std::vector<std::string> tail;
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(initialiser::check_step(steps[i], facts), nullptr) << i;
    auto kind = is::StepKind(steps[i].kind);
    if (kind == is::StepKind::TcbResume) last_resume = i;
    if (kind == is::StepKind::DomainSet) {
      auto s = as<is::DomainSetStep>(steps[i]);
      domain_of_tcb[s.tcb_slot] = s.domain;
    }
    if (kind == is::StepKind::DomainScheduleConfigure) {
      auto s = as<is::DomainScheduleConfigureStep>(steps[i]);
      tail.push_back("entry " + std::to_string(s.index) + " domain " + std::to_string(s.domain) +
                     " ticks " + std::to_string(s.duration));
    }
    if (kind == is::StepKind::DomainScheduleSetStart)
      tail.push_back("start " + std::to_string(as<is::DomainScheduleSetStartStep>(steps[i]).index));
  }
  EXPECT_EQ(domain_of_tcb[pds[0].tcb_slot], 1u);
  EXPECT_EQ(domain_of_tcb[pds[1].tcb_slot], 2u);
  EXPECT_EQ(tail, (std::vector<std::string>{"entry 1 domain 1 ticks " + std::to_string(hz / 1000),
                                            "entry 2 domain 2 ticks 77", "start 1",
                                            "entry 0 domain 0 ticks 0"}));
  EXPECT_EQ(last_resume, steps.size() - 5) << "the schedule comes after every resume";
}

// Without the kernel's timer frequency, microseconds cannot become ticks:
// an error rather than a guess (the validator reports it first when the
// package is known; this is the back end's own guard).
TEST(SpecWriter, ScheduleInMicrosecondsNeedsTheTimerFrequency) {
  World w;
  ASSERT_TRUE(make_world(w));
  w.plan.pds[0].domain = 0;
  w.plan.pds[1].domain = 0;
  plan::DomainSchedule sched;
  sched.slots = {{false, 0, 1000, sdf::ScheduleEntry::Unit::Microseconds}};
  w.plan.domain_schedule = sched;
  w.pkg.config.timer_frequency.reset();
  Diagnostics d;
  EXPECT_FALSE(write_spec(spec_inputs(w), d).has_value());
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "domain-schedule-duration");
  // In ticks it needs no frequency.
  w.plan.domain_schedule->slots[0].unit = sdf::ScheduleEntry::Unit::Ticks;
  Diagnostics ok;
  EXPECT_TRUE(write_spec(spec_inputs(w), ok).has_value());
  EXPECT_FALSE(ok.has_errors());
}

TEST(SpecWriter, BadgedCapsAreMintedIntoThePdCNode) {
  World w;
  ASSERT_TRUE(make_world(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  std::map<uint64_t, is::CapStep> into_pd_cnode;  // dest_index -> step, depth 10 writes
  size_t irq_issues = 0;
  for (const auto& s : spec_steps(*bytes)) {
    if (s.kind == uint32_t(is::StepKind::IrqIssue)) {
      auto irq = as<is::IrqIssueStep>(s);
      EXPECT_EQ(irq.irq, 79u);
      EXPECT_EQ(irq.trigger, is::kTriggerEdge);
      ++irq_issues;
    }
    if (s.kind != uint32_t(is::StepKind::Mint) && s.kind != uint32_t(is::StepKind::Copy)) continue;
    auto cap = as<is::CapStep>(s);
    if (cap.dest_depth == pd_abi::kCNodeBits) into_pd_cnode[cap.dest_index] = cap;
  }
  EXPECT_EQ(irq_issues, 1u);
  ASSERT_TRUE(into_pd_cnode.count(pd_abi::ppc_endpoint_slot(1)));
  auto ppc = into_pd_cnode[pd_abi::ppc_endpoint_slot(1)];
  EXPECT_EQ(ppc.kind, uint32_t(is::StepKind::Mint));
  EXPECT_EQ(ppc.badge, pd_abi::ppc_badge(2));
  ASSERT_TRUE(into_pd_cnode.count(pd_abi::notification_slot(1)));
  EXPECT_EQ(into_pd_cnode[pd_abi::notification_slot(1)].badge, pd_abi::notification_badge(2));
  EXPECT_EQ(into_pd_cnode[pd_abi::notification_slot(1)].rights, is::kRightWrite);
  EXPECT_TRUE(into_pd_cnode.count(pd_abi::irq_slot(9)));
}

TEST(SpecWriter, SharedFramesAreCopiedForTheirSecondMapping) {
  World w;
  ASSERT_TRUE(make_world(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  std::vector<uint64_t> frame_slots;
  std::map<uint64_t, uint64_t> vaddr_to_slot;
  for (const auto& s : spec_steps(*bytes))
    if (s.kind == uint32_t(is::StepKind::MapFrame)) {
      auto m = as<is::MapFrameStep>(s);
      vaddr_to_slot[m.vaddr] = m.frame_slot;
      frame_slots.push_back(m.frame_slot);
      if (m.vaddr == 0x2000000) {
        EXPECT_EQ(m.rights, is::kRightRead);
      }
      if (m.vaddr == 0x200000) {
        EXPECT_EQ(m.attributes, is::kMapCacheable | is::kMapExecutable);
      }
    }
  ASSERT_TRUE(vaddr_to_slot.count(0x1000000) && vaddr_to_slot.count(0x2000000));
  EXPECT_NE(vaddr_to_slot[0x1000000], vaddr_to_slot[0x2000000]);
  // No cap is mapped twice.
  std::sort(frame_slots.begin(), frame_slots.end());
  EXPECT_EQ(std::adjacent_find(frame_slots.begin(), frame_slots.end()), frame_slots.end());
}

// A prefilled MR with 2 MiB pages: each frame with bytes is filled after
// its Retype and before its first mapping, from the user image, through a
// 2 MiB-aligned scratch block below the user image.
TEST(SpecWriter, LargePrefilledFramesAreFilledBeforeTheyAreMapped) {
  World w;
  ASSERT_TRUE(make_world(w));
  auto& mr = w.plan.mrs[0];
  mr.size = 0x400000;
  mr.page_size = 0x200000;
  mr.prefill = std::vector<uint8_t>(0x2100, 7);
  mr.prefill_size = 0x2100;
  w.plan.pds[0].mappings = {{0, 0x40000000, 0x400000, true, true, false, true}};
  w.plan.pds[1].mappings.clear();
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.assign(1, {kUiPaddr + 0x110000, kUiPaddr + 0x111000, kUiPaddr + 0x112000});
  Diagnostics d;
  auto sp = plan::plan_sel4(w.plan, si, d);
  ASSERT_TRUE(sp);
  w.sp = *sp;
  SpecInputs in = spec_inputs(w);
  in.user_image_vaddr = 0x400000;  // where initialiser.ld puts it
  auto bytes = write_spec(in, d);
  ASSERT_TRUE(bytes);
  auto steps = spec_steps(*bytes);
  size_t fills = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind != uint32_t(is::StepKind::FillFrame)) continue;
    ++fills;
    auto f = as<is::FillFrameStep>(steps[i]);
    EXPECT_EQ(f.size_bits, 21u);
    EXPECT_EQ(f.src_vaddr, 0x400000u + 0x110000u);
    EXPECT_EQ(f.length, 0x3000u);
    EXPECT_EQ(f.dest_offset, 0u);
    EXPECT_EQ(f.scratch_vaddr, 0x200000u);
    bool retyped_before = false, mapped_after = false, mapped_before = false;
    for (size_t k = 0; k < steps.size(); ++k) {
      if (steps[k].kind == uint32_t(is::StepKind::Retype)) {
        auto r = as<is::RetypeStep>(steps[k]);
        if (f.frame_slot >= r.dest_slot && f.frame_slot < r.dest_slot + r.count) retyped_before = k < i;
      }
      if (steps[k].kind == uint32_t(is::StepKind::MapFrame) && as<is::MapFrameStep>(steps[k]).frame_slot == f.frame_slot)
        (k < i ? mapped_before : mapped_after) = true;
    }
    EXPECT_TRUE(retyped_before);
    EXPECT_TRUE(mapped_after);
    EXPECT_FALSE(mapped_before);
  }
  EXPECT_EQ(fills, 1u);  // the second frame has no bytes: the kernel's zeroes
}

TEST(SpecWriter, PdCNodeCapDataIsAGuardOfTheRemainingBits) {
  EXPECT_EQ(pd_cnode_cap_data(), 64u - pd_abi::kCNodeBits);
}

// A world whose one MR has `pages` 4 KiB pages, all mapped into the client.
bool make_world_with_big_mr(World& w, uint64_t pages) {
  if (!make_world(w)) return false;
  w.plan.mrs[0].size = pages * 0x1000;
  w.plan.pds[0].mappings = {{0, 0x1000000, pages * 0x1000, true, true, false, true}};
  w.plan.pds[1].mappings.clear();
  return replan(w);
}

// The retype counts of a spec, in step order.
std::vector<uint64_t> retype_counts(const std::vector<uint8_t>& bytes) {
  std::vector<uint64_t> out;
  for (const auto& s : spec_steps(bytes))
    if (s.kind == uint32_t(is::StepKind::Retype)) out.push_back(as<is::RetypeStep>(s).count);
  return out;
}

// seL4_Untyped_Retype refuses more than RETYPE_FAN_OUT_LIMIT objects with
// seL4_RangeError (error 4): 1,000 frames in one run become several steps,
// each at most the package's limit, and together they create every object.
TEST(SpecWriter, RetypesStayWithinTheKernelsFanOutLimit) {
  World w;
  ASSERT_TRUE(make_world_with_big_mr(w, 1000));
  ASSERT_EQ(w.pkg.config.retype_fan_out_limit, 256u);
  size_t retyped = 0;
  for (const auto& o : w.sp.objects) retyped += o.source == plan::KernelObject::Source::Untyped;
  for (uint32_t limit : {256u, 7u}) {
    w.pkg.config.retype_fan_out_limit = limit;
    Diagnostics d;
    auto bytes = write_spec(spec_inputs(w), d);
    ASSERT_TRUE(bytes) << limit;
    auto counts = retype_counts(*bytes);
    uint64_t total = 0;
    for (uint64_t c : counts) {
      EXPECT_LE(c, limit);
      total += c;
    }
    EXPECT_EQ(total, retyped) << limit;
    EXPECT_EQ(*std::max_element(counts.begin(), counts.end()), limit) << "runs are cut at the limit, not below";
    auto facts = decoder_facts(w);
    facts.retype_fan_out_limit = limit;
    for (const auto& s : spec_steps(*bytes)) EXPECT_EQ(initialiser::check_step(s, facts), nullptr);
  }
}

// Too many objects for the initial task's CNode: the error says how many
// slots are free and names the memory region that takes the most, at its
// SDF element.
TEST(SpecWriter, RunningOutOfRootSlotsNamesTheBiggestUser) {
  World w;
  ASSERT_TRUE(make_world_with_big_mr(w, 300));
  w.boot.empty.end = w.boot.empty.start + 250;  // a CNode with 250 free slots
  sdf::SystemDescription sdf;
  sdf.file = "limits.system";
  sdf.pds.resize(2);
  sdf.pds[0].loc = {10, 5};
  sdf.pds[1].loc = {20, 5};
  sdf.mrs.resize(1);
  sdf.mrs[0].loc = {3, 5};
  SpecInputs in = spec_inputs(w);
  in.sdf = &sdf;
  Diagnostics d;
  auto bytes = write_spec(in, d);
  EXPECT_FALSE(bytes);
  ASSERT_EQ(d.error_count(), 1u);
  const Diagnostic& e = d.all()[0];
  EXPECT_EQ(e.id, "initialiser-out-of-slots");
  EXPECT_EQ(e.file, "limits.system");
  EXPECT_EQ(e.loc, (Loc{3, 5}));
  EXPECT_NE(e.message.find("CNode has 250 free"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("memory region 'shared' takes 300"), std::string::npos) << e.message;
  EXPECT_NE(e.hint.find("page_size"), std::string::npos);
  // The next biggest users come as notes at their elements: the server
  // (its endpoint and IRQ handler take slots the client does not need),
  // then the client.
  ASSERT_EQ(d.all().size(), 3u);
  EXPECT_EQ(d.all()[1].severity, Severity::Note);
  EXPECT_NE(d.all()[1].message.find("protection domain 'server'"), std::string::npos) << d.all()[1].message;
  EXPECT_EQ(d.all()[1].loc, (Loc{20, 5}));
  EXPECT_NE(d.all()[2].message.find("protection domain 'client'"), std::string::npos) << d.all()[2].message;
  EXPECT_EQ(d.all()[2].loc, (Loc{10, 5}));
}

TEST(SpecWriter, MorePdsThanTheInitialiserHandlesIsAnError) {
  World w;
  ASSERT_TRUE(make_world(w));
  for (size_t i = w.plan.pds.size(); i <= is::kMaxPds; ++i) {
    plan::Pd pd = w.plan.pds[0];
    pd.name = "extra" + std::to_string(i);
    pd.mappings.clear();
    for (auto& c : pd.channels) c = {};
    w.plan.pds.push_back(pd);
  }
  ASSERT_TRUE(replan(w));
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  EXPECT_FALSE(bytes);
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "initialiser-too-many-pds");
}

}  // namespace
}  // namespace microkit::sel4

namespace microkit::sel4 {
namespace {

std::vector<is::FaultPageStep> fault_pages_of(const std::vector<uint8_t>& bytes) {
  std::vector<is::FaultPageStep> out;
  for (const auto& s : spec_steps(bytes))
    if (s.kind == uint32_t(is::StepKind::FaultPage)) out.push_back(as<is::FaultPageStep>(s));
  return out;
}

// Debug kernels: every stack page of every PD is recorded for backtraces,
// through a copy of its frame cap the initialiser may map; crash_dump adds
// the pages it names and a CrashDump step. Release kernels print nothing, so
// nothing is recorded.
TEST(SpecWriter, FaultPagesRecordStacksAndWhatCrashDumpNames) {
  World w;
  ASSERT_TRUE(make_world(w));
  w.pkg.config.debug_build = true;
  w.pkg.config.printing = true;
  Diagnostics d;
  auto bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes) << d.all().size();
  auto pages = fault_pages_of(*bytes);
  uint64_t stack_pages = 0;
  for (size_t pd = 0; pd < w.plan.pds.size(); ++pd) stack_pages += w.plan.pds[pd].stack_size / 4096;
  ASSERT_EQ(pages.size(), stack_pages);
  auto facts = decoder_facts(w);
  std::map<uint64_t, uint64_t> copied;  // dest slot -> source slot, from Copy steps
  for (const auto& s : spec_steps(*bytes))
    if (s.kind == uint32_t(is::StepKind::Copy)) copied[as<is::CapStep>(s).dest_index] = as<is::CapStep>(s).src_slot;
  for (const auto& p : pages) {
    EXPECT_EQ(p.flags, is::kFaultPageStack);
    EXPECT_LT(p.pd_index, w.plan.pds.size());
    EXPECT_EQ(p.vaddr % 4096, 0u);
    EXPECT_LT(p.vaddr, w.sp.pds[p.pd_index].stack_top);
    EXPECT_GE(p.vaddr, w.sp.pds[p.pd_index].stack_top - w.plan.pds[p.pd_index].stack_size);
    EXPECT_TRUE(copied.count(p.frame_slot)) << "the frame slot is a copy made for the initialiser";
    is::Step raw;
    std::memcpy(&raw, &p, sizeof raw);
    EXPECT_EQ(initialiser::check_step(raw, facts), nullptr);
  }
  for (const auto& s : spec_steps(*bytes)) EXPECT_NE(s.kind, uint32_t(is::StepKind::CrashDump));

  w.plan.pds[1].crash_dump.enabled = true;
  w.plan.pds[1].crash_dump.stack = true;
  bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  for (const auto& p : fault_pages_of(*bytes))
    EXPECT_EQ(p.flags, p.pd_index == 1 ? is::kFaultPageStack | is::kFaultPageDump : is::kFaultPageStack);
  std::vector<uint64_t> dumped;
  for (const auto& s : spec_steps(*bytes))
    if (s.kind == uint32_t(is::StepKind::CrashDump)) dumped.push_back(as<is::CrashDumpStep>(s).pd_index);
  EXPECT_EQ(dumped, std::vector<uint64_t>{1});

  w.pkg.config.debug_build = false;
  w.pkg.config.printing = false;
  bytes = write_spec(spec_inputs(w), d);
  ASSERT_TRUE(bytes);
  EXPECT_TRUE(fault_pages_of(*bytes).empty());
}

// Debug configurations: a child's fault reaches the initial task from its
// parent under the child's report key, and its stack pages are recorded
// like those of a PD without a parent; release builds record neither.
TEST(SpecWriter, ChildrensFaultsAreKnownByTheirReportKey) {
  World w;
  ASSERT_TRUE(make_world(w));
  w.plan.pds[0].children = {1};  // the server becomes the client's child 2
  w.plan.pds[1].parent = 0;
  w.plan.pds[1].child_id = 2;
  for (bool debug : {true, false}) {
    w.pkg.config.debug_build = debug;
    w.pkg.config.printing = debug;
    ASSERT_TRUE(replan(w));
    Diagnostics d;
    auto bytes = write_spec(spec_inputs(w), d);
    ASSERT_TRUE(bytes) << d.all().size();
    auto pds = pd_entries_of(*bytes);
    ASSERT_EQ(pds.size(), 2u);
    EXPECT_EQ(pds[0].fault_badge, pd_abi::monitor_badge(0));
    EXPECT_EQ(pds[1].fault_badge, debug ? pd_abi::report_key(0, 2) : 0u);
    is::SpecHeader h;
    std::memcpy(&h, bytes->data(), sizeof h);
    EXPECT_EQ(initialiser::check_pds(bytes->data(), h, decoder_facts(w)), nullptr);
    uint64_t child_pages = 0;
    for (const auto& p : fault_pages_of(*bytes)) child_pages += p.pd_index == 1;
    EXPECT_EQ(child_pages, debug ? w.plan.pds[1].stack_size / 4096 : 0u);
  }
}

}  // namespace
}  // namespace microkit::sel4
