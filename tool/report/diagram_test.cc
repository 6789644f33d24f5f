// Tests for the system diagram: every PD, channel, IRQ, mapping and VM of a
// system is in the page with its SDF line; arrowheads follow who may notify
// or call; children sit inside their parents; many channels fall back to
// the matrix; the physical view lists what the plan placed.
#include "report/diagram.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "plan/sel4_test_world.h"
#include "report/diagram_layout.h"
#include "sdf/parse.h"
#include "sdf/validate.h"

namespace microkit::report {
namespace {

// An object retyped from untyped `untyped` (an index into the plan's untypeds).
plan::KernelObject object(plan::ObjType type, const std::string& name, uint32_t size_bits, uint64_t paddr,
                          size_t untyped) {
  plan::KernelObject o;
  o.type = type;
  o.name = name;
  o.size_bits = size_bits;
  o.paddr = paddr;
  o.untyped = untyped;
  return o;
}

constexpr const char* kSystem = R"(<system>
  <memory_region name="status" size="0x1000" />
  <protection_domain name="server" priority="200">
    <program_image path="p.elf" />
    <map mr="status" vaddr="0x10000000" perms="r" />
  </protection_domain>
  <protection_domain name="client" priority="100" budget="500" period="2000">
    <program_image path="p.elf" />
    <irq irq="40" id="5" />
    <protection_domain name="helper" id="1" priority="50" passive="true">
      <program_image path="p.elf" />
      <map mr="status" vaddr="0x20000000" perms="rw" />
    </protection_domain>
  </protection_domain>
  <channel>
    <end pd="client" id="0" pp="true" />
    <end pd="server" id="3" />
  </channel>
  <channel>
    <end pd="helper" id="2" notify="false" />
    <end pd="client" id="4" />
  </channel>
</system>
)";

struct Built {
  sdf::SystemDescription sd;
  plan::Plan plan;
};

Built build(const std::string& text, bool hypervisor = false) {
  Diagnostics d;
  auto sd = sdf::parse(text, "a.system", d);
  EXPECT_TRUE(sd) << d.all().front().message;
  board::Board b = plan::test_support::test_aarch64_board();
  b.hypervisor = hypervisor;
  board::Config c = plan::test_support::test_debug_config();
  sdf::validate(*sd, b, c, d);
  plan::Inputs in;
  in.programs["p.elf"] = elf::ElfFile{};
  auto plan = plan::build(*sd, b, c, in, d);
  EXPECT_TRUE(plan);
  EXPECT_EQ(d.error_count(), 0u) << (d.all().empty() ? "" : d.all().front().message);
  return {std::move(*sd), plan ? std::move(*plan) : plan::Plan{}};
}

std::string page_of(const Built& b, const std::string& text, const PhysicalMap* physical = nullptr) {
  return diagram_html({&b.plan, &b.sd, text, physical});
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// The SVG group of channel `k` drawn as a line, and what is drawn of it
// over the boxes (its ids).
std::string edge_group(const std::string& page, size_t k) {
  std::smatch m, over;
  std::regex re("<g class=\"channel edge[^\"]*\" data-channel=\"" + std::to_string(k) + "\"[^>]*>.*?</g>");
  std::regex re_over("<g class=\"edge [a-z]+ over\" data-of=\"" + std::to_string(k) + "\">.*?</g>");
  EXPECT_TRUE(std::regex_search(page, m, re)) << "no line for channel " << k;
  EXPECT_TRUE(std::regex_search(page, over, re_over)) << "no ids for channel " << k;
  return m.empty() || over.empty() ? "" : m.str() + over.str();
}

TEST(Diagram, DrawsEveryPdWithItsSchedulingFacts) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  for (const char* name : {"server", "client", "helper"})
    EXPECT_EQ(count(page, std::string("data-pd=\"") + name + "\""), 1u) << name;
  EXPECT_NE(page.find("priority 100 \u00b7 core 0"), std::string::npos);
  EXPECT_NE(page.find("budget 500 \u00b7 period 2000 \u00b5s"), std::string::npos);
  EXPECT_NE(page.find("priority 50 \u00b7 core 0 \u00b7 passive"), std::string::npos);
  EXPECT_NE(page.find(">id 1</text>"), std::string::npos);  // helper's child id
}

TEST(Diagram, DrawsEveryChannelAsALineAndInTheMatrix) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  for (size_t k = 0; k < 2; ++k) {
    std::string attr = "data-channel=\"" + std::to_string(k) + "\"";
    EXPECT_EQ(count(page, attr), 2u) << "channel " << k << ": a line and a matrix entry";
  }
}

