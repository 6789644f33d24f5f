// Host tests of the initialiser spec format (initialiser_spec.h) and the
// checks the initial task runs before each invocation (spec_decode.h):
// bytes written by SpecWriter decode to the same records, and every kind of
// bad input is refused with its own message.
#include "runtime/initialiser/spec_decode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "runtime/initialiser/host/spec_writer.h"
#include "runtime/initialiser/test_boot_facts.h"

namespace microkit::initialiser {
namespace {

using spec::SpecWriter;
using spec::StepKind;

constexpr uint64_t kRoot = 2;  // seL4_CapInitThreadCNode

BootFacts facts() { return test_support::boot_facts(); }

SpecWriter writer() {
  BootFacts b = facts();
  SpecWriter w;
  w.header.empty_start = b.empty_start;
  w.header.empty_end = b.empty_end;
  w.header.user_image_frames_start = b.user_image_frames_start;
  w.header.user_image_frames_end = b.user_image_frames_end;
  w.header.untyped_start = b.untyped_start;
  w.header.sched_control_start = b.sched_control_start;
  w.header.sched_control_count = 1;
  w.header.user_image_vaddr = b.user_image_vaddr;
  w.header.fault_ep_slot = 1000;
  w.header.reply_slot = 1001;
  w.expect_untyped(0x0, 29, true);
  w.expect_untyped(0x60000000, 12, false);
  w.expect_untyped(0x80000000, 30, false);
  return w;
}

spec::SpecHeader header_of(const std::vector<uint8_t>& bytes) { return read_at<spec::SpecHeader>(bytes.data(), 0); }
spec::Step step_of(const std::vector<uint8_t>& bytes, uint64_t n) {
  auto h = header_of(bytes);
  return read_at<spec::Step>(bytes.data(), h.step_offset + n * spec::kStepSize);
}
const char* check_only_step(const SpecWriter& w) {
  auto bytes = w.bytes();
  return check_step(step_of(bytes, 0), facts());
}

TEST(InitialiserSpec, RoundTripOfEveryTable) {
  SpecWriter w = writer();
  w.retype(spec::ObjectKind::Endpoint, 2, 0, 1, 1000);
  w.mint(1000, kRoot, 1002, 64, spec::kRightsAll, 0x8000000000000005ull);
  w.map_frame(25, 1003, 0x200000, spec::kRightRead, spec::kMapCacheable | spec::kMapExecutable);
  w.sched_control(0, 1004, 1000, 1000, 0, 0, 0);
  w.resume(1005);
  w.tcb_configure(1005, 1006, 0, 1003, 0xfffffff000, 1007);
  w.irq_issue(33, spec::kTriggerEdge, kRoot, 1008, 64);
  w.add_pd("ping", 7, 1005);
  w.add_pd("pong", 8, 1006, 1004, 1009);  // passive: SC and notification
  auto bytes = w.bytes();
  auto h = header_of(bytes);
  ASSERT_EQ(check_header(h, bytes.size()), nullptr);
  EXPECT_EQ(check_boot_facts(h, facts()), nullptr);
  EXPECT_EQ(check_pds(bytes.data(), h, facts()), nullptr);
  ASSERT_EQ(h.step_count, 7u);
  for (uint64_t i = 0; i < h.step_count; ++i) EXPECT_EQ(check_step(step_of(bytes, i), facts()), nullptr) << i;

  auto retype = read_at<spec::RetypeStep>(bytes.data(), h.step_offset);
  EXPECT_EQ(retype.kind, uint32_t(StepKind::Retype));
  EXPECT_EQ(retype.object_kind, uint32_t(spec::ObjectKind::Endpoint));
  EXPECT_EQ(retype.untyped_index, 2u);
  EXPECT_EQ(retype.dest_slot, 1000u);
  auto mint = read_at<spec::CapStep>(bytes.data(), h.step_offset + 64);
  EXPECT_EQ(mint.badge, 0x8000000000000005ull);
  EXPECT_EQ(mint.dest_index, 1002u);
  auto map = read_at<spec::MapFrameStep>(bytes.data(), h.step_offset + 128);
  EXPECT_EQ(map.vaddr, 0x200000u);
  EXPECT_EQ(map.attributes, spec::kMapCacheable | spec::kMapExecutable);

  EXPECT_EQ(pd_for_badge(bytes.data(), h, 8), 1);
  EXPECT_EQ(pd_for_badge(bytes.data(), h, 9), -1);
  EXPECT_EQ(pd_for_badge(bytes.data(), h, 0), -1);
  auto pong = read_at<spec::PdEntry>(bytes.data(), h.pd_offset + sizeof(spec::PdEntry));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()) + h.strings_offset + pong.name_offset,
                        pong.name_size),
            "pong");
  EXPECT_EQ(pong.tcb_slot, 1006u);
  EXPECT_EQ(pong.sc_slot, 1004u);
  EXPECT_EQ(pong.notification_slot, 1009u);
  auto ping = read_at<spec::PdEntry>(bytes.data(), h.pd_offset);
  EXPECT_EQ(ping.sc_slot, 0u);
  EXPECT_EQ(ping.notification_slot, 0u);
}

