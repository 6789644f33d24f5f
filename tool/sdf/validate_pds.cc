// Protection-domain rules: scheduling, stack, cpu, children, virtual
// machines and extra CSpace capabilities.
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "sdf/memory_region_rules.h"
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

// True when the kernel package was built for fewer cores than the configuration names.
bool kernel_has_fewer_cores(const Context& cx) {
  const std::optional<uint64_t>& built = cx.config.limits.kernel_cores;
  return built && *built < cx.config.cpus;
}

// The cores a PD may be placed on: the configuration's, or the kernel's when fewer.
uint64_t usable_cores(const Context& cx) {
  return kernel_has_fewer_cores(cx) ? *cx.config.limits.kernel_cores : cx.config.cpus;
}

// Who limits the cores, for a message: "configuration 'x' has 4 cpu(s)".
std::string cores_limit(const Context& cx) {
  std::string n = std::to_string(usable_cores(cx));
  if (kernel_has_fewer_cores(cx))
    return "the kernel package " + cx.config.limits.kernel_package + " was built for " + n + " core(s)";
  return "configuration '" + cx.config.name + "' has " + n + " cpu(s)";
}

void check_cpu(Context& cx, const Element& e, const std::string& what, uint64_t cpu) {
  uint64_t cores = usable_cores(cx);
  if (cpu < cores) return;
  cx.error("cpu-out-of-range", e.at("cpu"),
           what + " is placed on cpu " + std::to_string(cpu) + " but " + cores_limit(cx),
           cores == 1 ? std::string("remove the cpu attribute or set it to 0")
                      : "use a cpu between 0 and " + std::to_string(cores - 1));
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
void check_fpu(Context& cx, const ProtectionDomain& pd) {
  if (pd.fpu || cx.board.arch != board::Arch::Host) return;
  cx.warning("fpu-not-enforced-on-host", pd.at("fpu"),
             "protection domain '" + pd.name + "': fpu=\"false\" is not enforced on the host "
             "platform (a Linux process always has its FPU); on seL4 the PD faults on its first "
             "floating-point instruction",
             "test the PD on seL4 (QEMU) to see the fault, or remove fpu=\"false\"");
}

// crash_dump="mr:NAME": the PD maps NAME, in 4 KiB pages (a dump is sent
// over the serial line page by page).
void check_crash_dump(Context& cx, const ProtectionDomain& pd) {
  if (!pd.crash_dump) return;
  // On seL4 a child's fault is reported (and dumped) before its parent's
  // fault() runs; the host launcher reports only faults without a parent.
  if (pd.parent && cx.board.arch == board::Arch::Host) {
    cx.warning("crash-dump-with-parent", pd.at("crash_dump"),
               "protection domain '" + pd.name + "' has a parent, which handles its faults in fault(); "
               "on the host platform crash_dump applies only to PDs without a parent",
               "remove crash_dump, or report the fault from the parent (microkit_fault_decode)");
    return;
  }
  for (const std::string& name : pd.crash_dump->mrs) {
    bool mapped = std::any_of(pd.maps.begin(), pd.maps.end(), [&](const Map& m) { return m.mr == name; });
    if (!mapped) {
      cx.error("crash-dump-mr-not-mapped", pd.at("crash_dump"),
               "protection domain '" + pd.name + "' asks for memory region '" + name +
                   "' in its crash dump, but does not map it",
               "name a memory region the PD has a <map> of");
      continue;
    }
    auto mr = std::find_if(cx.sd.mrs.begin(), cx.sd.mrs.end(), [&](const MemoryRegion& r) { return r.name == name; });
    if (mr != cx.sd.mrs.end() && mr->page_size && *mr->page_size != 0x1000)
      cx.error("crash-dump-mr-page-size", pd.at("crash_dump"),
               "memory region '" + name + "' in the crash dump of protection domain '" + pd.name +
                   "' has pages of " + std::to_string(*mr->page_size) + " bytes; crash dumps hold 4 KiB pages only",
               "give the memory region page_size=\"0x1000\", or leave it out of crash_dump");
  }
}

}  // namespace

void check_pds(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    check_scheduling(cx, {pd, "protection domain '" + pd.name + "'", pd.priority, pd.budget, pd.period});
    check_stack(cx, pd);
    check_cpu(cx, pd, "protection domain '" + pd.name + "'", pd.cpu);
    check_smc(cx, pd);
    check_fpu(cx, pd);
    check_crash_dump(cx, pd);
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
               cx.x86() ? "build for x86_64_generic_vtx (a VT-x kernel), or remove the <virtual_machine>"
                        : "remove the <virtual_machine> or build for a board with hypervisor support");
      continue;
    }
    // A VM without any vCPU is the parser's error (missing-element).
    check_vcpus(cx, vm);
    check_vm_scheduling(cx, vm);
  }
}

