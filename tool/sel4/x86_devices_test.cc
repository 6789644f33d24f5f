// x86-64 devices in the seL4 plan and the spec: I/O port caps, IOAPIC and
// MSI handlers, bootinfo-filled frames and IOMMU mappings.
//
// x86 boot cannot be emulated at build time (its memory map comes from
// multiboot), so these run on the AArch64 test world: the device planning
// does not depend on the architecture's memory layout, and every step is
// checked with the initialiser's own decoder (spec_decode.h), with an
// IOMMU of 3 levels as QEMU's intel-iommu has.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "plan/sel4_test_world.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/spec_writer.h"
#include "sel4/spec_test_support.h"

namespace microkit::sel4 {
namespace {

namespace is = initialiser_spec;
using spec_test_support::as;
using plan::test_support::Sel4TestWorld;

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

// One PD "driver" with COM1, an IOAPIC pin on channel 3, an MSI on channel
// 4; MR "tsc" (bootinfo, one page) and "mbmap" (bootinfo, two pages) mapped
// into it; MR "dma" (two pages) in IO space 00:04.0, domain 1, at 0x100000
// and also mapped into the driver. With `grant`, a second PD "logger" holds
// the driver's COM1 range (ioport id 0) at cspace slot 7 (<cap_ioport>).
bool plan_devices(Sel4TestWorld& w, Diagnostics& d, bool grant = false) {
  if (!plan::test_support::load_test_kernel(w, d)) return false;
  plan::Pd pd;
  pd.name = "driver";
  pd.priority = 100;
  pd.channels.resize(63);
  pd.ioports.push_back({0, 0x3f8, 8});
  pd.ioports.push_back({5, 0xcf8, 8});
  auto& pin = pd.channels[3];
  pin.kind = plan::ChannelSlot::Kind::Irq;
  pin.irq = 40;
  pin.irq_kind = sdf::Irq::Kind::IoApic;
  pin.pin = 4;
  pin.polarity = sdf::Polarity::Low;
  pin.trigger = sdf::Trigger::Edge;
  auto& msi = pd.channels[4];
  msi.kind = plan::ChannelSlot::Kind::Irq;
  msi.irq = 41;
  msi.irq_kind = sdf::Irq::Kind::Msi;
  msi.pci_address = 0x20;
  msi.msi_handle = 3;
  w.plan.pds.push_back(pd);
  if (grant) {
    plan::Pd logger;
    logger.name = "logger";
    logger.priority = 90;
    logger.channels.resize(63);
    plan::ExtraCap com1;
    com1.kind = plan::ExtraCap::Kind::IoPort;
    com1.source_pd = 0;
    com1.ioport_id = 0;
    com1.slot = 7;
    com1.name = "com1";
    logger.extra_caps.push_back(com1);
    w.plan.pds.push_back(logger);
  }
  for (auto [name, size, chunk] : {std::tuple{"tsc", 0x1000, 5}, {"mbmap", 0x2000, 2}, {"dma", 0x2000, 0}}) {
    plan::Mr mr;
    mr.name = name;
    mr.size = size;
    mr.bootinfo_chunk = uint32_t(chunk);
    w.plan.mrs.push_back(mr);
  }
  w.plan.pds[0].mappings.push_back({0, 0x2000000, 0x1000, true, false, false, true});
  w.plan.pds[0].mappings.push_back({1, 0x2001000, 0x2000, true, false, false, true});
  w.plan.pds[0].mappings.push_back({2, 0x3000000, 0x2000, true, true, false, true});
  w.plan.io_spaces.push_back({"edu", 0x20, 1, {{2, 0x100000, true, true}}});
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.resize(3);
  auto sp = plan::plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

TEST(X86DevicesPlan, IoPortCapsAtTheirIds) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(plan_devices(w, d)) << describe(d);
  std::vector<const plan::Cap*> ports;
  for (const plan::Cap& c : w.sp.pds[0].caps)
    if (c.kind == plan::Cap::Kind::IoPort) ports.push_back(&c);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0]->slot, pd_abi::ioport_slot(0));
  EXPECT_EQ(ports[0]->first_port, 0x3f8u);
  EXPECT_EQ(ports[0]->last_port, 0x3ffu);
  EXPECT_EQ(ports[1]->slot, pd_abi::ioport_slot(5));
  EXPECT_EQ(ports[1]->first_port, 0xcf8u);
  EXPECT_EQ(ports[1]->last_port, 0xcffu);
}

