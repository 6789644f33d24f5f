// Tests for the <cspace> grants beyond the official three (docs/cspace.md),
// from the SDF through plan::build and plan_sel4 to the initialiser's spec:
// each cap at MICROKIT_PD_BASE_USER_CAPS + slot with the object, rights,
// badge or guard asked for; untyped grants placed as seL4 will retype them;
// the free-slot range left empty; planning errors at the grant's element.
// The seL4 parts run on the facts of the real qemu_virt_aarch64 build.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sdf/parse.h"
#include "sdf/validate.h"
#include "sel4/spec_writer.h"
#include "sel4/spec_test_support.h"

namespace microkit::plan {
namespace {

namespace is = initialiser_spec;
using spec_test_support::steps_of;
using test_support::Sel4TestWorld;

constexpr const char* kSystem = R"(<system>
  <memory_region name="shared" size="0x2000" />
  <protection_domain name="server" priority="200">
    <program_image path="server.elf" />
  </protection_domain>
  <protection_domain name="manager" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      <cap_cnode slot="4" pd="manager" name="self" />
      <cap_notification slot="5" pd="server" rights="w" badge="0x10" />
      <cap_endpoint slot="6" pd="server" rights="wg" />
      <cap_mr slot="7" mr="shared" perms="rw" />
      <untyped slot="9" size="0x100000" count="4" name="heap" />
      <cnode slot="13" slots="256" />
      <free_slots count="64" setvar_first="first_free" />
    </cspace>
  </protection_domain>
  <channel>
    <end pd="manager" id="0" pp="true" />
    <end pd="server" id="0" />
  </channel>
</system>
)";

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

elf::ElfFile program_with(const std::string& symbol) {
  elf::ElfFile e;
  elf::Symbol s;
  s.name = symbol;
  s.value = 0x201000;
  s.size = 8;
  e.symbols.push_back(s);
  return e;
}

// The system of `text` parsed, validated, built and planned for seL4.
struct Planned {
  sdf::SystemDescription sd;
  Sel4TestWorld w;
  bool ok = false;
};

// prefill: bytes of the prefill file "blob.bin", placed in the user image
// one 4 KiB page after another from kPrefillPaddr.
constexpr uint64_t kPrefillPaddr = test_support::kTestUserImagePaddr + 0x180000;

void plan_text(Planned& p, const std::string& text, Diagnostics& d, size_t prefill = 0) {
  auto sd = sdf::parse(text, "grants.system", d);
  ASSERT_TRUE(sd) << describe(d);
  p.sd = *sd;
  auto board = test_support::test_aarch64_board();
  sdf::validate(p.sd, board, test_support::test_debug_config(), d);
  ASSERT_EQ(d.error_count(), 0u) << describe(d);
  Inputs in;
  in.programs["server.elf"] = elf::ElfFile{};
  in.programs["manager.elf"] = program_with("first_free");
  if (prefill) in.prefills["blob.bin"] = std::vector<uint8_t>(prefill, 0xab);
  auto plan = build(p.sd, board, test_support::test_debug_config(), in, d);
  ASSERT_TRUE(plan) << describe(d);
  ASSERT_TRUE(test_support::load_test_kernel(p.w, d)) << describe(d);
  p.w.plan = *plan;
  Sel4Inputs si = test_support::test_sel4_inputs(p.w);
  si.sdf = &p.sd;
  si.mr_prefill_pages.resize(p.w.plan.mrs.size());
  for (size_t m = 0; m < p.w.plan.mrs.size(); ++m)
    if (p.w.plan.mrs[m].prefill_size)
      for (uint64_t k = 0; k < p.w.plan.mrs[m].size / 0x1000; ++k)
        si.mr_prefill_pages[m].push_back(kPrefillPaddr + k * 0x1000);
  auto sp = plan_sel4(p.w.plan, si, d);
  if (!sp) return;
  p.w.sp = *sp;
  p.ok = true;
}

const Cap* cap_at(const PdObjects& po, uint64_t user_slot) {
  for (const Cap& c : po.caps)
    if (c.slot == pd_abi::user_cap_slot(user_slot)) return &c;
  return nullptr;
}

constexpr size_t kServer = 0, kManager = 1;

TEST(CspaceGrants, EachCapLandsAtItsSlotWithTheRightsAndBadgeAsked) {
  Planned p;
  Diagnostics d;
  plan_text(p, kSystem, d);
  ASSERT_TRUE(p.ok) << describe(d);
  const auto& sp = p.w.sp;
  const PdObjects& server = sp.pds[kServer];
  const PdObjects& manager = sp.pds[kManager];

  const Cap* self = cap_at(manager, 4);
  ASSERT_TRUE(self);
  EXPECT_EQ(self->object, manager.cnode);
  EXPECT_EQ(self->badge, 64u - MICROKIT_PD_CNODE_BITS);  // guard size: CPtr == slot at depth 64

  const Cap* notification = cap_at(manager, 5);
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->object, server.notification);
  EXPECT_EQ(notification->badge, 0x10u);
  EXPECT_EQ(notification->rights, (CapRights{false, true, false, false}));

