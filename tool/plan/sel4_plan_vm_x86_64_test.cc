// Planning of x86-64 VT-x virtual machines (plan_sel4 and the spec the
// initial task runs), on the facts of the real x86_64_generic_vtx debug
// build (MICROKIT_SHARED_DIR). Planning only: QEMU's TCG has no VT-x, so no
// guest runs here.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/spec_writer.h"
#include "plan/sel4_vm_test_support.h"

namespace microkit::plan {
namespace {

namespace is = initialiser_spec;
using World = test_support::Sel4TestWorld;
using namespace vm_test;

// The kernel moves the user image to ki_end (0xa2a000 in this build).
constexpr uint64_t kUserImage = 0xa2a000;
constexpr uint64_t kUserImageVaddr = 0x400000;

bool load_vtx(World& w, Diagnostics& d) {
  return test_support::load_test_kernel(w, d, "x86_64_generic_vtx", kUserImage, kUserImageVaddr);
}

std::string describe(const Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += render(x) + "\n";
  return out;
}

TEST(Sel4PlanVmX86, TheVcpuIsBoundToTheVmmsThreadAndTheGuestSpaceIsEpt) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(load_vtx(w, d)) << describe(d);
  ASSERT_TRUE(w.pkg.config.hypervisor);
  add_vmm(w, {3});
  auto sp = plan_vm(w, d);
  ASSERT_TRUE(sp) << describe(d);
  test_support::expect_well_placed(*sp);
  const PdObjects& vmm = sp->pds[0];
  ASSERT_TRUE(vmm.vm);
  const VmObjects& vm = *vmm.vm;
  EXPECT_TRUE(vm.ept);
  EXPECT_EQ(sp->objects[vm.vspace].type, ObjType::EptRoot);
  EXPECT_EQ(sp->objects[vm.vspace].size_bits, 12u);  // seL4_X86_EPTPML4Bits
  ASSERT_EQ(vm.vcpus.size(), 1u);
  const VcpuObjects& v = vm.vcpus[0];
  EXPECT_FALSE(v.own_thread);
  EXPECT_EQ(v.tcb, vmm.tcb);  // no thread of its own
  EXPECT_EQ(sp->objects[v.vcpu].type, ObjType::Vcpu);
  EXPECT_EQ(sp->objects[v.vcpu].size_bits, 14u);  // seL4_X86_VCPUBits
  // The VMM holds the VCPU at the official slot, and no vCPU TCB.
  const Cap* vcpu = cap_at(vmm, pd_abi::vcpu_slot(3));
  ASSERT_TRUE(vcpu);
  EXPECT_EQ(vcpu->object, v.vcpu);
  EXPECT_EQ(cap_at(vmm, pd_abi::vm_tcb_slot(3)), nullptr);
  // No TCB, SC or CNode beyond the PDs' own.
  size_t tcbs = 0;
  for (const KernelObject& o : sp->objects) tcbs += o.type == ObjType::Tcb;
  EXPECT_EQ(tcbs, sp->pds.size());
  // One EPT PDPT, PD and PT for the one 2 MiB window, all 4 KiB.
  ASSERT_EQ(vm.page_tables.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(sp->objects[vm.page_tables[k].object].type, ObjType::EptTable);
    EXPECT_EQ(sp->objects[vm.page_tables[k].object].size_bits, 12u);
    EXPECT_EQ(vm.page_tables[k].covers_bits, (std::vector<uint32_t>{39, 30, 21})[k]);
    EXPECT_EQ(vm.page_tables[k].vaddr, kGuestRam >> vm.page_tables[k].covers_bits << vm.page_tables[k].covers_bits);
  }
  ASSERT_EQ(vm.mappings.size(), 2u);
  EXPECT_EQ(vm.mappings[0].vaddr, kGuestRam);
  EXPECT_EQ(vm.mappings[1].vaddr, kGuestRam + 0x1000);
  EXPECT_EQ(vm.mappings[0].object, sp->mr_frames[0][0]);
}

// The spec's steps, and the facts the initial task checks them against: the
// kernel's bootinfo for the assumed 1 GiB machine, untypeds bound at run
// time (as sel4_plan_x86_64_test.cc).
struct SpecAndFacts {
  std::vector<is::Step> steps;
  initialiser::BootFacts facts;
};

SpecAndFacts spec_steps(const World& w, const Sel4Plan& sp) {
  sel4::SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &sp;
  in.boot = &w.boot;
  in.package = &w.pkg;
  in.user_image_paddr = w.ui_paddr;
  in.user_image_vaddr = kUserImageVaddr;
  Diagnostics d;
  auto bytes = sel4::write_spec(in, d);
  EXPECT_TRUE(bytes) << describe(d);
  if (!bytes) return {};
  auto h = initialiser::read_at<is::SpecHeader>(bytes->data(), 0);
  EXPECT_EQ(initialiser::check_header(h, bytes->size()), nullptr);
  SpecAndFacts out;
  out.facts = test_support::decoder_facts(w, kUserImageVaddr);
  out.facts.empty_start = w.boot.untyped.end;
  out.facts.bound_untypeds = h.untyped_count;
  EXPECT_EQ(initialiser::check_boot_facts(h, out.facts, true), nullptr);
  out.steps.resize(h.step_count);
  std::memcpy(out.steps.data(), bytes->data() + h.step_offset, h.step_count * sizeof(is::Step));
  return out;
}

// What the spec does with the VM, slot by slot.
struct VmSteps {
  std::map<uint32_t, std::vector<uint64_t>> made;  // object kind -> retyped slots
  std::vector<uint64_t> asid_assigned;
  std::vector<is::EptMapStep> ept_maps;
  std::vector<std::pair<uint64_t, uint64_t>> vcpu_binds, ept_roots;
  std::vector<uint64_t> mapped_frames;              // MapFrame steps' frame slots
  size_t ept_root_index = 0, last_asid_index = 0;
};

VmSteps read_steps(const std::vector<is::Step>& steps) {
  VmSteps v;
  for (size_t i = 0; i < steps.size(); ++i) {
    const is::Step& s = steps[i];
    switch (static_cast<is::StepKind>(s.kind)) {
      case is::StepKind::Retype: {
        auto r = as<is::RetypeStep>(s);
        for (uint64_t k = 0; k < r.count; ++k) v.made[r.object_kind].push_back(r.dest_slot + k);
        break;
      }
      case is::StepKind::AsidPoolAssign:
        v.asid_assigned.push_back(as<is::AsidPoolAssignStep>(s).vspace_slot);
        v.last_asid_index = i;
        break;
      case is::StepKind::EptMap: v.ept_maps.push_back(as<is::EptMapStep>(s)); break;
      case is::StepKind::VcpuSetTcb:
        v.vcpu_binds.push_back({as<is::TcbPairStep>(s).a_slot, as<is::TcbPairStep>(s).b_slot});
        break;
      case is::StepKind::TcbSetEptRoot:
        v.ept_roots.push_back({as<is::TcbPairStep>(s).a_slot, as<is::TcbPairStep>(s).b_slot});
        v.ept_root_index = i;
        break;
      case is::StepKind::MapFrame: v.mapped_frames.push_back(as<is::MapFrameStep>(s).frame_slot); break;
      default: break;
    }
  }
  return v;
}

// The VMM's TCB: the slot its TcbConfigure step names.
uint64_t vmm_tcb_slot(const std::vector<is::Step>& steps) {
  for (const is::Step& s : steps)
    if (s.kind == uint32_t(is::StepKind::TcbConfigure)) return as<is::TcbConfigureStep>(s).tcb_slot;
  return 0;
}

TEST(Sel4PlanVmX86, TheSpecMakesMapsAndBindsEveryEptObject) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(load_vtx(w, d)) << describe(d);
  add_vmm(w, {0});
  auto sp = plan_vm(w, d);
  ASSERT_TRUE(sp) << describe(d);
  auto [steps, facts] = spec_steps(w, *sp);
  ASSERT_FALSE(steps.empty());
  for (const is::Step& s : steps)
    EXPECT_EQ(initialiser::check_step(s, facts), nullptr) << initialiser::step_name(s.kind);
  VmSteps v = read_steps(steps);
  auto one = [&](is::ObjectKind k) {
    const auto& slots = v.made[uint32_t(k)];
    EXPECT_EQ(slots.size(), 1u) << uint32_t(k);
    return slots.empty() ? 0 : slots[0];
  };
  uint64_t pml4 = one(is::ObjectKind::EptPml4), pdpt = one(is::ObjectKind::EptPdpt);
  uint64_t pd = one(is::ObjectKind::EptPd), pt = one(is::ObjectKind::EptPt), vcpu = one(is::ObjectKind::Vcpu);
  // The PML4 gets an ASID; tables and frames go in through the EPT maps.
  EXPECT_NE(std::find(v.asid_assigned.begin(), v.asid_assigned.end(), pml4), v.asid_assigned.end());
  ASSERT_EQ(v.ept_maps.size(), 5u);
  std::vector<std::pair<uint32_t, uint64_t>> tables;
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(v.ept_maps[k].pml4_slot, pml4);
    EXPECT_EQ(v.ept_maps[k].rights, 0u);
    tables.push_back({v.ept_maps[k].object_kind, v.ept_maps[k].object_slot});
  }
  EXPECT_EQ(tables, (std::vector<std::pair<uint32_t, uint64_t>>{{uint32_t(is::ObjectKind::EptPdpt), pdpt},
                                                                {uint32_t(is::ObjectKind::EptPd), pd},
                                                                {uint32_t(is::ObjectKind::EptPt), pt}}));
  for (size_t k = 3; k < 5; ++k) {
    const is::EptMapStep& m = v.ept_maps[k];
    EXPECT_EQ(m.object_kind, uint32_t(is::ObjectKind::SmallPage));
    EXPECT_EQ(m.pml4_slot, pml4);
    EXPECT_EQ(m.gpa, kGuestRam + (k - 3) * 0x1000);
    EXPECT_EQ(m.rights, uint64_t{is::kRightRead | is::kRightWrite});
    EXPECT_TRUE(m.attributes & is::kMapCacheable);
    // The guest's frames are in no ordinary VSpace.
    EXPECT_EQ(std::count(v.mapped_frames.begin(), v.mapped_frames.end(), m.object_slot), 0);
  }
  // The VCPU and the EPT root go to the VMM's own TCB, after the ASID.
  uint64_t tcb = vmm_tcb_slot(steps);
  ASSERT_NE(tcb, 0u);
  EXPECT_EQ(v.vcpu_binds, (std::vector<std::pair<uint64_t, uint64_t>>{{vcpu, tcb}}));
  EXPECT_EQ(v.ept_roots, (std::vector<std::pair<uint64_t, uint64_t>>{{tcb, pml4}}));
  EXPECT_GT(v.ept_root_index, v.last_asid_index);
}

