// Tests for <cspace> user caps from the SDF to the initialiser's steps:
// the validator refuses them on the host platform, plan::build carries them
// (kind, source PD, slot), plan_sel4 puts a copy of the source PD's object at
// MICROKIT_PD_BASE_USER_CAPS + slot, and write_spec copies exactly that cap.
// The seL4 parts run on the facts of the real qemu_virt_aarch64 build
// (MICROKIT_SHARED_DIR).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <tuple>

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
using spec_test_support::as;

constexpr const char* kSystem = R"(<system>
  <protection_domain name="primary" priority="1">
    <program_image path="primary.elf"/>
    <cspace>
      <cap_vspace slot="9" pd="secondary"/>
      <cap_tcb slot="2" pd="secondary"/>
      <cap_sc slot="1" pd="secondary"/>
      <cap_tcb slot="127" pd="primary"/>
    </cspace>
  </protection_domain>
  <protection_domain name="secondary" priority="2" passive="true">
    <program_image path="secondary.elf"/>
  </protection_domain>
</system>
)";

board::Board board_of(board::Arch arch) {
  board::Board b;
  b.name = arch == board::Arch::Host ? "host" : "qemu_virt_aarch64";
  b.arch = arch;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x10000000000};
  b.cpu_count = 1;
  return b;
}

sdf::SystemDescription parse_system(Diagnostics& d) {
  auto sd = sdf::parse(kSystem, "caps.system", d);
  EXPECT_TRUE(sd);
  return sd ? *sd : sdf::SystemDescription{};
}

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

TEST(CspaceCaps, ValidOnAnSel4Board) {
  Diagnostics d;
  auto sd = parse_system(d);
  sdf::validate(sd, board_of(board::Arch::AArch64), test_support::test_debug_config(), d);
  EXPECT_EQ(d.error_count(), 0u) << describe(d);
}

TEST(CspaceCaps, TheHostPlatformRefusesEachAtItsElementSayingWhy) {
  Diagnostics d;
  auto sd = parse_system(d);
  sdf::validate(sd, board_of(board::Arch::Host), test_support::test_debug_config(), d);
  ASSERT_EQ(d.error_count(), 4u) << describe(d);
  for (const Diagnostic& e : d.all()) {
    EXPECT_EQ(e.id, "cspace-not-on-host");
    EXPECT_EQ(e.file, "caps.system");
    EXPECT_EQ(e.loc.column, 7u);  // the '<' of each grant, not of <cspace>
    EXPECT_NE(e.message.find("'primary'"), std::string::npos);
    EXPECT_NE(e.message.find("cannot be modelled on the host platform"), std::string::npos);
    EXPECT_NE(e.hint.find("seL4 board"), std::string::npos);
  }
  EXPECT_EQ(d.all().front().loc, (Loc{5, 7}));
  EXPECT_NE(d.all().front().message.find("<cap_vspace>"), std::string::npos);
}

TEST(CspaceCaps, AnEmptyCspaceIsFineOnTheHost) {
  Diagnostics d;
  auto sd = sdf::parse(R"(<system><protection_domain name="a"><program_image path="a.elf"/>
    <cspace/></protection_domain></system>)", "empty.system", d);
  ASSERT_TRUE(sd);
  sdf::validate(*sd, board_of(board::Arch::Host), test_support::test_debug_config(), d);
  EXPECT_EQ(d.error_count(), 0u) << describe(d);
}

Inputs loaded_programs() {
  Inputs in;
  in.programs["primary.elf"] = elf::ElfFile{};
  in.programs["secondary.elf"] = elf::ElfFile{};
  return in;
}

TEST(CspaceCaps, PlanBuildCarriesKindSourceAndSlotSortedBySlot) {
  Diagnostics d;
  auto sd = parse_system(d);
  auto board = board_of(board::Arch::AArch64);
  auto config = test_support::test_debug_config();
  sdf::validate(sd, board, config, d);
  auto plan = build(sd, board, config, loaded_programs(), d);
  ASSERT_TRUE(plan) << describe(d);
  const auto& caps = plan->pds[0].extra_caps;
  ASSERT_EQ(caps.size(), 4u);
  auto brief = [](const ExtraCap& e) { return std::tuple(e.kind, e.source_pd, e.slot); };
  EXPECT_EQ(brief(caps[0]), std::tuple(ExtraCap::Kind::Sc, size_t{1}, uint64_t{1}));
  EXPECT_EQ(brief(caps[1]), std::tuple(ExtraCap::Kind::Tcb, size_t{1}, uint64_t{2}));
  EXPECT_EQ(brief(caps[2]), std::tuple(ExtraCap::Kind::VSpace, size_t{1}, uint64_t{9}));
  EXPECT_EQ(brief(caps[3]), std::tuple(ExtraCap::Kind::Tcb, size_t{0}, uint64_t{127}));
  EXPECT_EQ(caps[0].name, "sc_secondary");  // the header's default name: kind and source
  EXPECT_TRUE(plan->pds[1].extra_caps.empty());
}

// --- seL4 ---------------------------------------------------------------

using test_support::Sel4TestWorld;
using World = Sel4TestWorld;
constexpr uint64_t kUiPaddr = test_support::kTestUserImagePaddr;
constexpr uint64_t kUiVaddr = test_support::kTestUserImageVaddr;

Pd make_pd(const std::string& name, bool passive) {
  Pd pd;
  pd.name = name;
  pd.priority = 10;
  pd.passive = passive;
  pd.channels.resize(63);
  return pd;
}