TEST(Diagram, ArrowheadsShowWhoMayCallAndWhoMayNotify) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  // client (end a) may call server: a filled head at server's end (the
  // line's end); server may notify client: an open head at client's.
  std::string call = edge_group(page, 0);
  EXPECT_NE(call.find("marker-end=\"url(#ppc-head)\""), std::string::npos) << call;
  EXPECT_NE(call.find("marker-start=\"url(#notify-head)\""), std::string::npos) << call;
  EXPECT_NE(call.find(">0</text>"), std::string::npos);  // client's id
  EXPECT_NE(call.find(">3</text>"), std::string::npos);  // server's id
  // helper may not notify client: no head at client's end. helper is
  // nested in client: its line is drawn again over client's box, clipped to it.
  std::string quiet = edge_group(page, 1);
  EXPECT_NE(quiet.find("clip-path=\"url(#box-1)\""), std::string::npos) << quiet;
  EXPECT_EQ(call.find("clip-path"), std::string::npos) << "no nested end: " << call;
  EXPECT_NE(quiet.find("marker-end=\"none\""), std::string::npos) << quiet;
  EXPECT_NE(quiet.find("marker-start=\"url(#notify-head)\""), std::string::npos) << quiet;
}

TEST(Diagram, ElementsCarryTheirSdfLinesAndTheLinesAreEmbedded) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  // The first channel is at lines 15-17 of kSystem: <channel> and its two ends.
  EXPECT_NE(edge_group(page, 0).find("data-line=\"15 16 17\""), std::string::npos);
  EXPECT_NE(page.find("\"16\":\"\\u003cend pd=\\\"client\\\" id=\\\"0\\\" pp=\\\"true\\\" /\\u003e\""),
            std::string::npos);
  // The IRQ tag points at its <irq> (line 9).
  EXPECT_NE(page.find("<g class=\"tag irq\" data-line=\"9\""), std::string::npos);
  // Nothing in the embedded source can close its <script> element.
  size_t json = page.find("id=\"sdf-source\">");
  ASSERT_NE(json, std::string::npos);
  EXPECT_EQ(page.find('<', json + 16), page.find("</script>", json));
}

TEST(Diagram, MappingsShowRightsInBoxesAndTheRegionTable) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  EXPECT_NE(page.find(">status r</text>"), std::string::npos);
  EXPECT_NE(page.find(">status rw</text>"), std::string::npos);
  EXPECT_NE(page.find("server r @ 0x10000000; helper rw @ 0x20000000"), std::string::npos);
}

TEST(Diagram, ChildrenAreNestedAndTopLevelBoxesDoNotOverlap) {
  Built b = build(kSystem);
  diagram::Layout l = diagram::layout_pds(b.plan, b.sd, {{1, 0}, {2, 1}});
  ASSERT_EQ(l.pds.size(), 3u);
  EXPECT_TRUE(l.pds[1].box.contains(l.pds[2].box));  // helper inside client
  EXPECT_GE(l.pds[2].box.y, l.pds[1].box.y + l.pds[1].header_h);
  const diagram::Box& s = l.pds[0].box;
  const diagram::Box& c = l.pds[1].box;
  EXPECT_TRUE(s.x + s.w <= c.x || c.x + c.w <= s.x || s.y + s.h <= c.y || c.y + c.h <= s.y);
  EXPECT_LE(c.x + c.w, l.width);
  EXPECT_LE(c.y + c.h, l.height);
}

