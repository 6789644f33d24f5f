// plan_sel4 and write_spec for x86-64, on the facts of the real
// x86_64_generic debug build (MICROKIT_SHARED_DIR): four page-table levels
// with their own object kinds, and untypeds planned for the assumed machine
// (tool/arch/x86_64) and bound at run time (initialiser_spec.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kernel/test_facts.h"
#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"
#include "report/sel4_report.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"
#include "sel4/spec_writer.h"

namespace microkit::plan {
namespace {

namespace is = initialiser_spec;

// The kernel moves the user image to ki_end (0xa22000 in this build).
constexpr uint64_t kUserImage = 0xa22000;
constexpr uint64_t kUserImageVaddr = 0x400000;

using World = test_support::Sel4TestWorld;

bool load(World& w, Diagnostics& d, const std::string& board = "x86_64_generic") {
  return test_support::load_test_kernel(w, d, board, kUserImage, kUserImageVaddr);
}

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

bool has_id(const Diagnostics& d, std::string_view id) {
  return std::any_of(d.all().begin(), d.all().end(), [&](const Diagnostic& x) { return x.id == id; });
}

Pd make_pd(const std::string& name) {
  Pd pd;
  pd.name = name;
  pd.channels.resize(63);
  return pd;
}

Sel4Inputs inputs(const World& w) { return test_support::test_sel4_inputs(w); }

// A PD with a 2 MiB RAM MR at 1 GiB and a device page at 0xfebd0000.
World driver_world(Diagnostics& d, const std::string& board = "x86_64_generic") {
  World w;
  if (!load(w, d, board)) return w;
  w.plan.pds.push_back(make_pd("driver"));
  Mr ram;
  ram.name = "buffer";
  ram.size = 0x200000;
  ram.page_size = 0x200000;
  Mr dev;
  dev.name = "nic";
  dev.size = 0x2000;
  dev.phys_addr = 0xfebd0000;
  w.plan.mrs = {ram, dev};
  w.plan.pds[0].mappings.push_back({0, 0x40000000, 0x200000, true, true, false, true});
  w.plan.pds[0].mappings.push_back({1, 0x50000000, 0x2000, true, true, false, false});
  return w;
}

using test_support::expect_well_placed;

TEST(Sel4PlanX86_64, PageTablesAtEveryLevel) {
  Diagnostics d;
  World w = driver_world(d);
  auto sp = plan_sel4(w.plan, inputs(w), d);
  ASSERT_TRUE(sp) << describe(d);
  const PdObjects& po = sp->pds[0];
  // Under the PML4 (the VSpace): a PDPT per 512 GiB, a page directory per
  // 1 GiB, a page table per 2 MiB with 4 KiB mappings. Program (0x200000),
  // RAM MR (1 GiB, one 2 MiB page: no page table), device MR (0x50000000),
  // stack and IPC buffer (top of user space).
  std::set<std::pair<uint32_t, uint64_t>> tables;
  for (const PageTableSlot& pt : po.page_tables) tables.insert({pt.covers_bits, pt.vaddr});
  std::set<std::pair<uint32_t, uint64_t>> want = {
      {39, 0x0}, {39, 0x7f8000000000},                                   // PDPTs
      {30, 0x0}, {30, 0x40000000}, {30, 0x7fffc0000000},                 // page directories
      {21, 0x200000}, {21, 0x50000000}, {21, 0x7fffffe00000}};           // page tables
  EXPECT_EQ(tables, want);
  EXPECT_EQ(sp->objects[po.vspace].size_bits, 12u);  // PML4
  expect_well_placed(*sp);
}

// Images without virtual machines for the VT-x board are planned the same
// way (its kernel differs in configuration, not in memory layout).
TEST(Sel4PlanX86_64, VtxBoardPlansLikeTheGenericOne) {
  Diagnostics d;
  World w = driver_world(d, "x86_64_generic_vtx");
  ASSERT_TRUE(w.pkg.config.hypervisor) << describe(d);
  auto sp = plan_sel4(w.plan, inputs(w), d);
  ASSERT_TRUE(sp) << describe(d);
  EXPECT_TRUE(sp->bound_untypeds);
  EXPECT_EQ(sp->pds[0].page_tables.size(), 8u);
  expect_well_placed(*sp);
}

TEST(Sel4PlanX86_64, UntypedsAreBoundAndShrunkToTheirObjects) {
  Diagnostics d;
  World w = driver_world(d);
  auto sp = plan_sel4(w.plan, inputs(w), d);
  ASSERT_TRUE(sp) << describe(d);
  EXPECT_TRUE(sp->bound_untypeds);
  EXPECT_NE(report::sel4_report(w.plan, *sp, w.boot).find("RAM addresses here are not the ones at run time"),
            std::string::npos);
  // The device frames' untyped is the smallest aligned block holding them.
  const KernelObject& nic = sp->objects[sp->mr_frames[1][0]];
  const auto& nic_ut = sp->untypeds[nic.untyped];
  EXPECT_TRUE(nic_ut.is_device);
  EXPECT_EQ(nic_ut.paddr, 0xfebd0000u);
  EXPECT_EQ(nic_ut.size_bits, 13u);
  // Every used RAM untyped keeps its planned start and holds what it needs
  // in at most twice the space (a power of two).
  for (size_t u = 0; u < sp->untypeds.size(); ++u) {
    const auto& use = sp->untyped_use[u];
    if (use.objects.empty() || sp->untypeds[u].is_device) continue;
    uint64_t extent = use.watermark - sp->untypeds[u].paddr;
    EXPECT_LE(extent, sp->untypeds[u].size());
    EXPECT_GT(2 * extent, sp->untypeds[u].size());
  }
  expect_well_placed(*sp);
}

TEST(Sel4PlanX86_64, SpecBindsEveryUsedUntypedBeforeRetyping) {
  Diagnostics d;
  World w = driver_world(d);
  auto sp = plan_sel4(w.plan, inputs(w), d);
  ASSERT_TRUE(sp) << describe(d);
  sel4::SpecInputs si{&w.plan, &*sp, &w.boot, &w.pkg, kUserImage, kUserImageVaddr, nullptr};
  auto bytes = sel4::write_spec(si, d);
  ASSERT_TRUE(bytes) << describe(d);
  auto h = initialiser::read_at<is::SpecHeader>(bytes->data(), 0);
  ASSERT_EQ(initialiser::check_header(h, bytes->size()), nullptr);
  bool bound = false;
  ASSERT_EQ(initialiser::check_untyped_binding(bytes->data(), h, bound), nullptr);
  EXPECT_TRUE(bound);
  EXPECT_EQ(h.untyped_count, sp->untypeds.size());
  // Free slots start after the most untypeds the kernel can hand out.
  EXPECT_EQ(h.empty_start, w.boot.untyped.start + w.facts.max_bootinfo_untypeds);
  // The kernel's bootinfo for a 1 GiB machine as the initial task sees it:
  // fewer untypeds than the most, so its free slots start lower.
  initialiser::BootFacts b = test_support::decoder_facts(w, kUserImageVaddr);
  b.empty_start = w.boot.untyped.end;
  b.bound_untypeds = h.untyped_count;
  EXPECT_EQ(initialiser::check_boot_facts(h, b, bound), nullptr);
  std::set<uint64_t> bound_so_far;
  uint64_t last_ram_bits = 64;
  std::set<uint32_t> table_kinds;
  for (uint64_t i = 0; i < h.step_count; ++i) {
    auto s = initialiser::read_at<is::Step>(bytes->data(), h.step_offset + i * is::kStepSize);
    ASSERT_EQ(initialiser::check_step(s, b), nullptr) << "step " << i;
    if (s.kind == uint32_t(is::StepKind::BindUntyped)) {
      auto bind = initialiser::read_at<is::BindUntypedStep>(bytes->data(), h.step_offset + i * is::kStepSize);
      const auto& ut = sp->untypeds[bind.untyped_index];
      EXPECT_EQ(bind.size_bits, ut.size_bits);
      EXPECT_EQ(bind.carve_count == 1, !ut.is_device);
      if (!ut.is_device) {
        EXPECT_LE(bind.size_bits, last_ram_bits);  // largest first
        last_ram_bits = bind.size_bits;
      }
      bound_so_far.insert(bind.untyped_index);
    }
    if (s.kind == uint32_t(is::StepKind::Retype)) {
      EXPECT_TRUE(bound_so_far.count(s.arg[0])) << "step " << i;
    }
    if (s.kind == uint32_t(is::StepKind::MapPageTable)) table_kinds.insert(s.small);
  }
  // One bind per used untyped, none for the others.
  size_t used = 0;
  for (const auto& use : sp->untyped_use) used += !use.objects.empty();
  EXPECT_EQ(bound_so_far.size(), used);
  EXPECT_EQ(table_kinds, (std::set<uint32_t>{0, uint32_t(is::ObjectKind::X86Pdpt),
                                             uint32_t(is::ObjectKind::X86PageDirectory)}));
}

TEST(Sel4PlanX86_64, RamAddressesAreRefused) {
  Diagnostics d;
  World w = driver_world(d);
  w.plan.mrs[1].phys_addr = 0x2000000;  // RAM on every PC
  auto sp = plan_sel4(w.plan, inputs(w), d);
  EXPECT_FALSE(sp);
  EXPECT_TRUE(has_id(d, "mr-paddr-in-ram-found-at-boot")) << describe(d);

  Diagnostics d2;
  World w2 = driver_world(d2);
  w2.plan.mrs[0].needs_fixed_paddr = true;  // a setvar region_paddr names it
  EXPECT_FALSE(plan_sel4(w2.plan, inputs(w2), d2));
  EXPECT_TRUE(has_id(d2, "region-paddr-unknown")) << describe(d2);
}

TEST(Sel4PlanX86_64, OutOfMemorySaysItIsTheAssumedMachine) {
  Diagnostics d;
  World w = driver_world(d);
  w.plan.mrs[0].size = uint64_t{1536} << 20;  // more than the assumed 1 GiB
  w.plan.pds[0].mappings[0].size = w.plan.mrs[0].size;
  w.plan.pds[0].mappings[1].vaddr = 0x100000000;  // above the big region
  EXPECT_FALSE(plan_sel4(w.plan, inputs(w), d));
  ASSERT_TRUE(has_id(d, "out-of-memory")) << describe(d);
  EXPECT_NE(describe(d).find("on the machine planning assumes"), std::string::npos) << describe(d);
}

}  // namespace
}  // namespace microkit::plan