TEST(InitialiserSpec, LittleEndianBytesOnTheWire) {
  auto bytes = writer().bytes();
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "MKIS");
  EXPECT_EQ(bytes[4], spec::kSpecVersion);
  EXPECT_EQ(bytes[16], 3);  // untyped_count
  EXPECT_EQ(bytes[20], 128);  // untyped table right after the header
}

TEST(InitialiserSpec, HeaderRefusals) {
  auto good = writer().bytes();
  auto h = header_of(good);
  auto bad = h;
  bad.magic ^= 1;
  EXPECT_STREQ(check_header(bad, good.size()), "no spec here (bad magic)");
  bad = h;
  bad.version = spec::kSpecVersion + 1;
  EXPECT_STREQ(check_header(bad, good.size()), "the spec format version is not the initialiser's");
  EXPECT_STREQ(check_header(h, good.size() - 8), "the spec's size does not fit the user image");
  bad = h;
  bad.step_count = 1000;
  EXPECT_STREQ(check_header(bad, good.size()), "the step table is outside the spec");
  bad = h;
  bad.untyped_offset = 4;
  EXPECT_STREQ(check_header(bad, good.size()), "the untyped table is outside the spec");
  bad = h;
  bad.pd_count = spec::kMaxPds + 1;
  EXPECT_STREQ(check_header(bad, good.size()), "too many PDs");
  bad = h;
  bad.strings_size = 1;
  EXPECT_STREQ(check_header(bad, good.size()), "the string table is outside the spec");
}

TEST(InitialiserSpec, BootFactsMustMatchThePlan) {
  auto h = header_of(writer().bytes());
  EXPECT_EQ(check_boot_facts(h, facts()), nullptr);
  BootFacts b = facts();
  b.untyped_end += 1;
  EXPECT_STREQ(check_boot_facts(h, b), "the number or slots of untypeds differ from the plan");
  b = facts();
  b.user_image_frames_end += 1;
  EXPECT_STREQ(check_boot_facts(h, b), "the user image frames differ from the plan (image layout)");
  b = facts();
  b.empty_start += 1;
  EXPECT_STREQ(check_boot_facts(h, b), "the free slot region differs from the plan");
  b = facts();
  b.sched_control_end += 1;
  EXPECT_STREQ(check_boot_facts(h, b), "the sched control caps differ from the plan (kernel config)");
  auto no_reply = h;
  no_reply.reply_slot = 0;
  EXPECT_STREQ(check_boot_facts(no_reply, facts()), "the reply slot is not a planned slot");
}

TEST(InitialiserSpec, FirstUntypedDifferenceIsFound) {
  SpecWriter w = writer();
  auto bytes = w.bytes();
  auto h = header_of(bytes);
  auto same = [&](uint64_t i) { return w.untypeds[i]; };
  EXPECT_EQ(first_untyped_difference(bytes.data(), h, same), -1);
  auto second_is_device = [&](uint64_t i) {
    auto u = w.untypeds[i];
    if (i >= 1) u.is_device = 1;
    return u;
  };
  EXPECT_EQ(first_untyped_difference(bytes.data(), h, second_is_device), 1);
  auto third_smaller = [&](uint64_t i) {
    auto u = w.untypeds[i];
    if (i == 2) u.size_bits = 29;
    return u;
  };
  EXPECT_EQ(first_untyped_difference(bytes.data(), h, third_smaller), 2);
}