TEST(Diagram, TheMostLinkedPdComesFirstAndItsPeersNextToIt) {
  std::string text = "<system>\n";
  for (const char* name : {"x", "y", "z", "hub"})
    text += std::string("<protection_domain name=\"") + name + "\"><program_image path=\"p.elf\" /></protection_domain>\n";
  for (const char* name : {"x", "y", "z"})
    text += std::string("<channel><end pd=\"hub\" id=\"") + char(name[0] - 'x' + '0') + "\" /><end pd=\"" + name +
            "\" id=\"0\" /></channel>\n";
  Built b = build(text + "</system>\n");
  diagram::Layout l = diagram::layout_pds(b.plan, b.sd, {{3, 0}, {3, 1}, {3, 2}});
  EXPECT_EQ(l.pds[3].box.x, 20) << "hub first, top left";
  EXPECT_EQ(l.pds[3].box.y, 20);
  EXPECT_EQ(l.pds[0].box.y, 20) << "x beside it";
  diagram::Layout sdf_order = diagram::layout_pds(b.plan, b.sd);
  EXPECT_EQ(sdf_order.pds[0].box.x, 20) << "without lines, SDF order";
  // The page draws the three lines under the boxes.
  std::string page = page_of(b, text + "</system>\n");
  EXPECT_LT(page.find("class=\"channel edge"), page.find("class=\"pd\""));
}

std::string mesh(int pds) {
  std::string s = "<system>\n";
  for (int p = 0; p < pds; ++p)
    s += "<protection_domain name=\"pd" + std::to_string(p) + "\" priority=\"" + std::to_string(200 - p) +
         "\"><program_image path=\"p.elf\" /></protection_domain>\n";
  for (int a = 0; a < pds; ++a)
    for (int c = a + 1; c < pds; ++c)
      s += "<channel><end pd=\"pd" + std::to_string(a) + "\" id=\"" + std::to_string(c - 1) + "\" /><end pd=\"pd" +
           std::to_string(c) + "\" id=\"" + std::to_string(a) + "\" pp=\"true\" /></channel>\n";
  return s + "</system>\n";
}

TEST(Diagram, AFullMeshOf63PdsIsAMatrixWithEveryChannel) {
  std::string text = mesh(63);
  Built b = build(text);
  ASSERT_EQ(b.sd.channels.size(), 1953u);
  std::string page = page_of(b, text);
  EXPECT_EQ(page.find("class=\"channel edge"), std::string::npos) << "too many channels for lines";
  EXPECT_NE(page.find("1953 channels are too many to draw as lines"), std::string::npos);
  EXPECT_FALSE(draw_channel_lines(45, 10)) << "a 10-PD mesh: the matrix only";
  EXPECT_TRUE(draw_channel_lines(12, 8));
  for (size_t k = 0; k < 1953; ++k)
    ASSERT_EQ(count(page, "data-channel=\"" + std::to_string(k) + "\""), 1u) << k;
  for (int p = 0; p < 63; ++p) ASSERT_EQ(count(page, "data-pd=\"pd" + std::to_string(p) + "\""), 1u);
  diagram::Layout l = diagram::layout_pds(b.plan, b.sd);
  EXPECT_TRUE(l.compact);
  EXPECT_LE(l.width, 1240) << "fits beside the details panel";
}