TEST(X86DevicesPlan, BootInfoFramesAndIoPageTablePool) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(plan_devices(w, d)) << describe(d);
  // tsc: one page of chunk 5; mbmap: two pages of chunk 2, at offsets 0 and 4 KiB.
  ASSERT_EQ(w.sp.bootinfo_fills.size(), 3u);
  EXPECT_EQ(w.sp.bootinfo_fills[0].chunk_id, 5u);
  EXPECT_EQ(w.sp.bootinfo_fills[1].chunk_id, 2u);
  EXPECT_EQ(w.sp.bootinfo_fills[2].chunk_offset, 0x1000u);
  EXPECT_EQ(w.sp.bootinfo_fills[2].object, w.sp.mr_frames[1][1]);
  // The IO space maps both frames of dma, 4 KiB apart.
  ASSERT_EQ(w.sp.io_spaces.size(), 1u);
  const plan::IoSpacePlan& io = w.sp.io_spaces[0];
  ASSERT_EQ(io.maps.size(), 2u);
  EXPECT_EQ(io.maps[0].object, w.sp.mr_frames[2][0]);
  EXPECT_EQ(io.maps[1].iovaddr, 0x101000u);
  // Deepest layout (6 levels): root, 3 levels above 39 bits, one 1 GiB
  // and one 2 MiB window: 6 tables, consecutive in one untyped.
  ASSERT_EQ(w.sp.io_page_tables.size(), 6u);
  const plan::KernelObject& first = w.sp.objects[w.sp.io_page_tables[0]];
  for (size_t k = 0; k < 6; ++k) {
    const plan::KernelObject& t = w.sp.objects[w.sp.io_page_tables[k]];
    EXPECT_EQ(t.type, plan::ObjType::IoPageTable);
    EXPECT_EQ(t.untyped, first.untyped);
    EXPECT_EQ(t.paddr, first.paddr + k * 0x1000);
  }
}

std::vector<is::Step> spec_steps(const Sel4TestWorld& w, Diagnostics& d) {
  SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &w.sp;
  in.boot = &w.boot;
  in.package = &w.pkg;
  in.user_image_paddr = plan::test_support::kTestUserImagePaddr;
  in.user_image_vaddr = plan::test_support::kTestUserImageVaddr;
  auto bytes = write_spec(in, d);
  if (!bytes) return {};
  is::SpecHeader h;
  std::memcpy(&h, bytes->data(), sizeof h);
  std::vector<is::Step> out(h.step_count);
  std::memcpy(out.data(), bytes->data() + h.step_offset, h.step_count * sizeof(is::Step));
  return out;
}

// The decoder's facts of the test world, with QEMU intel-iommu's 3 levels.
initialiser::BootFacts x86_facts(const Sel4TestWorld& w) {
  initialiser::BootFacts b = plan::test_support::decoder_facts(w);
  b.io_pt_levels = 3;
  return b;
}

// The Copy steps whose source is root slot `src`.
std::vector<is::CapStep> copies_of(const std::vector<is::Step>& steps, uint64_t src) {
  std::vector<is::CapStep> out;
  for (const is::Step& s : steps)
    if (s.kind == uint32_t(is::StepKind::Copy) && as<is::CapStep>(s).src_slot == src)
      out.push_back(as<is::CapStep>(s));
  return out;
}