// The initial task's own decode checks of the EPT step: a table has no
// rights, a frame needs some and an aligned guest-physical address.
TEST(Sel4PlanVmX86, TheInitialTaskRefusesMalformedEptMaps) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(load_vtx(w, d)) << describe(d);
  auto facts = test_support::decoder_facts(w, kUserImageVaddr);
  auto step = [&](is::ObjectKind k, uint64_t gpa, uint64_t rights) {
    is::EptMapStep m{};
    m.kind = uint32_t(is::StepKind::EptMap);
    m.object_kind = uint32_t(k);
    m.object_slot = w.boot.empty.start;
    m.pml4_slot = w.boot.empty.start + 1;
    m.gpa = gpa;
    m.rights = rights;
    is::Step s;
    std::memcpy(&s, &m, sizeof s);
    return initialiser::check_step(s, facts);
  };
  EXPECT_EQ(step(is::ObjectKind::EptPd, 0x40000000, 0), nullptr);
  EXPECT_NE(step(is::ObjectKind::EptPd, 0x40000000, is::kRightRead), nullptr);
  EXPECT_EQ(step(is::ObjectKind::LargePage, 0x40200000, is::kRightRead), nullptr);
  EXPECT_NE(step(is::ObjectKind::LargePage, 0x40201000, is::kRightRead), nullptr);
  EXPECT_NE(step(is::ObjectKind::SmallPage, 0x40000000, 0), nullptr);
  EXPECT_NE(step(is::ObjectKind::Tcb, 0x40000000, 0), nullptr);
}