  const Cap* endpoint = cap_at(manager, 6);
  ASSERT_TRUE(endpoint);
  ASSERT_TRUE(server.endpoint);  // it receives the manager's PPCs
  EXPECT_EQ(endpoint->object, *server.endpoint);
  EXPECT_EQ(endpoint->rights, (CapRights{false, true, true, true}));

  // Two 4 KiB frames of 'shared', in order, read-write, at slots 7 and 8.
  ASSERT_EQ(sp.mr_frames[0].size(), 2u);
  for (uint64_t k = 0; k < 2; ++k) {
    const Cap* frame = cap_at(manager, 7 + k);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->object, sp.mr_frames[0][k]);
    EXPECT_EQ(frame->rights, (CapRights{true, true, false, false}));
  }

  for (uint64_t k = 0; k < 4; ++k) {
    const Cap* ut = cap_at(manager, 9 + k);
    ASSERT_TRUE(ut);
    const KernelObject& o = sp.objects[ut->object];
    EXPECT_EQ(o.type, ObjType::Untyped);
    EXPECT_EQ(o.size(), 0x100000u);
  }

  const Cap* cnode = cap_at(manager, 13);
  ASSERT_TRUE(cnode);
  const KernelObject& c = sp.objects[cnode->object];
  EXPECT_EQ(c.type, ObjType::CNode);
  EXPECT_EQ(c.cnode_slot_bits, 8u);
  EXPECT_EQ(c.size_bits, 8u + p.w.pkg.sizes.slot);
  EXPECT_EQ(cnode->badge, 64u - 8u);
  EXPECT_EQ(cap_at(manager, 14), nullptr);  // nothing after the last grant
}

TEST(CspaceGrants, UntypedsAreAlignedToTheirSizeInRamAndReplayToTheirAddresses) {
  Planned p;
  Diagnostics d;
  plan_text(p, kSystem, d);
  ASSERT_TRUE(p.ok) << describe(d);
  const auto& sp = p.w.sp;
  std::vector<size_t> granted;
  for (uint64_t k = 0; k < 4; ++k) granted.push_back(cap_at(sp.pds[kManager], 9 + k)->object);
  for (size_t g : granted) {
    const KernelObject& o = sp.objects[g];
    const auto& ut = sp.untypeds[o.untyped];
    EXPECT_FALSE(ut.is_device);
    EXPECT_EQ(o.paddr % o.size(), 0u);
    EXPECT_GE(o.paddr, ut.paddr);
    EXPECT_LE(o.paddr + o.size(), ut.end());
    // The retype list of its untyped, replayed with seL4's rule, puts it there.
    const auto& list = sp.untyped_use[o.untyped].objects;
    auto at = replay_retypes(sp, o.untyped);
    auto pos = std::find(list.begin(), list.end(), g);
    ASSERT_NE(pos, list.end());
    EXPECT_EQ(at[size_t(pos - list.begin())], o.paddr);
  }
  // No two objects of the plan overlap.
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& o : sp.objects)
    if (o.source == KernelObject::Source::Untyped) spans.push_back({o.paddr, o.paddr + o.size()});
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
}