std::vector<is::X86IoPortIssueStep> ioport_issues(const std::vector<is::Step>& steps) {
  std::vector<is::X86IoPortIssueStep> out;
  for (const is::Step& s : steps)
    if (s.kind == uint32_t(is::StepKind::X86IoPortIssue)) out.push_back(as<is::X86IoPortIssueStep>(s));
  return out;
}

// <cap_ioport>: the grantee's cap is the owner's range at the grant's slot.
TEST(X86DevicesPlan, GrantedIoPortIsTheOwnersRangeAtTheGrantSlot) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(plan_devices(w, d, true)) << describe(d);
  std::vector<const plan::Cap*> ports;
  for (const plan::Cap& c : w.sp.pds[1].caps)
    if (c.kind == plan::Cap::Kind::IoPort) ports.push_back(&c);
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0]->slot, pd_abi::user_cap_slot(7));
  EXPECT_NE(ports[0]->slot, pd_abi::ioport_slot(0));
  EXPECT_EQ(ports[0]->first_port, 0x3f8u);
  EXPECT_EQ(ports[0]->last_port, 0x3ffu);
  EXPECT_EQ(ports[0]->ioport_owner, 0u);
}

// seL4 issues a port range once: the owner and the grantee get copies of
// the one issued cap, each in its own CNode at its own slot.
TEST(X86DevicesSpec, GrantedIoPortIsACopyOfTheOneIssuedCap) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(plan_devices(w, d, true)) << describe(d);
  auto steps = spec_steps(w, d);
  ASSERT_FALSE(steps.empty()) << describe(d);
  auto facts = x86_facts(w);
  for (size_t n = 0; n < steps.size(); ++n)
    EXPECT_EQ(initialiser::check_step(steps[n], facts), nullptr) << "step " << n << " kind " << steps[n].kind;
  std::vector<is::X86IoPortIssueStep> issues = ioport_issues(steps);
  ASSERT_EQ(issues.size(), 2u);  // COM1 and 0xcf8, not COM1 twice
  size_t com1 = issues[0].first_port == 0x3f8 ? 0 : 1;
  ASSERT_EQ(issues[com1].first_port, 0x3f8u);
  std::vector<is::CapStep> copies = copies_of(steps, issues[com1].dest_index);
  ASSERT_EQ(copies.size(), 2u);
  std::set<uint64_t> indices{copies[0].dest_index, copies[1].dest_index};
  EXPECT_EQ(indices, (std::set<uint64_t>{pd_abi::ioport_slot(0), pd_abi::user_cap_slot(7)}));
  EXPECT_NE(copies[0].dest_cnode_slot, copies[1].dest_cnode_slot);  // two PDs' CNodes
  EXPECT_EQ(copies_of(steps, issues[1 - com1].dest_index).size(), 1u);  // 0xcf8: the driver only
}

