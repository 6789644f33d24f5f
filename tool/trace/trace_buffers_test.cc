// Tests for trace_buffers: the ring each PD gets with --trace.
#include "trace/trace_buffers.h"

#include <gtest/gtest.h>

#include "runtime/shared/trace_format.h"

namespace microkit::trace {
namespace {

board::Board test_board() {
  board::Board b;
  b.name = "testboard";
  b.arch = board::Arch::AArch64;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x8000000};
  return b;
}

struct World {
  sdf::SystemDescription sd;
  plan::Plan plan;
  plan::Inputs inputs;
};

// One PD "a" with program a.elf loaded at [0x200000, 0x203000) and an MR
// mapped at 0x1000000; `traced`: it has the trace symbols.
World one_pd(bool traced) {
  World w;
  w.sd.file = "sys.system";
  sdf::ProtectionDomain p;
  p.name = "a";
  p.program_image = sdf::ProgramImage{};
  p.program_image->path = "a.elf";
  w.sd.pds.push_back(p);
  elf::ElfFile elf;
  elf.segments.push_back({0x200000, 0x200000, 0, 0x1000, 0x3000, 6});
  if (traced) {
    elf.symbols.push_back({kBufferSymbol, 0x201000, 8});
    elf.symbols.push_back({kSizeSymbol, 0x201008, 8});
  }
  w.inputs.programs["a.elf"] = elf;
  plan::Pd pd;
  pd.name = "a";
  pd.mappings.push_back({0, 0x1000000, 0x4000});
  w.plan.pds.push_back(pd);
  w.plan.mrs.push_back({"shared", 0x4000});
  return w;
}

TEST(TraceBuffers, ARingAbovePdsMappingsWithItsAddressAndSizePatched) {
  World w = one_pd(true);
  Diagnostics diags;
  ASSERT_TRUE(add_trace_buffers(w.plan, w.sd, w.inputs, test_board(), 0x1800, diags));
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(w.plan.mrs.size(), 2u);
  EXPECT_EQ(w.plan.mrs[1].name, "microkit_trace.a");
  EXPECT_EQ(w.plan.mrs[1].size, 0x2000u);  // rounded up to pages
  const plan::Pd& pd = w.plan.pds[0];
  ASSERT_EQ(pd.mappings.size(), 2u);
  EXPECT_EQ(pd.mappings[1].mr, 1u);
  EXPECT_EQ(pd.mappings[1].vaddr, 0x1005000u);  // after 0x1004000 and one guard page
  ASSERT_EQ(pd.patches.size(), 2u);
  EXPECT_EQ(pd.patches[0].symbol, kBufferSymbol);
  EXPECT_EQ(pd.patches[0].vaddr, 0x201000u);
  EXPECT_EQ(pd.patches[0].value, 0x1005000u);
  EXPECT_EQ(pd.patches[1].value, 0x2000u);
}

TEST(TraceBuffers, AProgramWithoutTheTraceLibraryIsAnErrorAtItsProgramImage) {
  World w = one_pd(false);
  w.sd.pds[0].program_image->attrs.push_back({"path", Loc{4, 9}});
  Diagnostics diags;
  EXPECT_FALSE(add_trace_buffers(w.plan, w.sd, w.inputs, test_board(), 0x1000, diags));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "trace-library-missing");
  EXPECT_EQ(diags.all()[0].loc, (Loc{4, 9}));
}

TEST(TraceBuffers, ARingThatDoesNotFitIsRefused) {
  World w = one_pd(true);
  Diagnostics diags;
  EXPECT_FALSE(add_trace_buffers(w.plan, w.sd, w.inputs, test_board(), 0x8000000, diags));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "trace-ring-does-not-fit");
}

}  // namespace
}  // namespace microkit::trace