void expect_refused(World& w, size_t vcpus, const std::string& id, Loc loc) {
  Diagnostics d;
  auto sd = vm_sdf(vcpus);
  EXPECT_FALSE(plan_vm(w, d, &sd));
  ASSERT_EQ(d.error_count(), 1u) << describe(d);
  EXPECT_EQ(d.all()[0].id, id);
  EXPECT_EQ(d.all()[0].loc, loc);
}

TEST(Sel4PlanVmX86, AVmHasOneVcpuOnTheVmmsCore) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(load_vtx(w, d)) << describe(d);
  add_vmm(w, {0, 1});
  expect_refused(w, 2, "vm-vcpu-on-vmm-thread", {3, 5});
  World other;
  ASSERT_TRUE(load_vtx(other, d)) << describe(d);
  add_vmm(other, {0});
  other.plan.pds[0].cpu = 1;  // (the VMM's core is checked first elsewhere; the vCPU must follow it)
  other.plan.pds[0].vm->vcpus[0].cpu = 0;
  Diagnostics d2;
  auto sd = vm_sdf(1);
  EXPECT_FALSE(plan_vm(other, d2, &sd));
  bool named = false;
  for (const auto& x : d2.all()) named |= x.id == "vm-vcpu-on-vmm-thread" && x.loc == Loc{4, 20};
  EXPECT_TRUE(named) << describe(d2);
}

TEST(Sel4PlanVmX86, TheKernelWithoutVtxHasNoVms) {
  World w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d, "x86_64_generic", 0xa22000, kUserImageVaddr)) << describe(d);
  add_vmm(w, {0});
  expect_refused(w, 1, "vm-kernel-without-hypervisor", {3, 5});
}

}  // namespace
}  // namespace microkit::plan