namespace {

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool is_c_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
  });
}

bool names_a_pd(Cap::Kind k) {
  return k != Cap::Kind::MrFrames && k != Cap::Kind::Untyped && k != Cap::Kind::EmptyCNode &&
         k != Cap::Kind::SchedControl;
}

// How many consecutive slots a grant takes: one per untyped, one per page of
// an MR, else one. 0 when the size is unknown (an error reported elsewhere).
uint64_t slots_taken(Context& cx, const Cap& cap) {
  if (cap.kind == Cap::Kind::Untyped) return cap.count;
  if (cap.kind != Cap::Kind::MrFrames) return 1;
  const MemoryRegion* mr = cx.mr(cap.mr);
  if (!mr || !mr->size) return 0;
  // The planner keeps the declared page size for MRs granted as frames.
  uint64_t page = declared_page_size(*mr, cx.board);
  return page ? *mr->size / page : 0;
}

// A PD's <irq> of the given channel id, or nullptr.
const Irq* irq_with_id(const ProtectionDomain& pd, uint64_t id) {
  for (const Irq& irq : pd.irqs)
    if (irq.id == id) return &irq;
  return nullptr;
}

// <cap_irq irq="N">: the PD whose <irq> handles IRQ N, or nullptr.
const ProtectionDomain* handler_of_irq(const Context& cx, uint64_t number) {
  for (const auto& pd : cx.sd.pds)
    for (const Irq& irq : pd.irqs)
      if (irq.kind == Irq::Kind::Number && irq.irq == number) return &pd;
  return nullptr;
}

// <cap_irq>: one of its two forms, naming an IRQ some PD's <irq> declares
// (the handler exists only for those, bound to that PD's notification).
void check_irq_cap_source(Context& cx, const Cap& cap) {
  bool by_pd = cap.has("pd") || cap.irq_id, by_number = cap.irq.has_value();
  if (by_pd == by_number || (by_pd && (!cap.has("pd") || !cap.irq_id))) {
    cx.error("cap-irq-source", cap.loc,
             "<cap_irq> must name its IRQ one way: pd=\"...\" with id=\"...\" (an <irq> of that "
             "protection domain), or irq=\"...\" (the IRQ number)",
             "write either pd and id, or irq, e.g. <cap_irq slot=\"1\" pd=\"driver\" id=\"3\" />");
    return;
  }
  if (by_number) {
    if (handler_of_irq(cx, *cap.irq)) return;
    cx.error("irq-handled-by-nobody", cap.at("irq"),
             "no protection domain handles IRQ " + std::to_string(*cap.irq) +
                 ": a handler capability exists only for an <irq> of a protection domain, which binds "
                 "it to that PD's notification",
             "declare <irq irq=\"" + std::to_string(*cap.irq) +
                 "\" id=\"...\" /> in the protection domain to be notified, then grant it here");
    return;
  }
  const ProtectionDomain* owner = cx.pd(cap.pd);
  if (!owner || irq_with_id(*owner, *cap.irq_id)) return;  // an unknown PD is reported apart
  std::string ids;
  for (const Irq& irq : owner->irqs) ids += (ids.empty() ? "" : ", ") + std::to_string(irq.id);
  cx.error("unknown-irq", cap.at("id"),
           "protection domain '" + cap.pd + "' has no <irq> with id " + std::to_string(*cap.irq_id),
           ids.empty() ? "it declares no <irq>; grant an IRQ of a protection domain that has one"
                       : "use the id of one of its <irq> elements: " + ids);
}

// <cap_ioport>: x86-64 only, naming an <ioport> the PD declares. The host
// refuses every grant already (cspace-not-on-host).
void check_ioport_source(Context& cx, const Cap& cap) {
  if (cx.board.arch == board::Arch::Host) return;
  if (!cx.x86()) {
    cx.error("cap-ioport-not-supported", cap.loc,
             std::string("I/O ports exist only on x86-64; this board is ") + arch_label(cx.board.arch),
             "remove the <cap_ioport>; grant a memory region of the device's registers with <cap_mr>");
    return;
  }
  const ProtectionDomain* owner = cx.pd(cap.pd);
  if (!owner) return;  // unknown-pd, reported by the caller
  for (const IoPort& port : owner->ioports)
    if (port.id == cap.ioport_id) return;
  std::string ids;
  for (const IoPort& port : owner->ioports) ids += (ids.empty() ? "" : ", ") + std::to_string(port.id);
  cx.error("unknown-ioport", cap.at("id"),
           "protection domain '" + cap.pd + "' has no <ioport> with id " + std::to_string(cap.ioport_id),
           ids.empty() ? "declare the <ioport> in '" + cap.pd + "', then grant it by its id"
                       : "use one of its I/O port ids: " + ids);
}