bool make_world(World& w, Diagnostics& d) {
  if (!test_support::load_test_kernel(w, d)) return false;
  w.plan.pds.push_back(make_pd("primary", false));
  w.plan.pds.push_back(make_pd("secondary", true));
  auto extra = [](ExtraCap::Kind kind, size_t source_pd, uint64_t slot) {
    ExtraCap e;
    e.kind = kind;
    e.source_pd = source_pd;
    e.slot = slot;
    return e;
  };
  w.plan.pds[0].extra_caps = {extra(ExtraCap::Kind::Sc, 1, 1), extra(ExtraCap::Kind::Tcb, 1, 2),
                              extra(ExtraCap::Kind::VSpace, 1, 9), extra(ExtraCap::Kind::Tcb, 0, 127)};
  Sel4Inputs si = test_support::test_sel4_inputs(w);
  auto sp = plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

const Cap* cap_at(const PdObjects& po, uint64_t slot) {
  for (const Cap& c : po.caps)
    if (c.slot == slot) return &c;
  return nullptr;
}

TEST(CspaceCaps, Sel4PlanCopiesTheSourceObjectsAtTheAbiSlots) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(make_world(w, d)) << describe(d);
  const PdObjects& primary = w.sp.pds[0];
  const PdObjects& secondary = w.sp.pds[1];
  EXPECT_EQ(MICROKIT_PD_BASE_USER_CAPS, 458u);  // docs/sel4-abi.md
  struct Want {
    uint64_t slot;
    size_t object;
  };
  // The passive PD's SC is its own SC object: the one its notification
  // runs it on after init.
  for (Want want : {Want{458 + 1, secondary.sc}, Want{458 + 2, secondary.tcb},
                    Want{458 + 9, secondary.vspace}, Want{458 + 127, primary.tcb}}) {
    SCOPED_TRACE(want.slot);
    const Cap* cap = cap_at(primary, want.slot);
    ASSERT_TRUE(cap);
    EXPECT_EQ(cap->kind, Cap::Kind::Object);
    EXPECT_EQ(cap->object, want.object);
    EXPECT_EQ(cap->badge, 0u);
    EXPECT_EQ(cap->rights, CapRights{});
  }
  EXPECT_EQ(w.sp.objects[secondary.sc].type, ObjType::SchedContext);
  EXPECT_EQ(w.sp.objects[secondary.vspace].type, ObjType::VSpace);
  // Nothing else lands in the user range, and the secondary gets none.
  for (const PdObjects* po : {&primary, &secondary}) {
    size_t user = 0;
    for (const Cap& c : po->caps) user += c.slot >= MICROKIT_PD_BASE_USER_CAPS;
    EXPECT_EQ(user, po == &primary ? 4u : 0u);
  }
  EXPECT_TRUE(std::is_sorted(primary.caps.begin(), primary.caps.end(),
                             [](const Cap& a, const Cap& b) { return a.slot < b.slot; }));
}

TEST(CspaceCaps, TheSpecCopiesEachCapFromTheSourcesRootSlot) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(make_world(w, d)) << describe(d);
  sel4::SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &w.sp;
  in.boot = &w.boot;
  in.package = &w.pkg;
  in.user_image_paddr = kUiPaddr;
  in.user_image_vaddr = kUiVaddr;
  auto bytes = sel4::write_spec(in, d);
  ASSERT_TRUE(bytes) << describe(d);
  is::SpecHeader h;
  std::memcpy(&h, bytes->data(), sizeof h);
  std::vector<is::Step> steps(h.step_count);
  std::memcpy(steps.data(), bytes->data() + h.step_offset, h.step_count * sizeof(is::Step));
  // Root slots of each PD's TCB, VSpace, CNode (TcbConfigure, in PD order)
  // and SC (SchedControlConfigure, likewise).
  std::vector<is::TcbConfigureStep> cfg;
  std::vector<uint64_t> sc;
  std::map<uint64_t, is::CapStep> copies;  // dest_index -> step, writes into a PD CNode
  for (const auto& s : steps) {
    if (s.kind == uint32_t(is::StepKind::TcbConfigure)) cfg.push_back(as<is::TcbConfigureStep>(s));
    if (s.kind == uint32_t(is::StepKind::SchedControlConfigure))
      sc.push_back(as<is::SchedControlConfigureStep>(s).sc_slot);
    if (s.kind != uint32_t(is::StepKind::Copy) && s.kind != uint32_t(is::StepKind::Mint)) continue;
    auto cap = as<is::CapStep>(s);
    if (cap.dest_depth == pd_abi::kCNodeBits && cap.dest_index >= MICROKIT_PD_BASE_USER_CAPS)
      copies[cap.dest_index] = cap;
  }
  ASSERT_EQ(cfg.size(), 2u);
  ASSERT_EQ(sc.size(), 2u);
  ASSERT_EQ(copies.size(), 4u);
  struct Want {
    uint64_t slot;
    uint64_t src;
  };
  for (Want want : {Want{459, sc[1]}, Want{460, cfg[1].tcb_slot}, Want{467, cfg[1].vspace_slot},
                    Want{585, cfg[0].tcb_slot}}) {
    SCOPED_TRACE(want.slot);
    ASSERT_TRUE(copies.count(want.slot));
    const auto& cap = copies[want.slot];
    EXPECT_EQ(cap.kind, uint32_t(is::StepKind::Copy));
    EXPECT_EQ(cap.src_slot, want.src);
    EXPECT_EQ(cap.dest_cnode_slot, cfg[0].cspace_slot);  // the primary's CNode
    EXPECT_EQ(cap.rights, is::kRightsAll);
  }
}

}  // namespace
}  // namespace microkit::plan