// A bound spec (x86-64): planned untypeds, each made real by a BindUntyped
// step; the kernel's untyped count and free-slot start may differ.
SpecWriter bound_writer() {
  SpecWriter w = writer();
  w.untypeds.clear();
  w.expect_untyped(0xfe800000, 22, true, spec::kBindDevice);
  w.expect_untyped(0x1000000, 24, false, spec::kBindRam);
  w.header.empty_start = 1100;  // the kernel's 1000 + room for more untypeds
  w.header.fault_ep_slot = 1100;
  w.header.reply_slot = 1101;
  return w;
}

TEST(InitialiserSpec, BoundSpecsPlanTheirOwnUntypeds) {
  SpecWriter w = bound_writer();
  w.bind_untyped(1, 20, 1102, 1);
  w.bind_untyped(0, 16, 1103, 73);
  auto bytes = w.bytes();
  auto h = header_of(bytes);
  bool bound = false;
  ASSERT_EQ(check_untyped_binding(bytes.data(), h, bound), nullptr);
  EXPECT_TRUE(bound);
  EXPECT_EQ(check_boot_facts(h, facts(), bound), nullptr);   // 3 real untypeds, 2 planned
  EXPECT_STREQ(check_boot_facts(h, facts()), "the free slot region differs from the plan");
  BootFacts b = facts();
  b.bound_untypeds = h.untyped_count;
  EXPECT_EQ(check_step(step_of(bytes, 0), b), nullptr);
  EXPECT_EQ(check_step(step_of(bytes, 1), b), nullptr);
  b.empty_start = 1200;  // the kernel handed out more than the plan left room for
  EXPECT_STREQ(check_boot_facts(h, b, true), "the free slot region differs from the plan");
}

TEST(InitialiserSpec, BindingRefusals) {
  SpecWriter w = bound_writer();
  w.untypeds[1].bind = spec::kBindExact;
  auto bytes = w.bytes();
  bool bound = false;
  EXPECT_STREQ(check_untyped_binding(bytes.data(), header_of(bytes), bound), "exact and bound untypeds mixed");
  w = bound_writer();
  w.untypeds[1].bind = spec::kBindDevice;  // not a device untyped
  bytes = w.bytes();
  EXPECT_STREQ(check_untyped_binding(bytes.data(), header_of(bytes), bound),
               "untyped binding does not match its device flag");
  w = bound_writer();
  w.untypeds[0].bind = 7;
  bytes = w.bytes();
  EXPECT_STREQ(check_untyped_binding(bytes.data(), header_of(bytes), bound), "unknown untyped binding");

  BootFacts b = facts();
  b.empty_start = 1100;
  b.bound_untypeds = 2;
  w = bound_writer();
  w.bind_untyped(2, 20, 1102, 1);
  EXPECT_STREQ(check_step(step_of(w.bytes(), 0), b), "untyped index out of range");
  w.steps.clear();
  w.bind_untyped(1, 20, 1099, 1);
  EXPECT_STREQ(check_step(step_of(w.bytes(), 0), b), "destination slots outside the free slot region");
  w.steps.clear();
  w.bind_untyped(1, 2, 1102, 1);
  EXPECT_STREQ(check_step(step_of(w.bytes(), 0), b), "object size out of range");
  b.bound_untypeds = 0;  // an exact spec has nothing to bind
  w.steps.clear();
  w.bind_untyped(1, 20, 1102, 1);
  EXPECT_STREQ(check_step(step_of(w.bytes(), 0), b), "untyped binding in a spec with exact untypeds");
}

