// Tests for plan::build: the platform-independent planning every back end reads.
#include <gtest/gtest.h>

#include "plan/plan.h"

namespace microkit::plan {
namespace {

board::Board test_board() {
  board::Board b;
  b.name = "testboard";
  b.arch = board::Arch::Host;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x500000000000};
  return b;
}

board::Config test_config() {
  board::Config c;
  c.name = "debug";
  c.debug = true;
  return c;
}

sdf::ProtectionDomain pd(std::string name, uint64_t prio, std::string program) {
  sdf::ProtectionDomain p;
  p.name = std::move(name);
  p.priority = prio;
  p.program_image = sdf::ProgramImage{};
  p.program_image->path = std::move(program);
  return p;
}

sdf::Map map(std::string mr, uint64_t vaddr, bool w = true) {
  sdf::Map m;
  m.mr = std::move(mr);
  m.vaddr = vaddr;
  m.perms.write = w;
  return m;
}

sdf::MemoryRegion mr(std::string name, std::optional<uint64_t> size) {
  sdf::MemoryRegion m;
  m.name = std::move(name);
  m.size = size;
  return m;
}

elf::ElfFile program(std::vector<std::pair<std::string, uint64_t>> syms, uint64_t size = 8) {
  elf::ElfFile e;
  uint64_t addr = 0x4000;
  for (auto& [name, sz] : syms) {
    elf::Symbol s;
    s.name = name;
    s.value = addr;
    s.size = sz ? sz : size;
    e.symbols.push_back(s);
    addr += 0x10;
  }
  return e;
}

struct Fixture {
  sdf::SystemDescription sd;
  Inputs inputs;
  Diagnostics diags;
  std::optional<Plan> run() {
    return build(sd, test_board(), test_config(), inputs, diags);
  }
};

TEST(PlanBuild, MappingsAreSortedByVaddrWithEffectivePageSizes) {
  Fixture f;
  f.sd.mrs = {mr("small", 0x3000), mr("big", 0x400000)};
  auto p = pd("a", 10, "a.elf");
  p.maps = {map("small", 0x9000000), map("big", 0x2000000, false)};
  f.sd.pds = {p};
  f.inputs.programs["a.elf"] = program({});
  auto plan = f.run();
  ASSERT_TRUE(plan) << f.diags.all().size();
  ASSERT_EQ(plan->pds[0].mappings.size(), 2u);
  EXPECT_EQ(plan->pds[0].mappings[0].vaddr, 0x2000000u);
  EXPECT_EQ(plan->pds[0].mappings[0].mr, 1u);
  EXPECT_FALSE(plan->pds[0].mappings[0].write);
  EXPECT_EQ(plan->pds[0].mappings[1].size, 0x3000u);
  EXPECT_EQ(plan->mrs[0].page_size, 0x1000u);
  EXPECT_EQ(plan->mrs[1].page_size, 0x200000u);
}

TEST(PlanBuild, ChannelTablesAreIndexedByIdOnBothEnds) {
  Fixture f;
  f.sd.pds = {pd("client", 1, "c.elf"), pd("server", 2, "s.elf")};
  sdf::Irq irq;
  irq.id = 9;
  irq.irq = 33;
  irq.trigger = sdf::Trigger::Edge;
  f.sd.pds[1].irqs = {irq};
  sdf::Channel ch;
  ch.a.pd = "client";
  ch.a.id = 3;
  ch.a.pp = true;
  ch.b.pd = "server";
  ch.b.id = 7;
  ch.b.notify = false;
  f.sd.channels = {ch};
  f.inputs.programs["c.elf"] = program({});
  f.inputs.programs["s.elf"] = program({});
  auto plan = f.run();
  ASSERT_TRUE(plan);
  const auto& c = plan->pds[0].channels;
  const auto& s = plan->pds[1].channels;
  ASSERT_EQ(c.size(), 63u);
  EXPECT_EQ(c[3].kind, ChannelSlot::Kind::Channel);
  EXPECT_EQ(c[3].peer_pd, 1u);
  EXPECT_EQ(c[3].peer_id, 7u);
  EXPECT_TRUE(c[3].can_ppcall);
  EXPECT_TRUE(c[3].can_notify);
  EXPECT_FALSE(c[3].receives_ppc);
  EXPECT_EQ(s[7].peer_id, 3u);
  EXPECT_FALSE(s[7].can_notify);
  EXPECT_TRUE(s[7].receives_ppc);
  EXPECT_EQ(s[9].kind, ChannelSlot::Kind::Irq);
  EXPECT_EQ(s[9].irq, 33u);
  EXPECT_EQ(s[9].trigger, sdf::Trigger::Edge);
  EXPECT_EQ(c[0].kind, ChannelSlot::Kind::Unused);
}

TEST(PlanBuild, EverySetvarFormBecomesAPatchAtTheSymbolsAddress) {
  Fixture f;
  auto data = mr("data", std::nullopt);
  data.prefill_path = "blob.bin";
  f.sd.mrs = {mr("buf", 0x2000), data, mr("dev", 0x1000)};
  f.sd.mrs[2].phys_addr = 0xfe000000;
  auto parent = pd("parent", 10, "p.elf");
  auto m = map("buf", 0x4000000);
  m.setvar_vaddr = "vaddr";
  m.setvar_size = "size";
  auto d = map("data", 0x5000000, false);
  d.setvar_prefill_size = "prefill";
  parent.maps = {m, d};
  sdf::Irq irq;
  irq.id = 5;
  irq.irq = 1;
  irq.setvar_id = "irq_ch";
  parent.irqs = {irq};
  sdf::SetVar sv;
  sv.symbol = "dev_paddr";
  sv.region_paddr = "dev";
  sdf::SetVar sv2;
  sv2.symbol = "buf_paddr";
  sv2.region_paddr = "buf";
  parent.setvars = {sv, sv2};
  parent.children = {1};
  auto child = pd("child", 5, "c.elf");
  child.parent = 0;
  child.child_id = 12;
  child.setvar_id = "kid";
  f.sd.pds = {parent, child};
  sdf::Channel ch;
  ch.a.pd = "parent";
  ch.a.id = 2;
  ch.a.setvar_id = "ch_small";
  ch.b.pd = "child";
  ch.b.id = 0;
  f.sd.channels = {ch};
  f.inputs.programs["p.elf"] = program({{"vaddr", 8}, {"size", 8}, {"prefill", 8}, {"irq_ch", 8},
                                        {"dev_paddr", 8}, {"buf_paddr", 8}, {"kid", 8},
                                        {"ch_small", 4}});
  f.inputs.programs["c.elf"] = program({});
  f.inputs.prefills["blob.bin"] = std::vector<uint8_t>(0x1800, 7);
  auto plan = f.run();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mrs[1].size, 0x2000u);
  EXPECT_EQ(plan->mrs[1].prefill_size, 0x1800u);
  EXPECT_TRUE(plan->mrs[0].needs_fixed_paddr);
  EXPECT_EQ(plan->pds[1].parent, 0u);
  EXPECT_EQ(plan->pds[0].children, std::vector<size_t>{1});
  std::map<std::string, SymbolPatch> by_name;
  for (const auto& p : plan->pds[0].patches) by_name[p.symbol] = p;
  ASSERT_EQ(by_name.size(), 8u);
  EXPECT_EQ(by_name["vaddr"].value, 0x4000000u);
  EXPECT_EQ(by_name["vaddr"].vaddr, 0x4000u);
  EXPECT_EQ(by_name["size"].value, 0x2000u);
  EXPECT_EQ(by_name["prefill"].value, 0x1800u);
  EXPECT_EQ(by_name["irq_ch"].value, 5u);
  EXPECT_EQ(by_name["kid"].value, 12u);
  EXPECT_EQ(by_name["ch_small"].value, 2u);
  EXPECT_EQ(by_name["ch_small"].size, 4u);
  EXPECT_EQ(by_name["dev_paddr"].value, 0xfe000000u);
  EXPECT_EQ(by_name["dev_paddr"].paddr_of_mr, 2u);
  EXPECT_EQ(by_name["buf_paddr"].paddr_of_mr, 0u);
  EXPECT_TRUE(plan->pds[1].patches.empty());
}

