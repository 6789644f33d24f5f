// Helpers of the VM planning tests (sel4_plan_vm_test.cc, AArch64, and
// sel4_plan_vm_x86_64_test.cc): a VMM with one VM, the SDF elements errors
// point at, planning with them.
#pragma once

#include <cstring>
#include <optional>
#include <vector>

#include "plan/sel4_plan.h"
#include "plan/sel4_test_world.h"
#include "runtime/shared/initialiser_spec.h"
#include "sel4/spec_test_support.h"

namespace microkit::plan::vm_test {

namespace is = initialiser_spec;
using spec_test_support::as;
using test_support::Sel4TestWorld;

inline constexpr uint64_t kGuestRam = 0x40000000;

// A VMM ("vmm") with a VM "guest": vCPUs with the given ids (on core 0),
// 8 KiB of guest RAM at guest-physical 0x40000000 (kGuestRam).
inline void add_vmm(Sel4TestWorld& w, std::vector<uint64_t> vcpu_ids) {
  Pd vmm;
  vmm.name = "vmm";
  vmm.priority = 200;
  vmm.channels.resize(63);
  Vm vm;
  vm.name = "guest";
  vm.priority = 100;
  vm.budget_us = 500;
  vm.period_us = 1000;
  for (uint64_t id : vcpu_ids) vm.vcpus.push_back({id, 0});
  Mr ram;
  ram.name = "guest_ram";
  ram.size = 0x2000;
  w.plan.mrs.push_back(ram);
  vm.mappings.push_back({w.plan.mrs.size() - 1, kGuestRam, 0x2000, true, true, true, true});
  vmm.vm = vm;
  w.plan.pds.push_back(vmm);
}

// The SDF elements the errors point at: the VM at 3:5, its vCPUs' cpu
// attributes at 4+k:20.
inline sdf::SystemDescription vm_sdf(size_t vcpus) {
  sdf::SystemDescription sd;
  sd.file = "vm.system";
  sd.pds.resize(1);
  sd.pds[0].loc = {2, 3};
  sd.pds[0].vm.emplace();
  sd.pds[0].vm->loc = {3, 5};
  for (size_t k = 0; k < vcpus; ++k) {
    sdf::Vcpu v;
    v.loc = {uint32_t(4 + k), 7};
    v.attrs = {{"cpu", {uint32_t(4 + k), 20}}};
    sd.pds[0].vm->vcpus.push_back(v);
  }
  return sd;
}

inline std::optional<Sel4Plan> plan_vm(Sel4TestWorld& w, Diagnostics& d, const sdf::SystemDescription* sd = nullptr) {
  Sel4Inputs in = test_support::test_sel4_inputs(w);
  in.mr_prefill_pages.resize(w.plan.mrs.size());
  in.sdf = sd;
  return plan_sel4(w.plan, in, d);
}

inline const Cap* cap_at(const PdObjects& po, uint64_t slot) {
  for (const Cap& c : po.caps)
    if (c.slot == slot) return &c;
  return nullptr;
}

}  // namespace microkit::plan::vm_test