TEST(Diagram, AVirtualMachineIsDrawnInsideItsPd) {
  std::string text = R"(<system>
  <memory_region name="guest_ram" size="0x200000" page_size="0x200000" />
  <protection_domain name="vmm" priority="200">
    <program_image path="p.elf" />
    <virtual_machine name="linux" priority="100">
      <vcpu id="0" />
      <map mr="guest_ram" vaddr="0x40000000" perms="rwx" />
    </virtual_machine>
  </protection_domain>
</system>
)";
  Built b = build(text, /*hypervisor=*/true);
  std::string page = page_of(b, text);
  EXPECT_NE(page.find("data-vm=\"linux\" data-line=\"5 6\""), std::string::npos);
  EXPECT_NE(page.find(">VM linux \u00b7 1 vCPU</text>"), std::string::npos);
  EXPECT_NE(page.find(">priority 100 \u00b7 1 mapping</text>"), std::string::npos);
  diagram::Layout l = diagram::layout_pds(b.plan, b.sd);
  ASSERT_TRUE(l.pds[0].vm);
  EXPECT_TRUE(l.pds[0].box.contains(*l.pds[0].vm));
}

TEST(Diagram, TheHostBoardSaysItHasNoPhysicalMemoryMap) {
  Built b = build(kSystem);
  std::string page = page_of(b, kSystem);
  EXPECT_NE(page.find("id=\"no-physical\""), std::string::npos);
  EXPECT_NE(page.find("has no physical memory map"), std::string::npos);
  EXPECT_NE(page.find(">none (host)</td>"), std::string::npos);
}

// A Sel4Plan by hand: one RAM untyped holding server's TCB then status's
// frame, the rest free; the kernel and user image before it.
struct HandPlan {
  Built b = build(kSystem);
  plan::Sel4Plan sp;
  kernel::BootResult boot;
  std::vector<plan::PdImage> images{3};
  std::vector<std::vector<uint64_t>> prefills{1};

  HandPlan() {
    sp.untypeds = {{0x40100000, 20, false}};
    plan::KernelObject tcb = object(plan::ObjType::Tcb, "tcb:server", 11, 0x40100000, 0);
    tcb.pd = 0;
    plan::KernelObject frame = object(plan::ObjType::Frame, "frame:status:0", 12, 0x40101000, 0);
    frame.mr = 0;
    sp.objects = {tcb, frame};
    sp.untyped_use = {{{0, 1}, 0x1800, 0x40102000}};
    images[1].pages = {{0x200000, 0x40030000}, {0x201000, 0x40031000}};
    boot.rootserver.block = {0x40080000, 0x40090000};
  }
  PhysicalMap map() const {
    return physical_map({&b.plan, &sp, &boot, {{0x40000000, 0x40200000}}, {0x40000000, 0x40020000},
                         {0x40020000, 0x40030000}, &images, &prefills});
  }
};