TEST(CspaceGrants, TheFreeSlotRangeHoldsNothingAndItsStartIsPatched) {
  Planned p;
  Diagnostics d;
  plan_text(p, kSystem, d);
  ASSERT_TRUE(p.ok) << describe(d);
  const Pd& manager = p.w.plan.pds[kManager];
  EXPECT_EQ(manager.free_slots, 64u);
  for (const PdObjects& po : p.w.sp.pds)
    for (const Cap& c : po.caps) EXPECT_LT(c.slot, MICROKIT_PD_SLOTS_END) << c.what;
  EXPECT_LE(MICROKIT_PD_SLOTS_END + manager.free_slots, MICROKIT_PD_CNODE_SLOTS);
  auto patch = std::find_if(manager.patches.begin(), manager.patches.end(),
                            [](const SymbolPatch& s) { return s.symbol == "first_free"; });
  ASSERT_NE(patch, manager.patches.end());
  EXPECT_EQ(patch->value, MICROKIT_PD_SLOTS_END);
  EXPECT_EQ(patch->vaddr, 0x201000u);
}

TEST(CspaceGrants, LibmicrokitLearnsItsOwnCNodeWhenTheProgramHasTheVariable) {
  Diagnostics d;
  auto sd = sdf::parse(kSystem, "grants.system", d);
  ASSERT_TRUE(sd);
  auto cnode_patch = [&](elf::ElfFile manager) -> const SymbolPatch* {
    static std::optional<Plan> plan;
    Inputs in;
    in.programs["server.elf"] = elf::ElfFile{};
    in.programs["manager.elf"] = std::move(manager);
    plan = build(*sd, test_support::test_aarch64_board(), test_support::test_debug_config(), in, d);
    if (!plan) return nullptr;
    for (const auto& s : plan->pds[kManager].patches)
      if (s.symbol == "microkit_cspace_cnode") return &s;
    return nullptr;
  };
  elf::ElfFile with = program_with("first_free");
  with.symbols.push_back(program_with("microkit_cspace_cnode").symbols[0]);
  with.symbols.back().value = 0x202000;
  const SymbolPatch* patch = cnode_patch(with);
  ASSERT_TRUE(patch) << describe(d);
  EXPECT_EQ(patch->value, pd_abi::user_cap_slot(4));  // <cap_cnode slot="4" pd="manager">
  EXPECT_EQ(patch->vaddr, 0x202000u);
  // A program built against another libmicrokit has no such variable: no patch, no error.
  EXPECT_EQ(cnode_patch(program_with("first_free")), nullptr);
  EXPECT_EQ(d.error_count(), 0u) << describe(d);
}

// Each grant's caps as the spec writes them: source root slot -> PD slot.
std::map<uint64_t, is::CapStep> copies_into(const std::vector<is::Step>& steps, uint64_t cnode) {
  std::map<uint64_t, is::CapStep> out;
  for (const auto& s : steps) {
    if (s.kind != uint32_t(is::StepKind::Copy) && s.kind != uint32_t(is::StepKind::Mint)) continue;
    is::CapStep c;
    std::memcpy(&c, &s, sizeof c);
    if (c.dest_cnode_slot == cnode && c.dest_index >= MICROKIT_PD_BASE_USER_CAPS) out[c.dest_index] = c;
  }
  return out;
}