void check_cap_source(Context& cx, const Cap& cap) {
  if (cap.kind == Cap::Kind::Irq) check_irq_cap_source(cx, cap);
  if (cap.kind == Cap::Kind::IoPort) check_ioport_source(cx, cap);
  if (names_a_pd(cap.kind) && (cap.kind != Cap::Kind::Irq || cap.has("pd")) && !cx.pd(cap.pd)) {
    cx.error("unknown-pd", cap.at("pd"),
             "no protection domain is named '" + cap.pd + "'" + cx.suggest_pd(cap.pd),
             "name one of the system's protection domains");
  }
  if (cap.kind == Cap::Kind::MrFrames) {
    const MemoryRegion* mr = cx.mapped_mr(cap.mr, cap.at("mr"));
    if (mr && !mr->size)
      cx.error("cap-mr-needs-size", cap.at("mr"),
               "<cap_mr> of memory region '" + cap.mr + "': the region has no size attribute, so "
               "the number of frames (one slot each) is not known from the system file",
               "give the memory region an explicit size");
  }
  if (cap.kind == Cap::Kind::SchedControl && cap.cpu >= usable_cores(cx))
    cx.error("cpu-out-of-range", cap.at("cpu"),
             "<cap_sched_control> for cpu " + std::to_string(cap.cpu) + ", but " + cores_limit(cx),
             "use a cpu below " + std::to_string(usable_cores(cx)));
  if (cap.kind == Cap::Kind::Notification && cap.rights.grant)
    cx.error("cap-rights-not-applicable", cap.at("rights"),
             "a notification has no grant right", "use rights \"w\" (signal), \"r\" (wait) or \"rw\"");
}

void check_cap_sizes(Context& cx, const Cap& cap) {
  if (cap.kind == Cap::Kind::Untyped) {
    if (!is_power_of_two(cap.size))
      cx.error("untyped-size-not-power-of-two", cap.at("size"),
               "untyped size " + hex(cap.size) + " is not a power of two (seL4 untypeds are 2^n bytes)",
               "use a power of two, e.g. 0x100000 for 1 MiB; ask for several with count=\"...\"");
    if (cap.count == 0)
      cx.error("untyped-count-zero", cap.at("count"), "an <untyped> grant of count 0 grants nothing",
               "use a count of at least 1, or remove the element");
  }
  if (cap.kind == Cap::Kind::EmptyCNode && (!is_power_of_two(cap.cnode_slots) || cap.cnode_slots < 2))
    cx.error("cnode-slots-invalid", cap.at("slots"),
             "a CNode of " + std::to_string(cap.cnode_slots) + " slots cannot exist: seL4 CNodes have "
             "2^n slots, at least 2",
             "use a power of two such as 64 or 256");
  if (cap.name && !is_c_identifier(*cap.name))
    cx.error("cap-name-invalid", cap.at("name"),
             "'" + *cap.name + "' cannot be the name of a constant in the generated header",
             "use letters, digits and '_', not starting with a digit");
}

// Every slot of the grant's range inside 1..kMaxCapSlot and used once.
void check_cap_slots(Context& cx, const ProtectionDomain& pd, const Cap& cap,
                     std::unordered_map<uint64_t, Loc>& slots) {
  uint64_t n = slots_taken(cx, cap);
  std::string range = n > 1 ? "s " + std::to_string(cap.slot) + ".." + std::to_string(cap.slot + n - 1)
                            : " " + std::to_string(cap.slot);
  if (cap.slot == 0) {
    cx.error("cap-slot-reserved", cap.at("slot"), "cspace slot 0 is reserved for the tool",
             "use a slot between 1 and " + std::to_string(kMaxCapSlot));
    return;
  }
  if (cap.slot > kMaxCapSlot || (n > 0 && n - 1 > kMaxCapSlot - cap.slot)) {
    cx.error("cap-slot-too-high", cap.at("slot"),
             "cspace slot" + range + (n > 1 ? " reach" : " is") + " above the maximum " +
                 std::to_string(kMaxCapSlot),
             "use slots between 1 and " + std::to_string(kMaxCapSlot) +
                 (n > 1 ? " (this grant takes " + std::to_string(n) + " consecutive slots)" : ""));
    return;
  }
  for (uint64_t s = cap.slot; s < cap.slot + n; ++s) {
    auto [it, inserted] = slots.emplace(s, cap.at("slot"));
    if (inserted) continue;
    cx.error("duplicate-cap-slot", cap.at("slot"),
             "cspace slot " + std::to_string(s) + " of '" + pd.name + "' is used twice",
             "give each capability its own slot" +
                 std::string(n > 1 ? " (this grant takes slot" + range + ")" : ""));
    cx.note(it->second, "first used here");
    return;
  }
}

