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

TEST(PlanBuild, AMissingSetvarSymbolIsReportedAtTheAttributeWithASuggestion) {
  Fixture f;
  f.sd.file = "sys.system";
  f.sd.mrs = {mr("buf", 0x1000)};
  auto p = pd("a", 1, "a.elf");
  p.loc = {4, 3};
  auto m = map("buf", 0x4000000);
  m.setvar_vaddr = "buffer_vadr";
  m.attrs = {{"mr", {5, 10}}, {"vaddr", {5, 20}}, {"setvar_vaddr", {5, 40}}};
  p.maps = {m};
  f.sd.pds = {p};
  f.inputs.programs["a.elf"] = program({{"buffer_vaddr", 8}, {"elsewhere", 8}});
  EXPECT_FALSE(f.run());
  ASSERT_EQ(f.diags.error_count(), 1u);
  const Diagnostic& d = f.diags.all()[0];
  EXPECT_EQ(d.id, "setvar-symbol-not-found");
  EXPECT_EQ(d.loc, (Loc{5, 40})) << "at setvar_vaddr, not at the PD";
  EXPECT_EQ(d.file, "sys.system");
  EXPECT_NE(d.message.find("did you mean 'buffer_vaddr'?"), std::string::npos) << d.message;
}

TEST(PlanBuild, ASetvarValueMustFitItsSymbol) {
  Fixture f;
  f.sd.file = "sys.system";
  f.sd.mrs = {mr("buf", 0x1000), mr("dev", 0x1000)};
  f.sd.mrs[1].phys_addr = 0x9000000;
  auto p = pd("a", 1, "a.elf");
  auto m = map("buf", 0x4000000);
  m.setvar_vaddr = "narrow_vaddr";  // 0x4000000 needs 4 bytes: 2 is too few
  m.setvar_size = "size32";         // 0x1000 fits 4 bytes
  m.attrs = {{"setvar_vaddr", {6, 30}}, {"setvar_size", {6, 50}}};
  p.maps = {m};
  sdf::SetVar sv;
  sv.symbol = "dev_paddr32";  // a physical address needs a whole word
  sv.region_paddr = "dev";
  sv.attrs = {{"symbol", {7, 14}}, {"region_paddr", {7, 40}}};
  p.setvars = {sv};
  f.sd.pds = {p};
  f.inputs.programs["a.elf"] = program({{"narrow_vaddr", 2}, {"size32", 4}, {"dev_paddr32", 4}});
  EXPECT_FALSE(f.run());
  std::vector<std::pair<std::string, Loc>> got;
  for (const auto& d : f.diags.all()) got.push_back({d.id, d.loc});
  EXPECT_EQ(got, (std::vector<std::pair<std::string, Loc>>{{"setvar-value-too-large", {6, 30}},
                                                           {"setvar-value-too-large", {7, 14}}}));
  // With 8-byte symbols the same system plans.
  Fixture g;
  g.sd = f.sd;
  g.inputs.programs["a.elf"] = program({{"narrow_vaddr", 8}, {"size32", 4}, {"dev_paddr32", 8}});
  EXPECT_TRUE(g.run());
}

TEST(PlanBuild, DomainsGetIdsAndTheScheduleKeepsItsShape) {
  Fixture f;
  auto a = pd("a", 1, "a.elf");
  a.domain = "blue";
  auto b = pd("b", 1, "a.elf");
  b.domain = "red";
  f.sd.pds = {a, b};
  sdf::Domains d;
  sdf::Domain red, blue, green;
  red.name = "red";
  red.id = 0;
  blue.name = "blue";     // no id: the smallest unused, 1
  green.name = "green";   // then 3 (2 is taken)
  sdf::Domain two;
  two.name = "two";
  two.id = 2;
  d.domains = {red, blue, two, green};
  sdf::DomainSchedule s;
  s.index_shift = 4;
  s.start_index = 1;
  sdf::ScheduleEntry e1, e2, end;
  e1.domain = "blue", e1.duration = 500;
  e2.domain = "green", e2.duration = 7, e2.unit = sdf::ScheduleEntry::Unit::Ticks;
  end.kind = sdf::ScheduleEntry::Kind::EndMarker;
  s.entries = {e1, e2, end};
  d.schedule = s;
  f.sd.domains = d;
  f.inputs.programs["a.elf"] = program({});
  auto plan = f.run();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pds[0].domain, std::optional<uint64_t>(1));
  EXPECT_EQ(plan->pds[1].domain, std::optional<uint64_t>(0));
  ASSERT_TRUE(plan->domain_schedule);
  const DomainSchedule& ps = *plan->domain_schedule;
  EXPECT_EQ(ps.index_shift, 4u);
  EXPECT_EQ(ps.start_index, 1u);
  ASSERT_EQ(ps.slots.size(), 3u);
  EXPECT_EQ(ps.slots[0].domain, 1u);
  EXPECT_EQ(ps.slots[0].duration, 500u);
  EXPECT_EQ(ps.slots[1].domain, 3u);
  EXPECT_EQ(ps.slots[1].unit, sdf::ScheduleEntry::Unit::Ticks);
  EXPECT_TRUE(ps.slots[2].end_marker);
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
