// capdl_text: capDL spec -> .cdl text (see capdl_text.h).
#include "sel4/capdl_text.h"
#include "support/text.h"

#include <filesystem>
#include <sstream>

namespace microkit::capdl {
namespace {

// AArch64 and x86-64 name each level's table; RISC-V has one page-table object type.
const char* table_type(board::Arch arch, uint8_t level) {
  if (arch == board::Arch::RiscV64) return "pt";
  bool x86 = arch == board::Arch::X86_64;
  switch (level) {
    case 0: return x86 ? "pml4" : "pgd";
    case 1: return x86 ? "pdpt" : "pud";
    case 2: return "pd";
    default: return "pt";
  }
}

// capDL's name of the architecture (the .cdl "arch" line).
const char* arch_keyword(board::Arch arch) {
  if (arch == board::Arch::RiscV64) return "riscv";
  if (arch == board::Arch::X86_64) return "x86_64";
  return "aarch64";
}

// "4k", "2M", "1024M": capDL's frame sizes (k and M only).
std::string vm_size(uint8_t bits) {
  return bits >= 20 ? std::to_string(uint64_t{1} << (bits - 20)) + "M"
                    : std::to_string(uint64_t{1} << (bits - 10)) + "k";
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string params(const std::vector<std::string>& parts) {
  return parts.empty() ? "" : " (" + join(parts) + ")";
}

std::string fill(const std::vector<FillEntry>& entries) {
  std::vector<std::string> out;
  for (const FillEntry& f : entries) {
    std::string file = std::filesystem::path(f.file).filename().string();
    if (file.empty() || file.find_first_of(" \t\n{}\"") != std::string::npos) continue;
    out.push_back("{" + std::to_string(f.dest_offset) + " " + std::to_string(f.dest_length) +
                  " CDL_FrameFill_FileData \"" + file + "\" " + std::to_string(f.file_offset) + "}");
  }
  return out.empty() ? "" : "fill: [" + join(out) + "]";
}

std::string object_decl(const Spec& spec, const Object& o) {
  switch (o.kind) {
    case ObjectKind::Endpoint: return "ep";
    case ObjectKind::Notification: return "notification";
    case ObjectKind::Reply: return "rtreply";
    case ObjectKind::ArmSmc: return "smc";
    case ObjectKind::VCpu: return "vcpu";
    case ObjectKind::CNode: return "cnode (" + std::to_string(o.size_bits) + " bits)";
    case ObjectKind::Untyped: {
      std::vector<std::string> p{std::to_string(o.size_bits) + " bits"};
      if (o.paddr) p.push_back("paddr: " + hex(*o.paddr));
      return "ut" + params(p);
    }
    case ObjectKind::Frame: {
      std::vector<std::string> p{vm_size(o.size_bits)};
      if (o.paddr) p.push_back("paddr: " + hex(*o.paddr));
      if (std::string f = fill(o.fill); !f.empty()) p.push_back(f);
      return "frame" + params(p);
    }
    case ObjectKind::PageTable: return table_type(spec.arch, o.level);
    case ObjectKind::SchedContext:
      return "sc" + params({"period: " + std::to_string(o.sc_period),
                            "budget: " + std::to_string(o.sc_budget),
                            "data: " + std::to_string(o.sc_badge),
                            std::to_string(o.size_bits) + " bits"});
    case ObjectKind::Tcb: {
      const TcbInfo& t = o.tcb;
      std::vector<std::string> p{"addr: " + hex(t.ipc_buffer_addr), "ip: " + hex(t.ip),
                                 "sp: " + hex(t.sp), "prio: " + std::to_string(t.prio),
                                 "max_prio: " + std::to_string(t.max_prio),
                                 "affinity: " + std::to_string(t.affinity),
                                 std::string("resume: ") + (t.resume ? "True" : "False"),
                                 std::string("fpu_disabled: ") + (t.fpu_disabled ? "True" : "False")};
      if (t.domain) p.push_back("dom: " + std::to_string(*t.domain));
      return "tcb" + params(p);
    }
    case ObjectKind::ArmIrq:
      return "arm_irq" + params({std::string("trigger: ") + (o.irq_trigger ? "edge" : "level"),
                                 "target: " + std::to_string(o.irq_target)});
    case ObjectKind::IrqIOApic:
      return "ioapic_irq" + params({"ioapic_num: " + std::to_string(o.ioapic),
                                    "ioapic_pin: " + std::to_string(o.ioapic_pin),
                                    "ioapic_level: " + std::to_string(o.ioapic_level),
                                    "ioapic_polarity: " + std::to_string(o.ioapic_polarity)});
    case ObjectKind::IrqMsi:
      return "msi_irq" + params({"msi_handle: " + std::to_string(o.msi_handle),
                                 "msi_pci_bus: " + std::to_string(o.pci_bus),
                                 "msi_pci_dev: " + std::to_string(o.pci_dev),
                                 "msi_pci_fun: " + std::to_string(o.pci_func)});
    case ObjectKind::IOPorts:
      return "io_ports (ports: [" + std::to_string(o.first_port) + ".." +
             std::to_string(o.last_port) + "])";
    case ObjectKind::IOSpace:
      return "io_device (domainID: " + std::to_string(o.domain_id) + ", " + std::to_string(o.pci_bus) +
             ":" + std::to_string(o.pci_dev) + "." + std::to_string(o.pci_func) + ")";
    case ObjectKind::IOPageTable: return "io_pt (level: " + std::to_string(o.level) + ")";
    case ObjectKind::RiscvIrq: return "irq";  // seL4 takes no trigger or target on RISC-V
  }
  return "ep";
}

std::string rights(const Rights& r, bool frame) {
  std::string s;
  if (r.read) s += 'R';
  if (r.write) s += 'W';
  if (r.grant) s += frame ? 'X' : 'G';
  if (r.grant_reply && !frame) s += 'P';
  return s;
}

std::string cap_text(const Spec& spec, const Cap& c) {
  // capDL-tool's form of a core's SchedControl cap: no object, a core parameter.
  if (c.kind == CapKind::SchedControl) return "sched_control (core: " + std::to_string(c.core) + ")";
  std::vector<std::string> p;
  switch (c.kind) {
    case CapKind::Endpoint:
    case CapKind::Notification:
      if (c.badge) p.push_back("badge: " + std::to_string(c.badge));
      if (std::string r = rights(c.rights, false); !r.empty()) p.push_back(r);
      break;
    case CapKind::CNode:
      p.push_back("guard: " + std::to_string(c.guard));
      p.push_back("guard_size: " + std::to_string(c.guard_size));
      break;
    case CapKind::Frame: {
      Rights r = c.rights;
      r.grant = c.executable;
      if (std::string s = rights(r, true); !s.empty()) p.push_back(s);
      if (!c.cached) p.push_back("uncached");
      break;
    }
    default: break;
  }
  return spec.objects[c.object].name + params(p);
}

std::string slot_name(const Object& holder, uint32_t slot) {
  if (holder.kind != ObjectKind::Tcb) return std::to_string(slot);
  switch (slot) {
    case 0: return "cspace";
    case 1: return "vspace";
    case 4: return "ipc_buffer_slot";
    case 5: return "fault_ep_slot";
    case 6: return "sc_slot";
    case 8: return "bound_notification";
    default: return std::to_string(slot);
  }
}

void write_objects(std::ostringstream& out, const Spec& spec) {
  std::vector<std::vector<uint32_t>> covered(spec.objects.size());
  for (const UntypedCover& c : spec.untyped_covers)
    for (uint32_t k = c.begin; k < c.end; ++k) covered[c.parent].push_back(k);
  out << "objects {\n";
  for (uint32_t i = 0; i < spec.objects.size(); ++i) {
    const Object& o = spec.objects[i];
    out << "  " << o.name << " = " << object_decl(spec, o);
    if (!covered[i].empty()) {
      out << " {\n";
      for (uint32_t k : covered[i]) out << "    " << spec.objects[k].name << "\n";
      out << "  }";
    }
    out << "\n";
  }
  out << "}\n\n";
}

void write_caps(std::ostringstream& out, const Spec& spec) {
  out << "caps {\n";
  for (const Object& o : spec.objects) {
    if (o.slots.empty()) continue;
    out << "  " << o.name << " {\n";
    for (const CapEntry& e : o.slots)
      out << "    " << slot_name(o, e.slot) << ": " << cap_text(spec, e.cap) << "\n";
    out << "  }\n";
  }
  out << "}\n\n";
}

}  // namespace

std::string to_cdl(const Spec& spec, const std::string& source) {
  std::ostringstream out;
  out << "-- capDL specification of the Microkit system " << source << "\n"
      << "-- written by the microkit tool from the plan its image is built from\n\n"
      << "arch " << arch_keyword(spec.arch) << "\n\n";
  write_objects(out, spec);
  write_caps(out, spec);
  out << "irq maps {\n";
  for (const IrqEntry& i : spec.irqs) out << "  " << i.irq << ": " << spec.objects[i.handler].name << "\n";
  out << "}\n";
  return out.str();
}

}  // namespace microkit::capdl
