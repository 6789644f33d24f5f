// Tests for the planning of virtual machines on seL4 (plan_sel4 and the
// spec the initial task runs), on the facts of the real qemu_virt_aarch64
// hypervisor build (MICROKIT_SHARED_DIR): no kernel runs.
#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"

#include <gtest/gtest.h>

#include <cstring>

#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/initialiser_spec.h"
#include "runtime/shared/pd_abi.h"
#include "sel4/spec_writer.h"
#include "plan/sel4_vm_test_support.h"

namespace microkit::plan {
namespace {

namespace is = initialiser_spec;
using test_support::Sel4TestWorld;
using namespace vm_test;

TEST(Sel4PlanVm, AVcpuGetsItsThreadVcpuAndTheGuestAddressSpace) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));
  add_vmm(w, {5});
  auto sp = plan_vm(w, d);
  ASSERT_TRUE(sp);
  test_support::expect_well_placed(*sp);
  const PdObjects& vmm = sp->pds[0];
  ASSERT_TRUE(vmm.endpoint);  // vCPU faults arrive there, though it has no children
  ASSERT_TRUE(vmm.vm);
  const VmObjects& vm = *vmm.vm;
  ASSERT_EQ(vm.vcpus.size(), 1u);
  const VcpuObjects& v = vm.vcpus[0];
  EXPECT_EQ(v.id, 5u);
  EXPECT_EQ(sp->objects[v.vcpu].type, ObjType::Vcpu);
  EXPECT_EQ(sp->objects[v.tcb].type, ObjType::Tcb);
  EXPECT_EQ(sp->objects[v.sc].type, ObjType::SchedContext);
  EXPECT_NE(vm.vspace, vmm.vspace);
  // The VMM holds the vCPU's TCB and VCPU at the official slots.
  const Cap* tcb = cap_at(vmm, pd_abi::vm_tcb_slot(5));
  const Cap* vcpu = cap_at(vmm, pd_abi::vcpu_slot(5));
  ASSERT_TRUE(tcb && vcpu);
  EXPECT_EQ(tcb->object, v.tcb);
  EXPECT_EQ(vcpu->object, v.vcpu);
  // Guest RAM at its guest-physical address, two pages, executable.
  ASSERT_EQ(vm.mappings.size(), 2u);
  EXPECT_EQ(vm.mappings[0].vaddr, 0x40000000u);
  EXPECT_EQ(vm.mappings[1].vaddr, 0x40001000u);
  EXPECT_TRUE(vm.mappings[0].execute);
  EXPECT_EQ(vm.mappings[0].object, sp->mr_frames[0][0]);
  // A table at every level below the root for the one 2 MiB window.
  EXPECT_EQ(vm.page_tables.size(), w.facts.paging_level_bits.size());
  // The guest's frames are not in the VMM's own address space.
  for (const FrameMapping& m : vmm.mappings) EXPECT_NE(m.object, sp->mr_frames[0][0]);
}

std::vector<is::Step> spec_steps(const Sel4TestWorld& w, const Sel4Plan& sp) {
  sel4::SpecInputs in;
  in.plan = &w.plan;
  in.sel4 = &sp;
  in.boot = &w.boot;
  in.package = &w.pkg;
  in.user_image_paddr = w.ui_paddr;
  in.user_image_vaddr = test_support::kTestUserImageVaddr;
  Diagnostics d;
  auto bytes = sel4::write_spec(in, d);
  EXPECT_TRUE(bytes);
  if (!bytes) return {};
  is::SpecHeader h;
  std::memcpy(&h, bytes->data(), sizeof h);
  std::vector<is::Step> steps(h.step_count);
  std::memcpy(steps.data(), bytes->data() + h.step_offset, h.step_count * sizeof(is::Step));
  return steps;
}