TEST(CspaceGrants, TheSpecRetypesUntypedGrantsWithinTheFanOutLimitAndCopiesEach) {
  Planned p;
  Diagnostics d;
  plan_text(p, kSystem, d);
  ASSERT_TRUE(p.ok) << describe(d);
  p.w.pkg.config.retype_fan_out_limit = 3;  // fewer than the 4 granted untypeds
  sel4::SpecInputs in;
  in.plan = &p.w.plan;
  in.sel4 = &p.w.sp;
  in.boot = &p.w.boot;
  in.package = &p.w.pkg;
  in.user_image_paddr = test_support::kTestUserImagePaddr;
  in.user_image_vaddr = test_support::kTestUserImageVaddr;
  auto bytes = sel4::write_spec(in, d);
  ASSERT_TRUE(bytes) << describe(d);
  std::vector<is::Step> steps = spec_test_support::spec_steps(*bytes);
  // Root slot of every retyped object: retypes fill consecutive slots.
  std::map<uint64_t, is::RetypeStep> retyped;  // root slot -> its retype
  uint64_t manager_cnode = 0;
  for (const auto& s : steps) {
    if (s.kind == uint32_t(is::StepKind::TcbConfigure)) {
      is::TcbConfigureStep t;
      std::memcpy(&t, &s, sizeof t);
      manager_cnode = t.cspace_slot;  // the last PD configured is the manager
    }
    if (s.kind != uint32_t(is::StepKind::Retype)) continue;
    is::RetypeStep r;
    std::memcpy(&r, &s, sizeof r);
    EXPECT_LE(r.count, 3u);
    for (uint64_t k = 0; k < r.count; ++k) retyped[r.dest_slot + k] = r;
  }
  auto copies = copies_into(steps, manager_cnode);
  for (uint64_t k = 0; k < 4; ++k) {
    SCOPED_TRACE(k);
    auto it = copies.find(pd_abi::user_cap_slot(9 + k));
    ASSERT_NE(it, copies.end());
    EXPECT_EQ(it->second.kind, uint32_t(is::StepKind::Copy));
    ASSERT_TRUE(retyped.count(it->second.src_slot));
    const auto& r = retyped[it->second.src_slot];
    EXPECT_EQ(r.object_kind, uint32_t(is::ObjectKind::Untyped));
    EXPECT_EQ(r.size_bits, 20u);
  }
  // The CNode grants are minted with their guard; the frames copied read-write.
  EXPECT_EQ(copies[pd_abi::user_cap_slot(4)].kind, uint32_t(is::StepKind::Mint));
  EXPECT_EQ(copies[pd_abi::user_cap_slot(4)].badge, 64u - MICROKIT_PD_CNODE_BITS);
  EXPECT_EQ(copies[pd_abi::user_cap_slot(13)].badge, 56u);
  EXPECT_EQ(copies[pd_abi::user_cap_slot(7)].rights, is::kRightRead | is::kRightWrite);
}

// One-PD systems for the planning errors, each at the grant's element.
std::string one_grant(const std::string& grant) {
  return R"(<system>
  <protection_domain name="server" priority="200">
    <program_image path="server.elf" />
  </protection_domain>
  <protection_domain name="manager" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      )" + grant + R"(
    </cspace>
  </protection_domain>
</system>
)";
}

void expect_error_at_grant(const std::string& grant, const std::string& id) {
  Planned p;
  Diagnostics d;
  plan_text(p, one_grant(grant), d);
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(d.error_count(), 1u) << describe(d);
  EXPECT_EQ(d.all().front().id, id) << describe(d);
  EXPECT_EQ(d.all().front().file, "grants.system");
  EXPECT_EQ(d.all().front().loc, (Loc{8, 7})) << describe(d);  // the grant's '<'
}

TEST(CspaceGrants, UntypedMemoryBeyondTheBoardsRamIsAnErrorAtTheGrant) {
  // 4 x 1 GiB: more than the 2 GiB of RAM qemu_virt_aarch64 has.
  expect_error_at_grant(R"(<untyped slot="1" size="0x40000000" count="4" />)", "out-of-memory");
}

