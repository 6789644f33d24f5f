// sel4_report: see sel4_report.h.
#include "report/sel4_report.h"

#include "report/authority.h"
#include "support/text.h"

#include <cstdio>

namespace microkit::report {
namespace {


std::string size_text(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string rights(const plan::CapRights& r) {
  std::string s;
  s += r.read ? 'R' : '-';
  s += r.write ? 'W' : '-';
  s += r.grant ? 'G' : '-';
  s += r.grant_reply ? 'g' : '-';
  return s;
}

std::string object_line(const plan::KernelObject& o) {
  std::string where = o.source == plan::KernelObject::Source::UserImage
                          ? "boot image page"
                          : "untyped " + std::to_string(o.untyped);
  return "    " + std::string(plan::obj_type_name(o.type)) + " " + o.name + " @ " + hex(o.paddr) +
         " (" + size_text(o.size()) + ", " + where + ")\n";
}

void pd_objects(std::string& out, const plan::Plan& plan, const plan::Sel4Plan& sp, size_t pd) {
  out += "  objects:\n";
  for (const plan::KernelObject& o : sp.objects)
    if (o.pd == pd && o.source == plan::KernelObject::Source::Untyped) out += object_line(o);
  size_t image_pages = 0;
  for (const plan::KernelObject& o : sp.objects)
    image_pages += o.pd == pd && o.source == plan::KernelObject::Source::UserImage;
  const plan::Pd& p = plan.pds[pd];
  if (p.late_load_mr && p.parent)
    out += "    program: none; loaded at run time by '" + plan.pds[*p.parent].name +
           "' into memory region '" + plan.mrs[*p.late_load_mr].name + "'\n";
  else
    out += "    program: " + std::to_string(image_pages) + " pages mapped from the boot image\n";
}

void pd_caps(std::string& out, const plan::Sel4Plan& sp, const plan::PdObjects& po) {
  out += "  cspace (slot: what, object, badge, rights):\n";
  for (const plan::Cap& c : po.caps) {
    std::string obj = c.kind == plan::Cap::Kind::Object ? sp.objects[c.object].name
                    : c.kind == plan::Cap::Kind::IrqHandler
                        ? "irq handler " + std::to_string(sp.irqs[c.irq].irq)
                    : c.kind == plan::Cap::Kind::SchedControl ? "sched control " + std::to_string(c.cpu)
                                                              : "smc";
    out += "    " + std::to_string(c.slot) + ": " + c.what + ", " + obj + ", badge " +
           hex(c.badge) + ", " + rights(c.rights) + "\n";
  }
}

void memory_map(std::string& out, const plan::Sel4Plan& sp, const std::vector<plan::FrameMapping>& mappings) {
  for (const plan::FrameMapping& m : mappings) {
    const plan::KernelObject& o = sp.objects[m.object];
    std::string r = std::string(m.read ? "r" : "-") + (m.write ? "w" : "-") + (m.execute ? "x" : "-") +
                    (m.cached ? "" : " uncached");
    out += "    " + hex(m.vaddr) + " " + size_text(o.size()) + " " + r + " " + m.what + " @ " +
           hex(o.paddr) + "\n";
  }
}

void pd_memory(std::string& out, const plan::Sel4Plan& sp, const plan::PdObjects& po) {
  out += "  memory map (vaddr, size, rights, what, paddr):\n";
  memory_map(out, sp, po.mappings);
  out += "  page tables: " + std::to_string(po.page_tables.size()) + "\n";
  if (!po.vm) return;
  out += "  virtual machine: " + std::to_string(po.vm->vcpus.size()) + " vCPU(s) (";
  for (size_t k = 0; k < po.vm->vcpus.size(); ++k)
    out += (k ? ", " : "") + std::string("id ") + std::to_string(po.vm->vcpus[k].id) + " on cpu " +
           std::to_string(po.vm->vcpus[k].cpu);
  out += ")\n  guest memory map (guest-physical address, size, rights, what, paddr):\n";
  memory_map(out, sp, po.vm->mappings);
  out += "  guest page tables: " + std::to_string(po.vm->page_tables.size()) + "\n";
}

void untypeds(std::string& out, const plan::Sel4Plan& sp, const kernel::BootResult& boot) {
  out += "\nUntypeds (index: paddr, size, kind, used by the system):\n";
  if (sp.bound_untypeds)
    out += "  (RAM is found at boot on this architecture: these are planned for the assumed\n"
           "  machine, docs/sel4-planning.md; the initial task binds each used one to real\n"
           "  memory, so RAM addresses here are not the ones at run time)\n";
  for (size_t u = 0; u < sp.untypeds.size(); ++u) {
    const auto& ut = sp.untypeds[u];
    const auto& use = sp.untyped_use[u];
    out += "  " + std::to_string(u) + ": " + hex(ut.paddr) + " " + size_text(ut.size()) +
           (ut.is_device ? " device" : " ram") + ", " + std::to_string(use.objects.size()) +
           " objects, " + size_text(use.used) + " used\n";
  }
  out += "\nRAM: " + std::to_string(sp.normal_used) + " of " + std::to_string(sp.normal_memory) +
         " bytes of untyped memory used (alignment and padding included)";
  if (boot.untypeds_dropped)
    out += "; the kernel drops " + std::to_string(boot.untypeds_dropped) + " untypeds";
  out += "\n";
}

}  // namespace

std::string sel4_report(const plan::Plan& plan, const plan::Sel4Plan& sp,
                        const kernel::BootResult& boot) {
  std::string out = "seL4 system report: board " + plan.board + ", config " + plan.config + "\n";
  for (size_t i = 0; i < plan.pds.size(); ++i) {
    const plan::Pd& pd = plan.pds[i];
    out += "\nProtection domain " + pd.name + " (priority " + std::to_string(pd.priority) +
           ", budget " + std::to_string(pd.budget_us) + " us, period " +
           std::to_string(pd.period_us) + " us" + (pd.passive ? ", passive" : "") + ")\n";
    pd_objects(out, plan, sp, i);
    pd_caps(out, sp, sp.pds[i]);
    pd_memory(out, sp, sp.pds[i]);
  }
  out += "\nMemory regions:\n";
  for (size_t m = 0; m < plan.mrs.size(); ++m)
    out += "  " + plan.mrs[m].name + ": " + size_text(plan.mrs[m].size) + " in " +
           std::to_string(sp.mr_frames[m].size()) + " frames of " +
           size_text(plan.mrs[m].page_size) + ", first at " + hex(sp.mr_paddr[m]) + "\n";
  untypeds(out, sp, boot);
  out += authority_text(authority(plan));
  return out;
}

}  // namespace microkit::report