TEST(InitialiserSpec, PageTableKindsOfEveryArchitecture) {
  SpecWriter w = writer();
  for (uint32_t kind : {0u, uint32_t(spec::ObjectKind::X86Pdpt), uint32_t(spec::ObjectKind::X86PageDirectory),
                        uint32_t(spec::ObjectKind::Tcb)}) {
    w.steps.clear();
    spec::MapPageTableStep m{};
    m.kind = uint32_t(StepKind::MapPageTable);
    m.table_kind = kind;
    m.pt_slot = 1000;
    m.vspace_slot = 1001;
    m.vaddr = 0x40000000;
    spec::Step raw;
    std::memcpy(&raw, &m, sizeof raw);
    bool is_table = kind != uint32_t(spec::ObjectKind::Tcb);
    EXPECT_STREQ(check_step(raw, facts()), is_table ? nullptr : "unknown page table kind") << kind;
  }
}

TEST(InitialiserSpec, RetypeRefusals) {
  SpecWriter w = writer();
  w.retype(spec::ObjectKind::Tcb, 3, 0, 1, 1000);  // only untypeds 0..2
  EXPECT_STREQ(check_only_step(w), "untyped index out of range");
  w.steps.clear();
  w.retype(spec::ObjectKind::Tcb, 0, 0, 1, 999);  // below the empty region
  EXPECT_STREQ(check_only_step(w), "destination slots outside the free slot region");
  w.steps.clear();
  w.retype(spec::ObjectKind::Tcb, 0, 0, 2, (1u << 17) - 1);  // runs off the end
  EXPECT_STREQ(check_only_step(w), "destination slots outside the free slot region");
  w.steps.clear();
  w.retype(static_cast<spec::ObjectKind>(99), 0, 0, 1, 1000);
  EXPECT_STREQ(check_only_step(w), "unknown object kind");
  w.steps.clear();
  w.retype(spec::ObjectKind::Tcb, 0, 0, 0, 1000);
  EXPECT_STREQ(check_only_step(w), "retype of zero objects");
}

// The kernel refuses a Retype of more objects than its fan-out limit
// (seL4_RangeError); the initialiser says so before asking it.
TEST(InitialiserSpec, RetypeBeyondTheFanOutLimitIsRefused) {
  SpecWriter w = writer();
  BootFacts b = facts();
  b.retype_fan_out_limit = 256;
  w.retype(spec::ObjectKind::SmallPage, 2, 0, 256, 1000);
  auto bytes = w.bytes();
  EXPECT_EQ(check_step(step_of(bytes, 0), b), nullptr);
  w.steps.clear();
  w.retype(spec::ObjectKind::SmallPage, 2, 0, 257, 1000);
  bytes = w.bytes();
  EXPECT_STREQ(check_step(step_of(bytes, 0), b), "more objects than the kernel's retype fan-out limit");
}

