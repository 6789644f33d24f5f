// Late-loading rules: a PD with <late_load> instead of a <program_image> is
// an empty child whose parent loads a program into it at run time
// (docs/cspace.md, "Late-loading PDs"). The mapping <late_load> implies is
// one of the PD's maps, checked by validate_memory.cc like any other.
#include "sdf/validate_context.h"

namespace microkit::sdf::detail {
namespace {

// The first setvar_* attribute of an element, if any.
std::optional<Loc> setvar_attribute(const Element& e) {
  for (const auto& [name, loc] : e.attrs)
    if (name.rfind("setvar", 0) == 0) return loc;
  return std::nullopt;
}

// Every place the SDF can ask the tool to patch this PD's program. There is
// no program at build time, so each one is refused where it is written.
std::vector<Loc> patches_into(const SystemDescription& sd, const ProtectionDomain& pd) {
  std::vector<Loc> at;
  auto add = [&](const Element& e) {
    if (auto loc = setvar_attribute(e)) at.push_back(*loc);
  };
  for (const auto& s : pd.setvars) at.push_back(s.loc);
  for (const auto& m : pd.maps) add(m);
  for (const auto& q : pd.irqs) add(q);
  for (const auto& p : pd.ioports) add(p);
  for (const auto& c : pd.caps) add(c);
  if (pd.free_slots) add(*pd.free_slots);
  if (pd.vm)
    for (const auto& v : pd.vm->vcpus) add(v);
  for (size_t child : pd.children) add(sd.pds[child]);
  for (const auto& ch : sd.channels)
    for (const ChannelEnd* end : {&ch.a, &ch.b})
      if (end->pd == pd.name) add(*end);
  return at;
}

void check_parent(Context& cx, const ProtectionDomain& pd, const LateLoad& l) {
  if (!pd.parent) {
    cx.error("late-load-needs-parent", l.loc,
             "protection domain '" + pd.name + "' has a <late_load> but no parent to load it",
             "nest it inside the <protection_domain> that loads its program, with an id");
    return;
  }
  const ProtectionDomain& parent = cx.sd.pds[*pd.parent];
  if (!cx.mr(l.mr)) return;  // unknown-memory-region, reported with the maps
  // Cached, as the child's mapping is: writes through an uncached alias
  // need not reach what the child fetches.
  for (const Map& m : parent.maps)
    if (m.mr == l.mr && m.perms.write && m.cached) return;
  cx.error("late-load-mr-not-mapped-by-parent", l.at("mr"),
           "the parent '" + parent.name + "' of '" + pd.name + "' does not map memory region '" +
               l.mr + "' writable and cached, so it cannot load a program into it",
           "add <map mr=\"" + l.mr + "\" vaddr=\"...\" perms=\"rw\" /> to '" + parent.name + "'");
}

// RISC-V user code can make new instructions visible only to its own hart
// (fence.i), and seL4 does not do it for other harts: the loader and the
// child it loads must share a core.
void check_same_core(Context& cx, const ProtectionDomain& pd) {
  if (cx.board.arch != board::Arch::RiscV64 || !pd.parent) return;
  const ProtectionDomain& parent = cx.sd.pds[*pd.parent];
  if (pd.cpu == parent.cpu) return;
  cx.error("late-load-other-core", pd.at("cpu"),
           "late-loaded protection domain '" + pd.name + "' runs on cpu " + std::to_string(pd.cpu) +
               " but its parent '" + parent.name + "' on cpu " + std::to_string(parent.cpu) +
               ": on RISC-V the parent can make the program it loads visible to instruction "
               "fetch only on its own core (fence.i)",
           "give both the same cpu");
}

void check_late_load(Context& cx, const ProtectionDomain& pd, const LateLoad& l) {
  if (cx.board.arch == board::Arch::Host) {
    cx.error("late-load-not-on-host", l.loc,
             "<late_load> of protection domain '" + pd.name +
                 "': the host platform does not load programs into a PD at run time",
             "build this system for an seL4 board (e.g. --board qemu_virt_aarch64)");
    return;
  }
  check_parent(cx, pd, l);
  check_same_core(cx, pd);
  if (pd.passive)
    cx.error("late-load-passive", pd.at("passive"),
             "protection domain '" + pd.name + "' is passive and late-loaded: a passive PD has "
             "lent its scheduling context away by the time its parent starts it",
             "remove passive=\"true\"; a late-loaded PD starts when its parent starts it");
  for (Loc at : patches_into(cx.sd, pd))
    cx.error("late-load-setvar", at,
             "protection domain '" + pd.name + "' is late-loaded: it has no program at build "
             "time for the tool to patch",
             "remove the setvar; the parent's generated header has the values it needs "
             "(docs/cspace.md)");
}

}  // namespace

void check_late_loads(Context& cx) {
  for (const auto& pd : cx.sd.pds)
    if (pd.late_load) check_late_load(cx, pd, *pd.late_load);
}

}  // namespace microkit::sdf::detail
