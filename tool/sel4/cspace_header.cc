// Per-PD CSpace header (see cspace_header.h).
#include "sel4/cspace_header.h"

#include "runtime/shared/pd_abi.h"

namespace microkit::sel4 {
namespace {

std::string c_name(const std::string& s) {
  std::string out = s;
  for (char& ch : out)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) ch = '_';
  return out;
}

std::string upper(std::string s) {
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
  return s;
}

std::string define(const std::string& name, uint64_t value, const std::string& comment = {}) {
  std::string line = "#define " + name + " " + std::to_string(value) + "u";
  if (!comment.empty()) line += " /* " + comment + " */";
  return line + "\n";
}

std::string source_of(const plan::Plan& plan, const plan::ExtraCap& e) {
  using K = plan::ExtraCap::Kind;
  if (e.kind == K::MrFrames) return " of memory region '" + plan.mrs[e.source_mr].name + "'";
  if (e.kind == K::SchedControl) return " of cpu " + std::to_string(e.cpu);
  if (e.kind == K::Untyped || e.kind == K::EmptyCNode) return "";
  if (e.kind == K::Irq) return " (irq id " + std::to_string(e.irq_channel) + ") of '" + plan.pds[e.source_pd].name + "'";
  if (e.kind == K::IoPort)
    return " (ioport id " + std::to_string(e.ioport_id) + ") of '" + plan.pds[e.source_pd].name + "'";
  return " of '" + plan.pds[e.source_pd].name + "'";
}

// One grant: its CPtr, and for ranges and new objects their shape.
std::string grant_lines(const plan::Plan& plan, const plan::ExtraCap& e) {
  using K = plan::ExtraCap::Kind;
  std::string name = "MICROKIT_CAP_" + upper(c_name(e.name));
  std::string out = define(name, pd_abi::user_cap_slot(e.slot),
                           std::string(sdf::cap_element(e.kind)) + source_of(plan, e) + ", slot " +
                               std::to_string(e.slot));
  if (e.kind == K::Untyped || e.kind == K::MrFrames) out += define(name + "_COUNT", e.count);
  if (e.kind == K::Untyped) out += define(name + "_SIZE_BITS", e.size_bits);
  if (e.kind == K::Irq) out += define(name + "_IRQ", plan.pds[e.source_pd].channels[e.irq_channel].irq);
  const plan::IoPortRange* io = e.kind == K::IoPort ? plan.pds[e.source_pd].ioport(e.ioport_id) : nullptr;
  if (io) {
    out += define(name + "_FIRST_PORT", io->addr);
    out += define(name + "_LAST_PORT", io->addr + io->size - 1);
  }
  if (e.kind == K::EmptyCNode) {
    out += define(name + "_SLOTS", uint64_t{1} << e.cnode_slot_bits);
    out += define(name + "_DEPTH", 64, "a CPtr into it is a slot number");
  }
  return out;
}

// This PD's mapping of memory region `mr` it can write (the validator makes
// sure a loader has one), or nullptr.
const plan::Mapping* writable_mapping(const plan::Pd& pd, size_t mr) {
  for (const auto& m : pd.mappings)
    if (m.mr == mr && m.write) return &m;
  return nullptr;
}

// A late-loaded child of this PD: what loading and starting a program in it
// takes (docs/cspace.md, "Late-loading PDs").
std::string late_load_lines(const plan::Plan& plan, const plan::Pd& loader, size_t child) {
  const plan::Pd& c = plan.pds[child];
  const plan::Mapping* window = plan::late_load_window(c);
  const plan::Mapping* mine = c.late_load_mr ? writable_mapping(loader, *c.late_load_mr) : nullptr;
  if (!window || !mine || !c.child_id) return {};
  std::string name = "MICROKIT_LATE_LOAD_" + upper(c_name(c.name));
  plan::ChannelMasks masks = plan::channel_masks(c);
  std::string out = "\n/* Late-loaded child '" + c.name + "': link its program at _VADDR, copy it\n"
                    " * into _WINDOW, start it at its ELF entry with microkit_pd_restart(_ID, entry). */\n";
  out += define(name + "_ID", *c.child_id, "the child id (microkit_pd_restart, microkit_pd_stop)");
  out += define(name + "_VADDR", window->vaddr, "where its program runs: the link address");
  out += define(name + "_SIZE", window->size, "bytes of program memory (memory region '" +
                                                   plan.mrs[window->mr].name + "')");
  out += define(name + "_WINDOW", mine->vaddr, "the same memory, mapped in this PD");
  out += "#define " + name + "_NAME \"" + c.name + "\" /* for microkit_name */\n";
  out += define(name + "_IRQS", masks.irqs, "for microkit_irqs");
  out += define(name + "_NOTIFICATIONS", masks.notifications, "for microkit_notifications");
  out += define(name + "_PPS", masks.pps, "for microkit_pps");
  out += define(name + "_STACK_SIZE", c.stack_size, "its stack, below MICROKIT_PD_STACK_TOP");
  return out;
}

}  // namespace

std::string cspace_header_name(const std::string& pd_name) { return c_name(pd_name) + "_cspace.h"; }

std::string cspace_header(const plan::Plan& plan, size_t pd, const std::string& system) {
  const plan::Pd& p = plan.pds[pd];
  std::string guard = "MICROKIT_CSPACE_" + upper(c_name(p.name)) + "_H";
  std::string out = "/* CSpace of protection domain '" + p.name + "' (" + system +
                    "), written by microkit: do not edit.\n"
                    " * Every CPtr is a slot of the PD's CSpace root, resolved with\n"
                    " * MICROKIT_CSPACE_DEPTH bits (docs/cspace.md). */\n"
                    "#ifndef " + guard + "\n#define " + guard + "\n\n";
  out += define("MICROKIT_CSPACE_DEPTH", 64, "bits to resolve a CPtr of the CSpace root");
  out += define("MICROKIT_CSPACE_FIRST_FREE", MICROKIT_PD_SLOTS_END,
                "the tool never puts a cap at or above this slot");
  out += define("MICROKIT_CSPACE_FREE_COUNT",
                p.free_slots ? p.free_slots : MICROKIT_PD_CNODE_SLOTS - MICROKIT_PD_SLOTS_END,
                p.free_slots ? "as <free_slots> asked" : "all slots after the tool's");
  if (!p.extra_caps.empty()) out += "\n";
  for (const auto& e : p.extra_caps) out += grant_lines(plan, e);
  for (size_t child : p.children) out += late_load_lines(plan, p, child);
  return out + "\n#endif\n";
}

}  // namespace microkit::sel4