TEST(PlanBuild, AMissingSetvarSymbolIsReportedAtThePd) {
  Fixture f;
  f.sd.file = "sys.system";
  f.sd.mrs = {mr("buf", 0x1000)};
  auto p = pd("a", 1, "a.elf");
  p.loc = {4, 3};
  auto m = map("buf", 0x4000000);
  m.setvar_vaddr = "nowhere";
  p.maps = {m};
  f.sd.pds = {p};
  f.inputs.programs["a.elf"] = program({{"elsewhere", 8}});
  EXPECT_FALSE(f.run());
  ASSERT_EQ(f.diags.error_count(), 1u);
  EXPECT_EQ(f.diags.all()[0].id, "setvar-symbol-not-found");
  EXPECT_EQ(f.diags.all()[0].loc, (Loc{4, 3}));
  EXPECT_EQ(f.diags.all()[0].file, "sys.system");
}

TEST(PlanBuild, SymbolsComeFromPathForSymbolsWhenGiven) {
  Fixture f;
  f.sd.mrs = {mr("buf", 0x1000)};
  auto p = pd("a", 1, "a.elf");
  p.program_image->path_for_symbols = "a.debug";
  auto m = map("buf", 0x4000000);
  m.setvar_vaddr = "v";
  p.maps = {m};
  f.sd.pds = {p};
  f.inputs.programs["a.elf"] = program({});
  f.inputs.programs["a.debug"] = program({{"v", 8}});
  auto plan = f.run();
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->pds[0].patches[0].from_elf_for_symbols);
  EXPECT_EQ(plan->pds[0].patches[0].vaddr, 0x4000u);
}

TEST(PlanBuild, AProgramThatWasNotLoadedIsAnError) {
  Fixture f;
  f.sd.file = "sys.system";
  f.sd.pds = {pd("a", 1, "a.elf")};
  EXPECT_FALSE(f.run());
  ASSERT_EQ(f.diags.error_count(), 1u);
  EXPECT_EQ(f.diags.all()[0].id, "program-image-missing");
}

TEST(PlanBuild, ResolvedProgramPathsAreUsed) {
  Fixture f;
  f.sd.pds = {pd("a", 1, "a.elf")};
  f.inputs.programs["a.elf"] = program({});
  f.inputs.resolved_paths["a.elf"] = "/build/a.elf";
  auto plan = f.run();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pds[0].program_path, "/build/a.elf");
  EXPECT_EQ(plan->pds[0].priority, 1u);
}

}  // namespace
}  // namespace microkit::plan