TEST(CspaceGrants, AnUntypedSmallerThanTheKernelMakesIsAnErrorAtTheGrant) {
  expect_error_at_grant(R"(<untyped slot="1" size="8" />)", "untyped-size-out-of-range");
}

TEST(CspaceGrants, TheEndpointOfAPdWithoutOneIsAnErrorAtTheGrant) {
  expect_error_at_grant(R"(<cap_endpoint slot="1" pd="server" />)", "cap-endpoint-none");
}

// The initialiser's steps for a planned system.
std::vector<is::Step> spec_steps(Planned& p, Diagnostics& d) {
  sel4::SpecInputs in;
  in.plan = &p.w.plan;
  in.sel4 = &p.w.sp;
  in.boot = &p.w.boot;
  in.package = &p.w.pkg;
  in.user_image_paddr = test_support::kTestUserImagePaddr;
  in.user_image_vaddr = test_support::kTestUserImageVaddr;
  auto bytes = sel4::write_spec(in, d);
  if (!bytes) return {};
  return spec_test_support::spec_steps(*bytes);
}

TEST(CspaceGrants, SchedControlIsACopyOfTheCoresKernelCap) {
  Planned p;
  Diagnostics d;
  plan_text(p, one_grant(R"(<cap_sched_control slot="3" cpu="0" />)"), d);
  ASSERT_TRUE(p.ok) << describe(d);
  const Cap* cap = cap_at(p.w.sp.pds[kManager], 3);
  ASSERT_TRUE(cap);
  EXPECT_EQ(cap->kind, Cap::Kind::SchedControl);
  EXPECT_EQ(cap->cpu, 0u);
  auto steps = spec_steps(p, d);
  ASSERT_FALSE(steps.empty()) << describe(d);
  bool copied = false;
  for (const auto& c : steps_of<is::CapStep>(steps, is::StepKind::Copy)) {
    if (c.dest_index != pd_abi::user_cap_slot(3)) continue;
    EXPECT_EQ(c.src_slot, p.w.boot.sched_control.start);  // the boot info's cap for core 0
    copied = true;
  }
  EXPECT_TRUE(copied);
}

// The grantee comes first in the SDF, so its CSpace is written before the
// owner's: the handler must still be issued once, bound to the owner.
constexpr const char* kIrqGrants = R"(<system>
  <protection_domain name="manager" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      <cap_irq slot="3" pd="server" id="2" />
      <cap_irq slot="4" irq="40" name="again" />
    </cspace>
  </protection_domain>
  <protection_domain name="server" priority="200">
    <program_image path="server.elf" />
    <irq irq="40" id="2" />
  </protection_domain>
</system>
)";

TEST(CspaceGrants, AnIrqGrantIsACopyOfTheOwnersOneHandler) {
  Planned p;
  Diagnostics d;
  plan_text(p, kIrqGrants, d);
  ASSERT_TRUE(p.ok) << describe(d);
  constexpr size_t kGrantee = 0, kOwner = 1;
  ASSERT_EQ(p.w.sp.irqs.size(), 1u);
  EXPECT_EQ(p.w.sp.irqs[0].pd, kOwner);
  EXPECT_EQ(p.w.sp.irqs[0].notification, p.w.sp.pds[kOwner].notification);
  for (uint64_t slot : {3, 4}) {
    const Cap* cap = cap_at(p.w.sp.pds[kGrantee], slot);
    ASSERT_TRUE(cap) << slot;
    EXPECT_EQ(cap->kind, Cap::Kind::IrqHandler);
    EXPECT_EQ(cap->irq, 0u);
  }
  auto steps = spec_steps(p, d);
  ASSERT_FALSE(steps.empty()) << describe(d);
  auto issued = steps_of<is::IrqIssueStep>(steps, is::StepKind::IrqIssue);
  ASSERT_EQ(issued.size(), 1u);  // seL4 hands out an IRQ's handler once
  EXPECT_EQ(issued[0].irq, 40u);
  uint64_t handler = issued[0].dest_index;
  auto bound = steps_of<is::TcbPairStep>(steps, is::StepKind::IrqSetNotification);
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].a_slot, handler);
  auto configured = steps_of<is::TcbConfigureStep>(steps, is::StepKind::TcbConfigure);  // SDF order
  ASSERT_EQ(configured.size(), 2u);
  uint64_t grantee_cnode = configured[kGrantee].cspace_slot, owner_cnode = configured[kOwner].cspace_slot;
  auto to_grantee = copies_into(steps, grantee_cnode);
  for (uint64_t slot : {3, 4}) {
    ASSERT_TRUE(to_grantee.count(pd_abi::user_cap_slot(slot))) << slot;
    EXPECT_EQ(to_grantee[pd_abi::user_cap_slot(slot)].src_slot, handler) << slot;
  }
  bool owner_has_it = false;
  for (const auto& c : steps_of<is::CapStep>(steps, is::StepKind::Copy))
    owner_has_it |= c.dest_cnode_slot == owner_cnode && c.dest_index == pd_abi::irq_slot(2) && c.src_slot == handler;
  EXPECT_TRUE(owner_has_it);
}