TEST(InitialiserSpec, StepRefusals) {
  SpecWriter w = writer();
  spec::Step unknown{};
  unknown.kind = spec::kMaxStepKind + 1;
  EXPECT_STREQ(check_step(unknown, facts()), "unknown step kind");
  unknown.kind = 0;
  EXPECT_STREQ(check_step(unknown, facts()), "unknown step kind");

  w.copy(5, kRoot, 1000, 64, spec::kRightsAll);
  w.steps[0].arg[4] = 1;  // a badge on a copy
  EXPECT_STREQ(check_only_step(w), "a copy has no badge");
  w.steps.clear();
  w.mint(5, kRoot, 10, 64, spec::kRightsAll, 1);  // over an initial cap
  EXPECT_STREQ(check_only_step(w), "destination slot outside the free slot region");
  w.steps.clear();
  w.mint(0, kRoot, 1000, 64, spec::kRightsAll, 1);
  EXPECT_STREQ(check_only_step(w), "source slot out of range");
  w.steps.clear();
  w.mint(5, 1000, 3, 0, spec::kRightsAll, 1);
  EXPECT_STREQ(check_only_step(w), "destination depth out of range");
  w.steps.clear();
  w.mint(5, 1000, 3, 10, 0x10, 1);
  EXPECT_STREQ(check_only_step(w), "unknown rights bits");
  w.steps.clear();
  w.map_frame(25, 1003, 0x200001, spec::kRightRead, 0);
  EXPECT_STREQ(check_only_step(w), "unaligned virtual address");
  w.steps.clear();
  w.map_frame(25, 1003, 0x200000, spec::kRightRead, 4);
  EXPECT_STREQ(check_only_step(w), "unknown mapping attributes");
  w.steps.clear();
  w.sched_control(0, 1004, 2000, 1000, 0, 0, 0);
  EXPECT_STREQ(check_only_step(w), "budget must be in 1..period");
  w.steps.clear();
  w.sched_control(1, 1004, 1000, 1000, 0, 0, 0);
  EXPECT_STREQ(check_only_step(w), "core out of range");
  w.steps.clear();
  w.write_registers(1005, 0x200000, 0xffffffe008);
  EXPECT_STREQ(check_only_step(w), "stack pointer not 16-byte aligned");
  w.steps.clear();
  w.tcb_sched_params(1005, 1, 256, 100, 1004, 1000);
  EXPECT_STREQ(check_only_step(w), "priority out of range");
  w.steps.clear();
  w.resume(1u << 17);
  EXPECT_STREQ(check_only_step(w), "slot out of range");
  w.steps.clear();
  w.resume(1005);
  w.steps[0].arg[6] = 1;
  EXPECT_STREQ(check_only_step(w), "reserved field not zero");
  w.steps.clear();
  w.resume(1005);
  w.steps[0].small = 1;
  EXPECT_STREQ(check_only_step(w), "reserved field not zero");
  w.steps.clear();
  w.tcb_configure(1005, 1006, 0, 1003, 0xfffffff200, 1007);
  EXPECT_STREQ(check_only_step(w), "IPC buffer not aligned to its size");
  w.steps.clear();
  w.irq_issue(33, 2, kRoot, 1000, 64);
  EXPECT_STREQ(check_only_step(w), "unknown IRQ trigger");
}

TEST(InitialiserSpec, OptionalSlotsMayBeNone) {
  SpecWriter w = writer();
  w.tcb_sched_params(1005, 1, 100, 100, 0, 0);  // passive, no fault endpoint
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.clear();
  w.tcb_sched_params(1005, 0, 100, 100, 0, 0);  // but an authority is required
  EXPECT_STREQ(check_only_step(w), "slot out of range");
}

TEST(InitialiserSpec, PdTableRefusals) {
  SpecWriter w = writer();
  w.add_pd("a", 5, 1005);
  w.add_pd("b", 5, 1006);
  auto bytes = w.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "two PDs share a fault badge");
  SpecWriter v = writer();
  v.add_pd("a", 5, 1005);
  v.pds[0].name_size = 2;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "PD name outside the string table");
  v.pds[0].name_size = 0;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "PD name size out of range");
  v.pds[0].name_size = 1;
  v.pds[0].sc_slot = 1u << 17;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "PD scheduling context slot out of range");
  v.pds[0].sc_slot = 1004;
  v.pds[0].notification_slot = 1u << 17;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "PD notification slot out of range");
  // A passive PD's SC has nowhere to go without its notification, and a
  // notification alone means the tool lost the SC.
  v.pds[0].notification_slot = 0;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()),
               "passive PD without both a scheduling context and a notification slot");
  v.pds[0].sc_slot = 0;
  v.pds[0].notification_slot = 1009;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()),
               "passive PD without both a scheduling context and a notification slot");
  v.pds[0].sc_slot = 1004;
  bytes = v.bytes();
  EXPECT_EQ(check_pds(bytes.data(), header_of(bytes), facts()), nullptr);
  v.pds[0].sc_slot = 0;
  v.pds[0].notification_slot = 0;
  v.pds[0].tcb_slot = 0;
  bytes = v.bytes();
  EXPECT_STREQ(check_pds(bytes.data(), header_of(bytes), facts()), "PD TCB slot out of range");
}