void check_free_slots(Context& cx, const FreeSlots& f) {
  if (f.count <= kFreeSlotCount) return;
  cx.error("free-slots-too-many", f.at("count"),
           "a protection domain's CSpace root has " + std::to_string(kFreeSlotCount) +
               " free slots after the tool's tables; " + std::to_string(f.count) + " were asked for",
           "ask for at most " + std::to_string(kFreeSlotCount) +
               ", or grant an empty <cnode> of the size you need");
}

// Why the host platform cannot model a grant, and what to use there
// instead: a host PD is a Linux process linked against the host
// libmicrokit, which has no libsel4 and so no system call that could invoke
// a capability (docs/cspace.md, "On the host platform").
struct HostRefusal {
  std::string why, instead;
};

HostRefusal host_refusal(Cap::Kind kind) {
  using K = Cap::Kind;
  switch (kind) {
    case K::Tcb:
    case K::Sc:
    case K::VSpace:
    case K::CNode:
      return {"a host PD is a Linux process: it has no thread control block, scheduling context, "
              "VSpace or CNode object to hand out",
              "a parent controls its children with microkit_pd_restart/stop on both platforms"};
    case K::Notification:
    case K::Endpoint:
      return {"the grantee would signal or call it with seL4 system calls on its CPtr, which a host "
              "PD does not have",
              "connect the two PDs with a <channel>, which works on both platforms"};
    case K::MrFrames:
      return {"frame capabilities are mapped with seL4 system calls, which a host PD does not have",
              "map the region with <map>, which works on both platforms"};
    case K::Untyped:
    case K::EmptyCNode:
      return {"the host platform has no kernel objects to create from untyped memory or to store "
              "in a CNode",
              "allocate from a memory region mapped with <map>"};
    case K::SchedControl:
      return {"the host platform does not enforce budgets or periods, so there is no SchedControl "
              "capability",
              "leave scheduling parameters to the SDF"};
    case K::Irq:
      return {"an IRQ handler capability is acked with seL4 system calls; on the host only the "
              "PD whose <irq> it is acks it (microkit_irq_ack)",
              "ack the IRQ in the PD that declares it"};
    case K::IoPort:
      return {"I/O ports exist only on x86-64 seL4, and a host PD has no seL4 system calls to use "
              "them with",
              "model the device with a memory region mapped with <map>"};
  }
  return {};
}

// Each grant is refused at its own element, saying why the host cannot
// model it and what works on both platforms.
void refuse_on_host(Context& cx, const ProtectionDomain& pd) {
  for (const Cap& cap : pd.caps) {
    HostRefusal r = host_refusal(cap.kind);
    cx.error("cspace-not-on-host", cap.loc,
             "<" + std::string(cap_element(cap.kind)) + "> of protection domain '" + pd.name +
                 "' cannot be modelled on the host platform: " + r.why,
             r.instead + ", or build this system for an seL4 board (e.g. --board qemu_virt_aarch64)");
  }
  if (!pd.free_slots) return;
  cx.error("cspace-not-on-host", pd.free_slots->loc,
           "<free_slots> of protection domain '" + pd.name +
               "' cannot be modelled on the host platform: a host PD has no CSpace to keep slots free in",
           "build this system for an seL4 board (e.g. --board qemu_virt_aarch64), or leave the "
           "<free_slots> out of the system file you run on the host");
}

}  // namespace

void check_cspaces(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    if ((!pd.caps.empty() || pd.free_slots) && cx.board.arch == board::Arch::Host)
      refuse_on_host(cx, pd);
    std::unordered_map<uint64_t, Loc> slots;
    std::unordered_map<std::string, Loc> names;
    for (const Cap& cap : pd.caps) {
      check_cap_source(cx, cap);
      check_cap_sizes(cx, cap);
      check_cap_slots(cx, pd, cap, slots);
      auto [it, inserted] = names.emplace(cap_name(cap), cap.loc);
      if (inserted) continue;
      cx.error("duplicate-cap-name", cap.has("name") ? cap.at("name") : cap.loc,
               "protection domain '" + pd.name + "' has two grants named '" + it->first +
                   "' (the name of their constant in the generated header)",
               "give one of them another name=\"...\"");
      cx.note(it->second, "the other one is here");
    }
    if (pd.free_slots) check_free_slots(cx, *pd.free_slots);
  }
}

}  // namespace microkit::sdf::detail
