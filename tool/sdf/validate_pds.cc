// Protection-domain rules: scheduling, stack, cpu, children, virtual
// machines and extra CSpace capabilities.
#include <algorithm>
#include <unordered_map>

#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

struct Scheduling {
  const Element& element;
  std::string what;  // "protection domain 'x'"
  uint64_t priority;
  uint64_t budget;
  std::optional<uint64_t> period;
};

void check_scheduling(Context& cx, const Scheduling& s) {
  if (s.priority > cx.limits.max_priority) {
    cx.error("priority-too-high", s.element.at("priority"),
             s.what + " has priority " + std::to_string(s.priority) + "; the highest allowed is " +
                 std::to_string(cx.limits.max_priority),
             "use a priority between 0 and " + std::to_string(cx.limits.max_priority));
  }
  if (s.budget == 0) {
    cx.error("budget-zero", s.element.at("budget"), s.what + " has a budget of 0 microseconds",
             "give it a positive budget (the default is 1000)");
    return;
  }
  uint64_t period = s.period.value_or(s.budget);
  if (s.budget > period) {
    Loc loc = s.element.has("budget") ? s.element.at("budget") : s.element.at("period");
    cx.error("budget-exceeds-period", loc,
             s.what + " has a budget (" + std::to_string(s.budget) +
                 " us) larger than its period (" + std::to_string(period) + " us)",
             "make the budget at most the period, or the period at least the budget");
  }
}

void check_stack(Context& cx, const ProtectionDomain& pd) {
  const auto& l = cx.limits;
  Loc loc = pd.at("stack_size");
  if (pd.stack_size < l.min_stack_size || pd.stack_size > l.max_stack_size) {
    cx.error("stack-size-out-of-range", loc,
             "protection domain '" + pd.name + "' has a stack size of " + hex(pd.stack_size) +
                 " bytes, outside [" + hex(l.min_stack_size) + ", " + hex(l.max_stack_size) + "]",
             "choose a stack size between " + hex(l.min_stack_size) + " and " +
                 hex(l.max_stack_size) + " bytes");
    return;
  }
  uint64_t page = cx.board.smallest_page_size();
  if (pd.stack_size % page != 0) {
    cx.error("stack-size-unaligned", loc,
             "protection domain '" + pd.name + "' has a stack size of " + hex(pd.stack_size) +
                 " bytes, not a multiple of the page size " + hex(page),
             "round the stack size up to a multiple of " + hex(page));
  }
}

void check_cpu(Context& cx, const Element& e, const std::string& what, uint64_t cpu) {
  if (cpu < cx.config.cpus) return;
  cx.error("cpu-out-of-range", e.at("cpu"),
           what + " is placed on cpu " + std::to_string(cpu) + " but configuration '" +
               cx.config.name + "' has " + std::to_string(cx.config.cpus) + " cpu(s)",
           cx.config.cpus == 1 ? std::string("remove the cpu attribute or set it to 0")
                               : "use a cpu between 0 and " + std::to_string(cx.config.cpus - 1));
}

struct IdUse {
  uint64_t id;
  Loc loc;
  bool vcpu;
};

// Children and the vCPUs of the PD's VM are both addressed by one id space
// in the parent (microkit_child). vCPU-against-vCPU clashes are the VM's rule.
void check_sibling_ids(Context& cx, const ProtectionDomain& parent) {
  std::vector<IdUse> uses;
  for (size_t c : parent.children) {
    const auto& child = cx.sd.pds[c];
    if (child.child_id) uses.push_back({*child.child_id, child.at("id"), false});
  }
  if (parent.vm)
    for (const auto& v : parent.vm->vcpus) uses.push_back({v.id, v.at("id"), true});
  std::stable_sort(uses.begin(), uses.end(),
                   [](const IdUse& a, const IdUse& b) { return before(a.loc, b.loc); });
  std::unordered_map<uint64_t, const IdUse*> first;
  for (const IdUse& use : uses) {
    auto [it, inserted] = first.emplace(use.id, &use);
    if (inserted || (use.vcpu && it->second->vcpu)) continue;
    cx.error("duplicate-child-id", use.loc,
             "id " + std::to_string(use.id) + " is used twice among the children and vCPUs of '" +
                 parent.name + "'",
             "give each child protection domain and vCPU of '" + parent.name + "' its own id");
    cx.note(it->second->loc, std::string("first used by a ") +
                                 (it->second->vcpu ? "vCPU" : "child protection domain") + " here");
  }
}