TEST(PhysicalMap, ListsKernelInitialTaskProgramsObjectsRegionsAndFreeMemory) {
  HandPlan h;
  PhysicalMap m = h.map();
  ASSERT_EQ(m.banks.size(), 1u);
  std::vector<std::pair<PhysicalRegion::Kind, uint64_t>> got;
  for (const PhysicalRegion& r : m.banks[0].regions) got.push_back({r.kind, r.start});
  using K = PhysicalRegion::Kind;
  std::vector<std::pair<K, uint64_t>> want{{K::Kernel, 0x40000000},     {K::InitialTask, 0x40020000},
                                           {K::PdImage, 0x40030000},    {K::RootObjects, 0x40080000},
                                           {K::PdObjects, 0x40100000},  {K::MrFrames, 0x40101000},
                                           {K::Free, 0x40102000}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(m.banks[0].regions[2].end, 0x40032000u) << "client's two program pages as one run";
  EXPECT_EQ(m.banks[0].regions[2].label, "client: program");
  EXPECT_EQ(m.banks[0].regions.back().end, 0x40200000u);
}

TEST(PhysicalMap, AFixedAddressRegionOutsideRamIsDeviceMemory) {
  HandPlan h;
  h.sp.untypeds.push_back({0x9000000, 12, true});
  plan::KernelObject uart = object(plan::ObjType::Frame, "frame:status:0", 12, 0x9000000, 1);
  uart.mr = 0;
  h.sp.objects.push_back(uart);
  h.sp.untyped_use.push_back({{2}, 0x1000, 0x9001000});
  PhysicalMap m = h.map();
  ASSERT_EQ(m.banks.size(), 2u);
  EXPECT_TRUE(m.banks[0].device);
  ASSERT_EQ(m.banks[0].regions.size(), 1u) << "device memory: no free untyped shown";
  EXPECT_EQ(m.banks[0].regions[0].label, "status");
}

// On a real plan (the planner's client/server world): regions sorted,
// disjoint, inside their banks, and every PD and MR has its place.
void expect_consistent(const plan::test_support::Sel4TestWorld& w, const PhysicalMap& m) {
  std::set<std::string> labels;
  for (const PhysicalBank& bank : m.banks) {
    uint64_t at = bank.start;
    for (const PhysicalRegion& r : bank.regions) {
      EXPECT_LE(at, r.start) << r.label << " overlaps what comes before it";
      EXPECT_LT(r.start, r.end) << r.label;
      EXPECT_LE(r.end, bank.end) << r.label;
      at = r.end;
      labels.insert(r.label);
    }
  }
  for (const char* want : {"seL4 kernel", "initial task and its spec", "client: program", "server: program",
                           "client: kernel objects", "server: kernel objects", "shared", "free untyped"})
    EXPECT_TRUE(labels.count(want)) << want;
}

PhysicalMap map_of(const plan::test_support::Sel4TestWorld& w, std::vector<kernel::Region> ram) {
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  static std::vector<std::vector<uint64_t>> no_prefills(1);
  uint64_t ui = w.ui_paddr;
  return physical_map({&w.plan, &w.sp, &w.boot, std::move(ram), {w.facts.kernel_boot_end, w.facts.kernel_image.end},
                       {ui, ui + 0x100000}, &si.pd_images, &no_prefills});
}

TEST(PhysicalMap, OfARealPlanIsSortedDisjointAndComplete) {
  plan::test_support::Sel4TestWorld w;
  ASSERT_TRUE(plan::test_support::plan_client_server(w));
  PhysicalMap m = map_of(w, w.facts.memory);
  ASSERT_EQ(m.banks.size(), 1u) << "qemu_virt_aarch64 has one RAM bank";
  expect_consistent(w, m);
  EXPECT_TRUE(m.note.empty());
}

// x86-64 has no RAM list: the banks come from the planned untypeds, and
// the page says the addresses are the assumed machine's.
TEST(PhysicalMap, OnX86TheAssumedMachineIsSaidAndDrawn) {
  plan::test_support::Sel4TestWorld w;
  ASSERT_TRUE(plan::test_support::plan_client_server(w, {.board = "x86_64_generic"}));
  PhysicalMap m = map_of(w, {});
  ASSERT_FALSE(m.banks.empty());
  expect_consistent(w, m);
  EXPECT_NE(m.note.find("machine the plan assumes"), std::string::npos);
}

TEST(Diagram, ThePhysicalViewDrawsEveryRegionWithItsSource) {
  HandPlan h;
  PhysicalMap m = h.map();
  std::string page = page_of(h.b, kSystem, &m);
  EXPECT_EQ(page.find("id=\"no-physical\""), std::string::npos);
  EXPECT_NE(page.find("RAM 0x40000000\u20130x40200000 (2 MiB)"), std::string::npos);
  // status's frame points at its <memory_region> (line 2), client's program at its PD (line 7).
  EXPECT_NE(page.find("class=\"phys kind-memory-region\" x="), std::string::npos);
  EXPECT_NE(page.find("data-line=\"2\" data-info=\"status\n"), std::string::npos);
  EXPECT_NE(page.find("data-line=\"7\" data-info=\"client: program\n"), std::string::npos);
  EXPECT_NE(page.find("free untyped"), std::string::npos);
  EXPECT_NE(page.find(">0x40101000 (allocated)</td>"), std::string::npos) << "the region table says where status went";
}

}  // namespace
}  // namespace microkit::report