TEST(X86DevicesSpec, StepsPassTheDecoderAndSayWhatWasPlanned) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(plan_devices(w, d)) << describe(d);
  auto steps = spec_steps(w, d);
  ASSERT_FALSE(steps.empty()) << describe(d);
  auto facts = x86_facts(w);
  std::vector<is::X86IoPortIssueStep> ports;
  std::vector<is::X86IrqIssueStep> irqs;
  std::vector<is::X86BootInfoFillStep> fills;
  std::vector<is::X86IoMapFrameStep> maps;
  std::vector<is::RetypeStep> iopt_retypes;
  size_t first_map_frame_step = steps.size(), last_fill = 0, first_io_map = steps.size();
  for (size_t n = 0; n < steps.size(); ++n) {
    const is::Step& s = steps[n];
    EXPECT_EQ(initialiser::check_step(s, facts), nullptr) << "step " << n << " kind " << s.kind;
    switch (static_cast<is::StepKind>(s.kind)) {
      case is::StepKind::X86IoPortIssue: ports.push_back(as<is::X86IoPortIssueStep>(s)); break;
      case is::StepKind::X86IrqIssue: irqs.push_back(as<is::X86IrqIssueStep>(s)); break;
      case is::StepKind::X86BootInfoFill: fills.push_back(as<is::X86BootInfoFillStep>(s)); last_fill = n; break;
      case is::StepKind::X86IoMapFrame:
        maps.push_back(as<is::X86IoMapFrameStep>(s));
        first_io_map = std::min(first_io_map, n);
        break;
      case is::StepKind::Retype:
        if (s.small == uint32_t(is::ObjectKind::IoPageTable)) iopt_retypes.push_back(as<is::RetypeStep>(s));
        break;
      case is::StepKind::MapFrame: first_map_frame_step = std::min(first_map_frame_step, n); break;
      case is::StepKind::IrqIssue: ADD_FAILURE() << "an ARM/RISC-V IRQ step for an x86 interrupt"; break;
      default: break;
    }
  }
  // Issued once into a root slot, then copied to the driver at its id.
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].dest_cnode_slot, 2u);  // seL4_CapInitThreadCNode
  EXPECT_EQ(ports[0].dest_depth, 64u);
  EXPECT_EQ(ports[0].last_port, 0x3ffu);
  std::vector<is::CapStep> copies = copies_of(steps, ports[0].dest_index);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].dest_index, pd_abi::ioport_slot(0));
  EXPECT_EQ(copies[0].dest_depth, pd_abi::kCNodeBits);

  ASSERT_EQ(irqs.size(), 2u);
  EXPECT_EQ(irqs[0].source, is::kX86IrqIoApic);
  EXPECT_EQ(irqs[0].vector, 40u);
  EXPECT_EQ(irqs[0].b, 4u);                       // pin
  EXPECT_EQ(irqs[0].c, is::kX86IrqActiveLow);     // edge, active low
  EXPECT_EQ(irqs[1].source, is::kX86IrqMsi);
  EXPECT_EQ(irqs[1].a, 0x20u);                    // 00:04.0
  EXPECT_EQ(irqs[1].b, 3u);                       // handle
  EXPECT_EQ(irqs[1].vector, 41u);

  // Bootinfo fills come before any frame is mapped into a PD.
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_LT(last_fill, first_map_frame_step);
  std::set<uint64_t> fill_slots;
  for (const auto& f : fills) fill_slots.insert(f.frame_slot);
  EXPECT_EQ(fill_slots.size(), 3u);

  // Two IO maps of one space: the first mints the IOSpace (domain 1,
  // 00:04.0), the second reuses it; the dma frames were mapped into the
  // driver first, so the IO maps use copies.
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_GT(first_io_map, first_map_frame_step);
  EXPECT_EQ(maps[0].iospace_data, (uint64_t{1} << 16) | 0x20u);
  EXPECT_EQ(maps[1].iospace_data, 0u);
  EXPECT_EQ(maps[0].iospace_slot, maps[1].iospace_slot);
  EXPECT_EQ(maps[0].iovaddr, 0x100000u);
  EXPECT_EQ(maps[1].iovaddr, 0x101000u);
  EXPECT_EQ(maps[0].rights, is::kRightRead | is::kRightWrite);
  EXPECT_NE(maps[0].frame_slot, maps[1].frame_slot);
  EXPECT_EQ(maps[0].iopt_pool_count, 6u);
  EXPECT_EQ(maps[0].iopt_pool_start, maps[1].iopt_pool_start);
  // The pool is one Retype of six IO page tables into exactly those slots.
  ASSERT_EQ(iopt_retypes.size(), 1u);
  EXPECT_EQ(iopt_retypes[0].count, 6u);
  EXPECT_EQ(iopt_retypes[0].dest_slot, maps[0].iopt_pool_start);
}

}  // namespace
}  // namespace microkit::sel4