// The initial task binds each VCPU to its TCB, gives the vCPU thread the
// VMM's endpoint badged with the vCPU id as fault endpoint, and never
// resumes it; every step passes the initial task's own checks.
TEST(Sel4PlanVm, TheSpecBindsEachVcpuAndLeavesItSuspended) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));
  add_vmm(w, {2});
  auto sp = plan_vm(w, d);
  ASSERT_TRUE(sp);
  auto steps = spec_steps(w, *sp);
  ASSERT_FALSE(steps.empty());
  auto facts = test_support::decoder_facts(w);
  std::map<uint64_t, uint64_t> root_slot_badge;  // Mint destinations in the root CNode
  std::vector<std::pair<uint64_t, uint64_t>> binds;
  std::vector<uint64_t> resumed, fault_eps;
  uint64_t vcpu_slot = 0, tcb_slot = 0;
  for (const is::Step& s : steps) {
    EXPECT_EQ(initialiser::check_step(s, facts), nullptr) << initialiser::step_name(s.kind);
    auto kind = static_cast<is::StepKind>(s.kind);
    if (kind == is::StepKind::Retype && as<is::RetypeStep>(s).object_kind == uint32_t(is::ObjectKind::Vcpu))
      vcpu_slot = as<is::RetypeStep>(s).dest_slot;
    if (kind == is::StepKind::Mint && as<is::CapStep>(s).dest_cnode_slot == 2)
      root_slot_badge[as<is::CapStep>(s).dest_index] = as<is::CapStep>(s).badge;
    if (kind == is::StepKind::VcpuSetTcb)
      binds.push_back({as<is::TcbPairStep>(s).a_slot, as<is::TcbPairStep>(s).b_slot});
    if (kind == is::StepKind::TcbResume) resumed.push_back(as<is::SingleSlotStep>(s).slot);
    if (kind == is::StepKind::TcbSetSchedParams && as<is::TcbSetSchedParamsStep>(s).priority == 100) {
      tcb_slot = as<is::TcbSetSchedParamsStep>(s).tcb_slot;
      fault_eps.push_back(as<is::TcbSetSchedParamsStep>(s).fault_ep_slot);
    }
  }
  ASSERT_NE(vcpu_slot, 0u);
  ASSERT_EQ(binds.size(), 1u);
  EXPECT_EQ(binds[0].first, vcpu_slot);
  EXPECT_EQ(binds[0].second, tcb_slot);
  ASSERT_EQ(fault_eps.size(), 1u);
  EXPECT_EQ(root_slot_badge[fault_eps[0]], pd_abi::fault_badge(2));
  ASSERT_EQ(resumed.size(), 1u);  // the VMM only
  EXPECT_NE(resumed[0], tcb_slot);
}

// Planning fails with exactly one error, `id` at `loc`.
void expect_refused(Sel4TestWorld& w, size_t vcpus, const std::string& id, Loc loc) {
  Diagnostics d;
  auto sd = vm_sdf(vcpus);
  EXPECT_FALSE(plan_vm(w, d, &sd));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, id);
  EXPECT_EQ(d.all()[0].loc, loc);
}

TEST(Sel4PlanVm, MoreVcpusThanCoresIsRefusedAtTheVm) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));  // a single-core kernel
  add_vmm(w, {0, 1});
  expect_refused(w, 2, "vm-too-many-vcpus", {3, 5});
}

TEST(Sel4PlanVm, AVcpuOnACoreTheKernelDoesNotRunIsRefusedAtItsCpu) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));
  add_vmm(w, {0});
  w.plan.pds[0].vm->vcpus[0].cpu = 1;
  expect_refused(w, 1, "vcpu-cpu-unavailable", {4, 20});
}

TEST(Sel4PlanVm, AKernelWithoutVcpusIsRefusedAtTheVm) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));
  w.pkg.config.hypervisor = false;
  w.pkg.sizes.vcpu.reset();
  add_vmm(w, {0});
  expect_refused(w, 1, "vm-kernel-without-hypervisor", {3, 5});
}

TEST(Sel4PlanVm, AGuestMapPastTheGuestAddressSpaceIsRefused) {
  Sel4TestWorld w;
  Diagnostics d;
  ASSERT_TRUE(test_support::load_test_kernel(w, d));
  add_vmm(w, {0});
  w.plan.pds[0].vm->mappings[0].vaddr = w.pkg.user_vaddr_end() - 0x1000;
  expect_refused(w, 1, "vm-mapping-out-of-range", {3, 5});
}

}  // namespace
}  // namespace microkit::plan