void check_vcpus(Context& cx, const VirtualMachine& vm) {
  std::unordered_map<uint64_t, Loc> seen;
  for (const auto& v : vm.vcpus) {
    if (v.id > cx.limits.max_vcpu_id) {
      cx.error("vcpu-id-too-high", v.at("id"),
               "vCPU id " + std::to_string(v.id) + " is above the maximum " +
                   std::to_string(cx.limits.max_vcpu_id),
               "use a vCPU id between 0 and " + std::to_string(cx.limits.max_vcpu_id));
    }
    auto [it, inserted] = seen.emplace(v.id, v.at("id"));
    if (!inserted) {
      cx.error("duplicate-vcpu-id", v.at("id"),
               "virtual machine '" + vm.name + "' has two vCPUs with id " + std::to_string(v.id),
               "give each vCPU its own id");
      cx.note(it->second, "the first vCPU with this id");
    }
    if (v.cpu) check_cpu(cx, v, "vCPU " + std::to_string(v.id) + " of '" + vm.name + "'", *v.cpu);
  }
  if (cx.x86() && vm.vcpus.size() > 1) {
    cx.error("x86-too-many-vcpus", vm.vcpus[1].loc,
             "virtual machine '" + vm.name + "' has " + std::to_string(vm.vcpus.size()) +
                 " vCPUs; on x86-64 a virtual machine has exactly one",
             "keep one <vcpu>; use one protection domain per extra vCPU");
  }
}

void check_vm_scheduling(Context& cx, const VirtualMachine& vm) {
  if (cx.board.arch == board::Arch::AArch64) {
    check_scheduling(cx, {vm, "virtual machine '" + vm.name + "'", vm.priority, vm.budget, vm.period});
    return;
  }
  for (const char* attr : {"priority", "budget", "period"}) {
    if (!vm.has(attr)) continue;
    cx.error("vm-scheduling-not-supported", vm.at(attr),
             std::string("'") + attr + "' on a virtual machine is not supported on " +
                 arch_label(cx.board.arch) + ": the VM runs with its parent's scheduling",
             std::string("remove '") + attr + "' and set it on the parent protection domain");
  }
}

void check_smc(Context& cx, const ProtectionDomain& pd) {
  if (!pd.smc) return;
  if (cx.board.arch != board::Arch::AArch64) {
    cx.error("smc-not-supported", pd.at("smc"),
             std::string("SMC calls exist only on AArch64; this board is ") +
                 arch_label(cx.board.arch),
             "remove smc=\"true\"");
    return;
  }
  if (cx.limits.smc_calls.value_or(true)) return;
  cx.error("smc-not-allowed-by-kernel", pd.at("smc"),
           "protection domain '" + pd.name + "' asks for SMC calls, but the kernel package (" +
               cx.limits.kernel_package + ") was built without them (ALLOW_SMC_CALLS is off)",
           "remove smc=\"true\", or use a kernel built with KernelAllowSMCCalls=ON");
}

// The host platform runs PDs as Linux processes, whose FPU cannot be turned
// off: say so rather than accept fpu="false" silently.
void check_host_scheduling(Context& cx, const ProtectionDomain& pd) {
  if (cx.board.arch != board::Arch::Host) return;
  for (const char* attr : {"budget", "period"}) {
    if (!pd.has(attr)) continue;
    cx.warning("scheduling-not-enforced-on-host", pd.at(attr),
               "protection domain '" + pd.name + "': " + attr + " is not enforced on the host "
               "platform (a PD runs until it blocks); seL4 enforces it",
               "test timing-dependent behaviour on seL4 (QEMU)");
    return;
  }
}

void check_fpu(Context& cx, const ProtectionDomain& pd) {
  if (pd.fpu || cx.board.arch != board::Arch::Host) return;
  cx.warning("fpu-not-enforced-on-host", pd.at("fpu"),
             "protection domain '" + pd.name + "': fpu=\"false\" is not enforced on the host "
             "platform (a Linux process always has its FPU); on seL4 the PD faults on its first "
             "floating-point instruction",
             "test the PD on seL4 (QEMU) to see the fault, or remove fpu=\"false\"");
}

}  // namespace