TEST(InitialiserSpec, StepNamesCoverEveryKind) {
  for (uint32_t k = 0; k <= spec::kMaxStepKind + 8; ++k) {
    EXPECT_EQ(std::string(step_name(k)) != "unknown", spec::is_step_kind(k)) << k;
  }
  EXPECT_STREQ(step_name(uint32_t(StepKind::BindUntyped)), "bind untyped");
  EXPECT_STREQ(step_name(uint32_t(StepKind::SchedContextBind)), "bind scheduling context to notification");
  EXPECT_STREQ(step_name(uint32_t(StepKind::TcbSetName)), "name TCB");
  EXPECT_STREQ(step_name(uint32_t(StepKind::DomainSet)), "set TCB domain");
  EXPECT_STREQ(step_name(spec::kMaxStepKind + 1), "unknown");
  spec::Step s{};
  s.kind = spec::kMaxStepKind + 1;
  EXPECT_STREQ(check_step(s, facts()), "unknown step kind");
}

// A fill copies inside its frame, from inside the user image (vaddr
// 0x400000, 20 frames in facts()), through an aligned scratch block.
TEST(InitialiserSpec, FillFrameRefusals) {
  auto fill = [](uint32_t bits, uint64_t src, uint64_t len, uint64_t off, uint64_t scratch) {
    spec::FillFrameStep f{};
    f.kind = uint32_t(StepKind::FillFrame);
    f.size_bits = bits;
    f.frame_slot = 1005;
    f.src_vaddr = src;
    f.length = len;
    f.dest_offset = off;
    f.scratch_vaddr = scratch;
    return read_at<spec::Step>(reinterpret_cast<const uint8_t*>(&f), 0);
  };
  EXPECT_EQ(check_step(fill(21, 0x400000, 0x14000, 0, 0x200000), facts()), nullptr);
  EXPECT_EQ(check_step(fill(21, 0x410000, 0x4000, 0x1fc000, 0x200000), facts()), nullptr);
  EXPECT_STREQ(check_step(fill(20, 0x400000, 1, 0, 0x200000), facts()), "frame size is not a page size");
  EXPECT_STREQ(check_step(fill(21, 0x400000, 1, 0, 0x201000), facts()), "scratch address not aligned to the frame");
  EXPECT_STREQ(check_step(fill(21, 0x400000, 0x2000, 0x1ff000, 0x200000), facts()), "copy outside the frame");
  EXPECT_STREQ(check_step(fill(21, 0x400000, 0, 0, 0x200000), facts()), "copy outside the frame");
  EXPECT_STREQ(check_step(fill(21, 0x400000, 0x14001, 0, 0x200000), facts()), "copy source outside the user image");
  EXPECT_STREQ(check_step(fill(21, 0x3ff000, 0x10, 0, 0x200000), facts()), "copy source outside the user image");
  spec::Step bad = fill(21, 0x400000, 1, 0, 0x200000);
  bad.arg[0] = 0;
  EXPECT_STREQ(check_step(bad, facts()), "slot out of range");
  bad = fill(21, 0x400000, 1, 0, 0x200000);
  bad.arg[6] = 1;
  EXPECT_STREQ(check_step(bad, facts()), "reserved field not zero");
}

TEST(InitialiserSpec, SchedContextBindIsTwoSlots) {
  SpecWriter w = writer();
  w.sched_context_bind(1004, 1009);
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps[0].arg[1] = 0;
  EXPECT_STREQ(check_only_step(w), "slot out of range");
  w.steps[0].arg[1] = 1009;
  w.steps[0].arg[2] = 1;
  EXPECT_STREQ(check_only_step(w), "reserved field not zero");
}

// A thread's name comes from the PD table: the index must be inside it.
TEST(InitialiserSpec, NameThreadNamesAPdOfTheTable) {
  SpecWriter w = writer();
  w.add_pd("a", 5, 1005);
  w.name_thread(1005, 0);
  auto bytes = w.bytes();
  auto h = header_of(bytes);
  EXPECT_EQ(check_step(step_of(bytes, 0), facts()), nullptr);
  EXPECT_EQ(check_step_in_spec(step_of(bytes, 0), h), nullptr);
  w.steps[0].arg[1] = 1;
  bytes = w.bytes();
  EXPECT_EQ(check_step(step_of(bytes, 0), facts()), nullptr);
  EXPECT_STREQ(check_step_in_spec(step_of(bytes, 0), header_of(bytes)), "PD index out of range");
  w.steps[0].arg[1] = 0;
  w.steps[0].arg[0] = 0;
  bytes = w.bytes();
  EXPECT_STREQ(check_step(step_of(bytes, 0), facts()), "slot out of range");
}