std::string prefilled_grant(const std::string& size_and_page_size) {
  return R"(<system>
  <memory_region name="blob" )" + size_and_page_size + R"( prefill_path="blob.bin" />
  <protection_domain name="server" priority="200">
    <program_image path="server.elf" />
  </protection_domain>
  <protection_domain name="manager" priority="100">
    <program_image path="manager.elf" />
    <cspace>
      <cap_mr slot="1" mr="blob" />
    </cspace>
  </protection_domain>
</system>
)";
}

TEST(CspaceGrants, APrefilledRegionsFramesAreTheBootImagesFrames) {
  Planned p;
  Diagnostics d;
  plan_text(p, prefilled_grant(R"(size="0x4000")"), d, 0x1000);
  ASSERT_TRUE(p.ok) << describe(d);
  ASSERT_EQ(p.w.sp.mr_frames[0].size(), 4u);
  for (uint64_t k = 0; k < 4; ++k) {
    const Cap* cap = cap_at(p.w.sp.pds[kManager], 1 + k);
    ASSERT_TRUE(cap);
    const KernelObject& o = p.w.sp.objects[cap->object];
    EXPECT_EQ(o.source, KernelObject::Source::UserImage);
    EXPECT_EQ(o.paddr, kPrefillPaddr + k * 0x1000);
    EXPECT_EQ(cap->rights, (CapRights{true, false, false, false}));  // perms default to r
  }
}

TEST(CspaceGrants, APrefilledRegionWithLargePagesGrantsItsLargeFrames) {
  // The plan keeps the region's 2 MiB pages (their bytes are copied in at
  // boot), so the grant is one 2 MiB frame in one slot, as the SDF counted.
  Planned p;
  Diagnostics d;
  plan_text(p, prefilled_grant(R"(size="0x200000" page_size="0x200000")"), d, 0x1000);
  ASSERT_TRUE(p.ok) << describe(d);
  ASSERT_EQ(p.w.sp.mr_frames[0].size(), 1u);
  const Cap* cap = cap_at(p.w.sp.pds[kManager], 1);
  ASSERT_TRUE(cap);
  EXPECT_EQ(cap->object, p.w.sp.mr_frames[0][0]);
  EXPECT_EQ(p.w.sp.objects[cap->object].size(), 0x200000u);
  EXPECT_EQ(cap_at(p.w.sp.pds[kManager], 2), nullptr);
}

TEST(CspaceGrants, AsMuchUntypedAsFitsIsAccepted) {
  // 512 MiB in 4 x 128 MiB fits beside the system's own objects.
  Planned p;
  Diagnostics d;
  plan_text(p, one_grant(R"(<untyped slot="1" size="0x8000000" count="4" />)"), d);
  EXPECT_TRUE(p.ok) << describe(d);
}

}  // namespace
}  // namespace microkit::plan