void check_pds(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    check_scheduling(cx, {pd, "protection domain '" + pd.name + "'", pd.priority, pd.budget, pd.period});
    check_stack(cx, pd);
    check_cpu(cx, pd, "protection domain '" + pd.name + "'", pd.cpu);
    check_smc(cx, pd);
    check_fpu(cx, pd);
    check_host_scheduling(cx, pd);
  }
}

void check_children(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    if (!pd.parent) {
      for (auto [attr, present] : {std::pair{"id", pd.child_id.has_value()},
                                   std::pair{"setvar_id", pd.setvar_id.has_value()}}) {
        if (!present) continue;
        cx.error("child-id-on-top-level-pd", pd.at(attr),
                 std::string("'") + attr + "' is only meaningful on a child protection domain, and '" +
                     pd.name + "' has no parent",
                 std::string("remove '") + attr + "' or nest this PD inside its parent");
      }
    } else if (!pd.child_id) {
      cx.error("missing-child-id", pd.loc,
               "child protection domain '" + pd.name + "' has no id",
               "add id=\"N\": the id its parent uses to refer to it");
    } else if (*pd.child_id > cx.limits.max_child_id) {
      cx.error("child-id-too-high", pd.at("id"),
               "child id " + std::to_string(*pd.child_id) + " is above the maximum " +
                   std::to_string(cx.limits.max_child_id),
               "use an id between 0 and " + std::to_string(cx.limits.max_child_id));
    }
    if (!pd.children.empty() || pd.vm) check_sibling_ids(cx, pd);
    if (cx.x86() && cx.board.hypervisor && pd.vm && !pd.children.empty()) {
      cx.error("x86-vm-with-children", pd.vm->loc,
               "on x86-64 a protection domain with a virtual machine cannot have children, and '" +
                   pd.name + "' has both",
               "move the children or the virtual machine to another protection domain");
      cx.note(cx.sd.pds[pd.children.front()].loc, "its first child is here");
    }
  }
}

void check_virtual_machines(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    if (!pd.vm) continue;
    const VirtualMachine& vm = *pd.vm;
    if (!cx.board.hypervisor) {
      cx.error("vm-not-supported", vm.loc,
               "board '" + cx.board.name + "' has no hypervisor support, so virtual machine '" +
                   vm.name + "' cannot run",
               "remove the <virtual_machine> or build for a board with hypervisor support");
      continue;
    }
    // A VM without any vCPU is the parser's error (missing-element).
    check_vcpus(cx, vm);
    check_vm_scheduling(cx, vm);
  }
}

void check_cspaces(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    // Host PDs are Linux processes with no seL4 capabilities: a copy of a
    // TCB, SC or VSpace cap would have nothing to act on (docs/host-platform.md).
    if (!pd.caps.empty() && cx.board.arch == board::Arch::Host) {
      cx.error("cspace-not-on-host", pd.cspace_loc.value_or(pd.caps.front().loc),
               "<cspace> of protection domain '" + pd.name +
                   "': the host platform has no seL4 capabilities to give a PD "
                   "(cap_tcb, cap_sc, cap_vspace)",
               "build this system for an seL4 board (e.g. --board qemu_virt_aarch64), "
               "or leave the <cspace> out of the system file you run on the host");
    }
    std::unordered_map<uint64_t, Loc> slots;
    for (const Cap& cap : pd.caps) {
      if (!cx.pd(cap.pd)) {
        cx.error("unknown-pd", cap.at("pd"),
                 "no protection domain is named '" + cap.pd + "'" + cx.suggest_pd(cap.pd),
                 "name one of the system's protection domains");
      }
      if (cap.slot == 0) {
        cx.error("cap-slot-reserved", cap.at("slot"), "cspace slot 0 is reserved for the tool",
                 "use a slot between 1 and " + std::to_string(kMaxCapSlot));
      } else if (cap.slot > kMaxCapSlot) {
        cx.error("cap-slot-too-high", cap.at("slot"),
                 "cspace slot " + std::to_string(cap.slot) + " is above the maximum " +
                     std::to_string(kMaxCapSlot),
                 "use a slot between 1 and " + std::to_string(kMaxCapSlot));
      }
      auto [it, inserted] = slots.emplace(cap.slot, cap.at("slot"));
      if (inserted) continue;
      cx.error("duplicate-cap-slot", cap.at("slot"),
               "cspace slot " + std::to_string(cap.slot) + " of '" + pd.name + "' is used twice",
               "give each capability its own slot");
      cx.note(it->second, "first used here");
    }
  }
}

}  // namespace microkit::sdf::detail