// Fault report steps are only recorded: their checks are the whole story
// (a known flag, a page-aligned address, a slot, a PD of the table).
TEST(InitialiserSpec, FaultPageAndCrashDumpSteps) {
  SpecWriter w = writer();
  w.add_pd("a", 5, 1005);
  w.fault_page(0, 1006, 0xffffffd000, spec::kFaultPageStack | spec::kFaultPageDump);
  w.crash_dump(0);
  auto bytes = w.bytes();
  auto h = header_of(bytes);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(check_step(step_of(bytes, i), facts()), nullptr) << i;
    EXPECT_EQ(check_step_in_spec(step_of(bytes, i), h), nullptr) << i;
  }
  EXPECT_STREQ(step_name(uint32_t(StepKind::FaultPage)), "record fault page");
  auto page = [&](auto change) {
    SpecWriter v = writer();
    v.add_pd("a", 5, 1005);
    v.fault_page(0, 1006, 0xffffffd000, spec::kFaultPageStack);
    change(v.steps[0]);
    auto b = v.bytes();
    const char* why = check_step(step_of(b, 0), facts());
    return why ? std::string(why) : std::string(check_step_in_spec(step_of(b, 0), header_of(b)) ?: "ok");
  };
  EXPECT_EQ(page([](spec::Step& s) { s.small = 0; }), "unknown fault page flags");
  EXPECT_EQ(page([](spec::Step& s) { s.small = 4; }), "unknown fault page flags");
  EXPECT_EQ(page([](spec::Step& s) { s.arg[2] += 8; }), "unaligned virtual address");
  EXPECT_EQ(page([](spec::Step& s) { s.arg[1] = 0; }), "slot out of range");
  EXPECT_EQ(page([](spec::Step& s) { s.arg[3] = 1; }), "reserved field not zero");
  EXPECT_EQ(page([](spec::Step& s) { s.arg[0] = 1; }), "PD index out of range");
  EXPECT_EQ(page([](spec::Step&) {}), "ok");
}

// fpu and domains (TcbSetFlags, DomainSet, DomainScheduleConfigure/SetStart): what a valid step looks like and what the
// decoder refuses before the kernel sees it.
TEST(InitialiserSpec, FlagAndDomainSteps) {
  SpecWriter w = writer();
  w.set_flags(1000, 0, spec::kTcbFlagFpuDisabled);
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.clear();
  w.set_flags(1000, 0, 2);
  EXPECT_STREQ(check_only_step(w), "unknown TCB flags");
  w.steps.clear();
  w.set_flags(0, 0, 1);
  EXPECT_STREQ(check_only_step(w), "slot out of range");
  w.steps.clear();
  w.domain_set(1000, 3);
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.clear();
  w.domain_set(1000, 256);
  EXPECT_STREQ(check_only_step(w), "domain out of range");
  w.steps.clear();
  w.schedule_configure(5, 2, 62500);
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.clear();
  w.schedule_configure(5, 0, 0);  // an end marker
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.clear();
  w.schedule_configure(5, 2, 0);
  EXPECT_STREQ(check_only_step(w), "an end marker has domain 0");
  w.steps.clear();
  w.schedule_configure(5, 2, spec::kMaxDomainTicks + 1);
  EXPECT_STREQ(check_only_step(w), "duration does not fit in 56 bits");
  w.steps.clear();
  w.schedule_start(1);
  EXPECT_EQ(check_only_step(w), nullptr);
  w.steps.back().arg[1] = 7;
  EXPECT_STREQ(check_only_step(w), "reserved field not zero");
  EXPECT_STREQ(step_name(uint32_t(spec::StepKind::DomainScheduleSetStart)), "start domain schedule");
}

}  // namespace
}  // namespace microkit::initialiser
