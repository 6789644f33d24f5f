// SDF parser: XML text -> SystemDescription. See parse.h for the contract.
//
// Two stages, both linear in the size of the input:
//   1. read_xml (xml_tree.h) reads the text into a tree of elements with the
//      exact line:column of every element and attribute;
//   2. a walker checks the tree's shape against the SDF and fills the
//      SystemDescription, reporting every independent problem.
//
// Diagnostic ids (stable: tests assert them together with the location):
//
//   id                 location                     meaning
//   -----------------  ---------------------------  ---------------------------------------------
//   xml-syntax         where expat stopped          not well-formed XML; message is expat's
//                                                   (reported by read_xml)
//   xml-doctype        the <!DOCTYPE                a DTD: refused outright, so no entity can be
//                                                   declared (no "billion laughs") or loaded
//                                                   (reported by read_xml)
//   root-not-system    the root element             the root element is not <system>
//   unknown-element    the element                  not valid inside its parent (hint: a close
//                                                   valid name, or where the element belongs)
//   unknown-attribute  the attribute's name         not valid on this element, or on this form
//                                                   of <irq>, or setvar_* on a VM's <map>
//   missing-attribute  the element                  a required attribute is absent
//   invalid-number     the attribute's name         not a u64 in decimal or 0x-hex (`_` may
//                                                   separate digits), or too large
//   invalid-boolean    the attribute's name         not exactly `true` or `false`
//   invalid-value      the attribute's name         a malformed enum or structured value: perms,
//                                                   rights (of a <cspace> grant), trigger, polarity, pcidev, peripheral_id,
//                                                   prefill_bootinfo, schedule duration
//   duplicate-element  the second element           an element allowed once appears again
//                                                   (program_image, late_load, cspace, virtual_machine,
//                                                   domains, domain_schedule, free_slots); its contents
//                                                   are skipped
//   late-load-with-program-image  the <late_load>   a PD has both; it must be one or the other
//   missing-element    the parent element           a required child is absent (program_image
//                                                   unless there is a late_load,
//                                                   vcpu, domain) or a <channel> has other than
//                                                   two <end>
//   text-content       first non-blank character    text where only elements are allowed; once
//                                                   per element
//   nesting-too-deep   the protection_domain        protection domains nested more than 64 deep
//                                                   (more than any board allows PDs in total)
//
// After unknown-element the element's contents are not looked at. After any
// other error the element is still recorded (bad values keep their
// defaults) so that later elements can be checked.
//
// Left to the validator, although they concern one element, because they
// depend on other attributes or are also needed for descriptions built in
// code: a memory region with neither size nor prefill (missing-mr-size),
// <domains> without <domain_schedule> (missing-domain-schedule), a zero
// schedule duration (schedule-duration-zero), and every range limit.
#include "sdf/parse.h"

#include <algorithm>
#include <array>
#include <functional>
#include <span>

#include "sdf/xml_tree.h"
#include "support/did_you_mean.h"
#include "support/numbers.h"

namespace microkit::sdf {
namespace {

using Names = std::span<const std::string_view>;
// Gives a specific hint for an attribute name, or "" to fall back to the usual one.
using AttrHint = std::function<std::string(std::string_view)>;

constexpr std::array<std::string_view, 0> kNone{};
constexpr std::array<std::string_view, 6> kSystemChildren{"protection_domain", "memory_region",
                                                          "channel", "io_address_space", "domains",
                                                          "profiler"};
constexpr std::array<std::string_view, 1> kProfilerAttrs{"frequency"};
constexpr std::array<std::string_view, 13> kPdAttrs{"name",    "priority",   "budget", "period",
                                                    "passive", "stack_size", "cpu",    "smc",
                                                    "fpu",     "domain",     "id",     "setvar_id",
                                                    "crash_dump"};
constexpr std::array<std::string_view, 9> kPdChildren{
    "program_image",   "map",    "irq",    "setvar",   "protection_domain",
    "virtual_machine", "ioport", "cspace", "late_load"};
constexpr std::array<std::string_view, 2> kProgramImageAttrs{"path", "path_for_symbols"};
constexpr std::array<std::string_view, 2> kLateLoadAttrs{"mr", "vaddr"};
constexpr std::array<std::string_view, 7> kMapAttrs{
    "mr", "vaddr", "perms", "cached", "setvar_vaddr", "setvar_size", "setvar_prefill_size"};
constexpr std::array<std::string_view, 4> kVmMapAttrs{"mr", "vaddr", "perms", "cached"};
constexpr std::array<std::string_view, 4> kIrqNumberAttrs{"irq", "id", "trigger", "setvar_id"};
constexpr std::array<std::string_view, 7> kIrqIoApicAttrs{
    "pin", "id", "vector", "ioapic", "trigger", "polarity", "setvar_id"};
constexpr std::array<std::string_view, 5> kIrqMsiAttrs{"pcidev", "id", "vector", "handle",
                                                       "setvar_id"};
constexpr std::array<std::string_view, 9> kIrqAnyAttrs{
    "irq", "pin", "pcidev", "id", "trigger", "setvar_id", "vector", "ioapic", "polarity"};
constexpr std::array<std::string_view, 5> kIoPortAttrs{"id", "addr", "size", "setvar_id",
                                                       "setvar_addr"};
constexpr std::array<std::string_view, 2> kSetVarAttrs{"symbol", "region_paddr"};
constexpr std::array<std::string_view, 13> kCspaceChildren{
    "cap_tcb", "cap_sc",  "cap_vspace", "cap_cnode",         "cap_notification", "cap_endpoint",
    "cap_mr",  "untyped", "cnode",      "cap_sched_control", "cap_irq", "cap_ioport", "free_slots"};
constexpr std::array<std::string_view, 4> kCapAttrs{"slot", "pd", "name", "setvar_slot"};
constexpr std::array<std::string_view, 6> kIpcCapAttrs{"slot",  "pd",   "rights",
                                                       "badge", "name", "setvar_slot"};
constexpr std::array<std::string_view, 5> kMrCapAttrs{"slot", "mr", "perms", "name",
                                                      "setvar_slot"};
constexpr std::array<std::string_view, 5> kUntypedAttrs{"slot", "size", "count", "name",
                                                        "setvar_slot"};
constexpr std::array<std::string_view, 4> kCNodeAttrs{"slot", "slots", "name", "setvar_slot"};
constexpr std::array<std::string_view, 2> kFreeSlotsAttrs{"count", "setvar_first"};
constexpr std::array<std::string_view, 4> kSchedControlAttrs{"slot", "cpu", "name", "setvar_slot"};
constexpr std::array<std::string_view, 6> kIrqCapAttrs{"slot", "pd", "id", "irq", "name", "setvar_slot"};
constexpr std::array<std::string_view, 5> kIoPortCapAttrs{"slot", "pd", "id", "name", "setvar_slot"};
constexpr std::array<std::string_view, 4> kVmAttrs{"name", "priority", "budget", "period"};
constexpr std::array<std::string_view, 3> kVmChildren{"vcpu", "map", "linux"};
constexpr std::array<std::string_view, 4> kLinuxGuestAttrs{"ram", "kernel", "dtb", "initrd"};
constexpr std::array<std::string_view, 3> kVcpuAttrs{"id", "cpu", "setvar_id"};
constexpr std::array<std::string_view, 6> kMrAttrs{"name",      "size",         "page_size",
                                                   "phys_addr", "prefill_path", "prefill_bootinfo"};
// x86_mbmap is the manual's spelling, x86_mbmmap the official tool's: both.
constexpr std::array<std::string_view, 7> kBootInfoNames{
    "x86_vbe", "x86_mbmap", "x86_mbmmap", "x86_acpi_rsdp", "x86_framebuffer", "x86_tsc_freq", "fdt"};
constexpr std::array<std::string_view, 1> kChannelChildren{"end"};
constexpr std::array<std::string_view, 5> kEndAttrs{"pd", "id", "pp", "notify", "setvar_id"};
constexpr std::array<std::string_view, 3> kIoSpaceAttrs{"name", "peripheral_id", "domain_id"};
constexpr std::array<std::string_view, 1> kIoSpaceChildren{"iomap"};
constexpr std::array<std::string_view, 3> kIoMapAttrs{"mr", "iovaddr", "perms"};
constexpr std::array<std::string_view, 2> kDomainsChildren{"domain", "domain_schedule"};
constexpr std::array<std::string_view, 2> kDomainAttrs{"name", "id"};
constexpr std::array<std::string_view, 2> kScheduleAttrs{"start_index", "index_shift"};
constexpr std::array<std::string_view, 2> kScheduleChildren{"schedule_entry",
                                                            "schedule_end_marker"};
constexpr std::array<std::string_view, 2> kEntryAttrs{"domain", "duration"};

constexpr unsigned kMaxPdDepth = 64;

// Where an element may appear, for hints about elements put in the wrong
// place; "" for <system> (the root) and for names the SDF does not know.
std::string_view home_of(std::string_view element) {
  static constexpr std::pair<std::string_view, std::string_view> kHomes[] = {
      {"protection_domain", "<system> or another <protection_domain>"},
      {"memory_region", "<system>"},
      {"channel", "<system>"},
      {"io_address_space", "<system>"},
      {"domains", "<system>"},
      {"profiler", "<system>"},
      {"program_image", "<protection_domain>"},
      {"late_load", "<protection_domain>"},
      {"map", "<protection_domain> or <virtual_machine>"},
      {"irq", "<protection_domain>"},
      {"setvar", "<protection_domain>"},
      {"ioport", "<protection_domain>"},
      {"cspace", "<protection_domain>"},
      {"virtual_machine", "<protection_domain>"},
      {"vcpu", "<virtual_machine>"},
      {"linux", "<virtual_machine>"},
      {"cap_tcb", "<cspace>"},
      {"cap_sc", "<cspace>"},
      {"cap_vspace", "<cspace>"},
      {"cap_cnode", "<cspace>"},
      {"cap_notification", "<cspace>"},
      {"cap_endpoint", "<cspace>"},
      {"cap_mr", "<cspace>"},
      {"untyped", "<cspace>"},
      {"cnode", "<cspace>"},
      {"free_slots", "<cspace>"},
      {"cap_sched_control", "<cspace>"},
      {"cap_irq", "<cspace>"},
      {"cap_ioport", "<cspace>"},
      {"end", "<channel>"},
      {"iomap", "<io_address_space>"},
      {"domain", "<domains>"},
      {"domain_schedule", "<domains>"},
      {"schedule_entry", "<domain_schedule>"},
      {"schedule_end_marker", "<domain_schedule>"},
  };
  for (const auto& [name, home] : kHomes)
    if (name == element) return home;
  return {};
}

std::string join(Names names, std::string_view before = "", std::string_view after = "") {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += before;
    out += n;
    out += after;
  }
  return out;
}

bool contains(Names names, std::string_view name) {
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

std::string quoted(std::string_view s) { return "`" + std::string(s) + "`"; }
std::string tag(std::string_view s) { return "<" + std::string(s) + ">"; }

class Walker {
 public:
  Walker(const XmlTree& tree, const std::string& file, Diagnostics& diags)
      : tree_(tree), file_(file), diags_(diags) {}

  SystemDescription system(const XmlNode& root);

 private:
  const XmlNode& node(uint32_t index) const { return tree_.nodes[index]; }
  Diagnostic& error(std::string id, Loc loc, std::string message, std::string hint = {}) {
    return diags_.error(std::move(id), file_, loc, std::move(message), std::move(hint));
  }

  // Element-level helpers.
  void begin(Element& e, const XmlNode& n, Names allowed, const AttrHint& hint = {});
  void report_text(const XmlNode& n);
  void check_attributes(const XmlNode& n, Names allowed, const AttrHint& hint);
  void unknown_element(const XmlNode& parent, const XmlNode& child, Names allowed);
  void no_children(const XmlNode& n);
  void duplicate(const XmlNode& parent, const XmlNode& child, Loc first);
  void missing_child(const XmlNode& n, std::string message, std::string hint);

  // Attribute readers: each reports its own problems and leaves `out` at its
  // default when the attribute is absent or bad.
  static const XmlAttr* find(const XmlNode& n, std::string_view name);
  void missing(const XmlNode& n, std::string_view name);
  std::string required_string(const XmlNode& n, std::string_view name);
  std::optional<std::string> optional_string(const XmlNode& n, std::string_view name);
  void crash_dump(const XmlNode& n, ProtectionDomain& pd);
  bool number(const XmlNode& n, const XmlAttr& a, uint64_t& out);
  void required_number(const XmlNode& n, std::string_view name, uint64_t& out);
  void optional_number(const XmlNode& n, std::string_view name, uint64_t& out);
  void optional_number(const XmlNode& n, std::string_view name, std::optional<uint64_t>& out);
  void boolean(const XmlNode& n, std::string_view name, bool& out);
  void invalid_value(const XmlNode& n, const XmlAttr& a, std::string what, std::string hint);
  void perms(const XmlNode& n, bool allow_execute, bool allow_write_only, Perms& out);
  void trigger(const XmlNode& n, Trigger& out);
  void polarity(const XmlNode& n, Polarity& out);
  bool pci_address(const XmlNode& n, const XmlAttr& a, uint64_t& bus, uint64_t& dev,
                   uint64_t& func);

  // One function per element.
  void protection_domain(const XmlNode& n, std::optional<size_t> parent, unsigned depth);
  void pd_attributes(ProtectionDomain& pd, const XmlNode& n);
  void pd_children(size_t index, const XmlNode& n, unsigned depth);
  ProgramImage program_image(const XmlNode& n);
  void late_load(const XmlNode& parent, const XmlNode& n, ProtectionDomain& pd);
  Map map(const XmlNode& n, bool in_vm);
  Irq irq(const XmlNode& n);
  void irq_form(Irq& q, const XmlNode& n);
  IoPort ioport(const XmlNode& n);
  SetVar setvar(const XmlNode& n);
  void cspace(const XmlNode& n, ProtectionDomain& pd);
  Cap cap(const XmlNode& n, Cap::Kind kind);
  void cap_rights(const XmlNode& n, Cap::Rights& out);
  void irq_cap_source(const XmlNode& n, Cap& c);
  FreeSlots free_slots(const XmlNode& n);
  VirtualMachine virtual_machine(const XmlNode& n);
  LinuxGuest linux_guest(const XmlNode& n);
  Vcpu vcpu(const XmlNode& n);
  MemoryRegion memory_region(const XmlNode& n);
  void channel(const XmlNode& n);
  ChannelEnd channel_end(const XmlNode& n);
  IoAddressSpace io_address_space(const XmlNode& n);
  void peripheral_id(const XmlNode& n, IoAddressSpace& space);
  IoMap iomap(const XmlNode& n);
  Domains domains(const XmlNode& n);
  Domain domain(const XmlNode& n);
  DomainSchedule domain_schedule(const XmlNode& n);
  Profiler profiler(const XmlNode& n);
  ScheduleEntry schedule_entry(const XmlNode& n);
  void duration(const XmlNode& n, ScheduleEntry& entry);

  const XmlTree& tree_;
  const std::string& file_;
  Diagnostics& diags_;
  SystemDescription sd_;
};

// --- element-level helpers

void Walker::begin(Element& e, const XmlNode& n, Names allowed, const AttrHint& hint) {
  e.loc = n.loc;
  e.attrs.reserve(n.attrs.size());
  for (const XmlAttr& a : n.attrs) e.attrs.emplace_back(a.name, a.loc);
  report_text(n);
  check_attributes(n, allowed, hint);
}

void Walker::report_text(const XmlNode& n) {
  if (!n.text) return;
  error("text-content", *n.text, "unexpected text inside " + tag(n.name),
        "an SDF holds only elements and attributes; remove the text or make it a comment "
        "(<!-- ... -->)");
}

void Walker::check_attributes(const XmlNode& n, Names allowed, const AttrHint& hint) {
  for (const XmlAttr& a : n.attrs) {
    if (contains(allowed, a.name)) continue;
    std::string advice = hint ? hint(a.name) : std::string();
    if (advice.empty()) {
      if (auto close = did_you_mean(a.name, allowed))
        advice = "did you mean " + quoted(*close) + "?";
      else if (allowed.empty())
        advice = tag(n.name) + " takes no attributes";
      else
        advice = tag(n.name) + " takes: " + join(allowed);
    }
    error("unknown-attribute", a.loc, "unknown attribute " + quoted(a.name) + " on " + tag(n.name),
          std::move(advice));
  }
}

void Walker::unknown_element(const XmlNode& parent, const XmlNode& child, Names allowed) {
  std::string message =
      allowed.empty() ? tag(parent.name) + " has no child elements, but contains " + tag(child.name)
                      : tag(child.name) + " is not allowed inside " + tag(parent.name);
  std::string hint;
  if (auto close = did_you_mean(child.name, allowed))
    hint = "did you mean " + tag(*close) + "?";
  else if (std::string_view home = home_of(child.name); !home.empty())
    hint = tag(child.name) + " belongs inside " + std::string(home);
  else if (child.name == "system")
    hint = "<system> is the root element and cannot be nested";
  else if (!allowed.empty())
    hint = tag(parent.name) + " may contain: " + join(allowed, "<", ">");
  else
    hint = "remove " + tag(child.name);
  error("unknown-element", child.loc, std::move(message), std::move(hint));
}

void Walker::no_children(const XmlNode& n) {
  for (uint32_t c : n.children) unknown_element(n, node(c), kNone);
}

void Walker::duplicate(const XmlNode& parent, const XmlNode& child, Loc first) {
  error("duplicate-element", child.loc,
        tag(parent.name) + " may contain only one " + tag(child.name),
        "remove this " + tag(child.name) + " or merge it into the first one");
  diags_.note(file_, first, "the first " + tag(child.name) + " is here");
}

void Walker::missing_child(const XmlNode& n, std::string message, std::string hint) {
  error("missing-element", n.loc, std::move(message), std::move(hint));
}

// --- attribute readers

const XmlAttr* Walker::find(const XmlNode& n, std::string_view name) {
  for (const XmlAttr& a : n.attrs)
    if (a.name == name) return &a;
  return nullptr;
}

void Walker::missing(const XmlNode& n, std::string_view name) {
  error("missing-attribute", n.loc,
        tag(n.name) + " is missing the required attribute " + quoted(name),
        "add " + std::string(name) + "=\"...\" to the " + tag(n.name));
}

std::string Walker::required_string(const XmlNode& n, std::string_view name) {
  if (const XmlAttr* a = find(n, name)) return a->value;
  missing(n, name);
  return {};
}

std::optional<std::string> Walker::optional_string(const XmlNode& n, std::string_view name) {
  if (const XmlAttr* a = find(n, name)) return a->value;
  return std::nullopt;
}

bool Walker::number(const XmlNode& n, const XmlAttr& a, uint64_t& out) {
  ParsedU64 parsed = parse_u64(a.value);
  if (parsed.ok()) {
    out = parsed.value;
    return true;
  }
  error("invalid-number", a.loc,
        quoted(a.name) + " on " + tag(n.name) + " must be a number, but \"" + a.value + "\" " +
            describe(parsed.error),
        "write an unsigned 64-bit number in decimal (4096) or hexadecimal (0x1000); "
        "`_` may separate digits (0x8000_0000)");
  return false;
}

void Walker::required_number(const XmlNode& n, std::string_view name, uint64_t& out) {
  if (const XmlAttr* a = find(n, name))
    number(n, *a, out);
  else
    missing(n, name);
}

void Walker::optional_number(const XmlNode& n, std::string_view name, uint64_t& out) {
  if (const XmlAttr* a = find(n, name)) number(n, *a, out);
}

void Walker::optional_number(const XmlNode& n, std::string_view name,
                             std::optional<uint64_t>& out) {
  uint64_t value = 0;
  if (const XmlAttr* a = find(n, name); a && number(n, *a, value)) out = value;
}

void Walker::boolean(const XmlNode& n, std::string_view name, bool& out) {
  const XmlAttr* a = find(n, name);
  if (!a) return;
  if (a->value == "true" || a->value == "false") {
    out = a->value == "true";
    return;
  }
  error("invalid-boolean", a->loc,
        quoted(a->name) + " on " + tag(n.name) + " must be `true` or `false`, not \"" + a->value +
            "\"",
        "write true or false, in lower case");
}

void Walker::invalid_value(const XmlNode& n, const XmlAttr& a, std::string what, std::string hint) {
  error("invalid-value", a.loc,
        quoted(a.name) + " on " + tag(n.name) + " has an invalid value \"" + a.value +
            "\": " + std::move(what),
        std::move(hint));
}

// The flag for permission letter `c`, or null if `c` is not a permission.
bool* perm_flag(Perms& p, char c, bool allow_execute) {
  switch (c) {
    case 'r': return &p.read;
    case 'w': return &p.write;
    case 'x': return allow_execute ? &p.execute : nullptr;
  }
  return nullptr;
}

// perms: a non-empty set of r, w (and x for <map>), each at most once.
void Walker::perms(const XmlNode& n, bool allow_execute, bool allow_write_only, Perms& out) {
  const XmlAttr* a = find(n, "perms");
  if (!a) return;
  std::string letters = allow_execute ? "r, w and x" : "r and w";
  std::string hint = "write a combination of " + letters + ", e.g. \"rw\"";
  Perms p{false, false, false};
  for (char c : a->value) {
    bool* flag = perm_flag(p, c, allow_execute);
    if (!flag) {
      std::string what = static_cast<unsigned char>(c) < 0x80 ? "`" + std::string(1, c) + "`"
                                                              : "a non-ASCII character";
      return invalid_value(n, *a, what + " is not one of " + letters, hint);
    }
    if (*flag) return invalid_value(n, *a, "`" + std::string(1, c) + "` appears twice", hint);
    *flag = true;
  }
  if (a->value.empty()) return invalid_value(n, *a, "no permission is given", hint);
  if (!allow_write_only && p.write && !p.read && !p.execute)
    return invalid_value(n, *a, "write-only mappings are not supported",
                         "use \"rw\": a mapping that can be written can also be read");
  out = p;
}

void Walker::trigger(const XmlNode& n, Trigger& out) {
  const XmlAttr* a = find(n, "trigger");
  if (!a) return;
  if (a->value == "level")
    out = Trigger::Level;
  else if (a->value == "edge")
    out = Trigger::Edge;
  else
    invalid_value(n, *a, "expected `level` or `edge`",
                  "write trigger=\"level\" or trigger=\"edge\"");
}

void Walker::polarity(const XmlNode& n, Polarity& out) {
  const XmlAttr* a = find(n, "polarity");
  if (!a) return;
  if (a->value == "high")
    out = Polarity::High;
  else if (a->value == "low")
    out = Polarity::Low;
  else
    invalid_value(n, *a, "expected `high` or `low`", "write polarity=\"high\" or polarity=\"low\"");
}

// A PCI address BUS:DEV.FUNC in hexadecimal: bus < 256, device < 32, function < 8.
bool Walker::pci_address(const XmlNode& n, const XmlAttr& a, uint64_t& bus, uint64_t& dev,
                         uint64_t& func) {
  std::string_view v = a.value;
  const std::string hint = "write the PCI address as BUS:DEV.FUNC in hexadecimal, e.g. 01:1f.2";
  size_t colon = v.find(':');
  size_t dot = colon == std::string_view::npos ? colon : v.find('.', colon + 1);
  if (dot == std::string_view::npos) {
    invalid_value(n, a, "expected BUS:DEV.FUNC", hint);
    return false;
  }
  ParsedU64 b = parse_hex_digits(v.substr(0, colon));
  ParsedU64 d = parse_hex_digits(v.substr(colon + 1, dot - colon - 1));
  ParsedU64 f = parse_hex_digits(v.substr(dot + 1));
  if (!b.ok() || !d.ok() || !f.ok()) {
    invalid_value(n, a, "the bus, device and function must be hexadecimal numbers", hint);
    return false;
  }
  if (b.value > 0xff || d.value > 0x1f || f.value > 0x7) {
    invalid_value(
        n, a, "the bus must be at most ff, the device at most 1f and the function at most 7", hint);
    return false;
  }
  bus = b.value;
  dev = d.value;
  func = f.value;
  return true;
}

// --- <system>

SystemDescription Walker::system(const XmlNode& root) {
  sd_.file = file_;
  sd_.loc = root.loc;
  report_text(root);
  check_attributes(root, kNone, {});
  std::optional<Loc> domains_loc;
  for (uint32_t c : root.children) {
    const XmlNode& child = node(c);
    if (child.name == "protection_domain") {
      protection_domain(child, std::nullopt, 0);
    } else if (child.name == "memory_region") {
      sd_.mrs.push_back(memory_region(child));
    } else if (child.name == "channel") {
      channel(child);
    } else if (child.name == "io_address_space") {
      sd_.io_address_spaces.push_back(io_address_space(child));
    } else if (child.name == "domains") {
      if (domains_loc) {
        duplicate(root, child, *domains_loc);
        continue;
      }
      domains_loc = child.loc;
      sd_.domains = domains(child);
    } else if (child.name == "profiler") {
      if (sd_.profiler) {
        duplicate(root, child, sd_.profiler->loc);
        continue;
      }
      sd_.profiler = profiler(child);
    } else {
      unknown_element(root, child, kSystemChildren);
    }
  }
  return std::move(sd_);
}

// --- <protection_domain>, flattened into sd_.pds in document order

void Walker::protection_domain(const XmlNode& n, std::optional<size_t> parent, unsigned depth) {
  if (depth >= kMaxPdDepth) {
    error("nesting-too-deep", n.loc,
          "protection domains are nested more than " + std::to_string(kMaxPdDepth) + " deep",
          "no board allows that many protection domains; flatten the hierarchy");
    return;
  }
  size_t index = sd_.pds.size();
  sd_.pds.emplace_back();
  if (parent) {
    sd_.pds[index].parent = parent;
    sd_.pds[*parent].children.push_back(index);
  }
  pd_attributes(sd_.pds[index], n);
  pd_children(index, n, depth);
}

void Walker::pd_attributes(ProtectionDomain& pd, const XmlNode& n) {
  begin(pd, n, kPdAttrs);
  pd.name = required_string(n, "name");
  optional_number(n, "priority", pd.priority);
  optional_number(n, "budget", pd.budget);
  optional_number(n, "period", pd.period);
  boolean(n, "passive", pd.passive);
  optional_number(n, "stack_size", pd.stack_size);
  optional_number(n, "cpu", pd.cpu);
  boolean(n, "smc", pd.smc);
  boolean(n, "fpu", pd.fpu);
  pd.domain = optional_string(n, "domain");
  optional_number(n, "id", pd.child_id);
  pd.setvar_id = optional_string(n, "setvar_id");
  crash_dump(n, pd);
}

// crash_dump="stack,mr:NAME,...": a comma-separated list (docs/debugging.md).
void Walker::crash_dump(const XmlNode& n, ProtectionDomain& pd) {
  const XmlAttr* a = find(n, "crash_dump");
  if (!a) return;
  CrashDump d;
  std::string_view rest = a->value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "stack") {
      d.stack = true;
    } else if (item == "data") {
      d.data = true;
    } else if (item == "regs") {
      // the registers are in every dump; accepted for clarity
    } else if (item.substr(0, 3) == "mr:" && item.size() > 3) {
      d.mrs.emplace_back(item.substr(3));
    } else {
      invalid_value(n, *a, "\"" + std::string(item) + "\" is not something a crash dump can hold",
                    "list any of `regs`, `stack`, `data` and `mr:NAME` (a memory region this PD maps), "
                    "separated by commas");
      return;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  pd.crash_dump = std::move(d);
}

void Walker::pd_children(size_t index, const XmlNode& n, unsigned depth) {
  // Nested protection domains grow sd_.pds, so the PD is looked up afresh
  // each time rather than held by reference.
  auto pd = [&]() -> ProtectionDomain& { return sd_.pds[index]; };
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "protection_domain") {
      protection_domain(child, index, depth + 1);
    } else if (child.name == "program_image") {
      if (pd().program_image)
        duplicate(n, child, pd().program_image->loc);
      else
        pd().program_image = program_image(child);
    } else if (child.name == "late_load") {
      late_load(n, child, pd());
    } else if (child.name == "map") {
      pd().maps.push_back(map(child, false));
    } else if (child.name == "irq") {
      pd().irqs.push_back(irq(child));
    } else if (child.name == "setvar") {
      pd().setvars.push_back(setvar(child));
    } else if (child.name == "ioport") {
      pd().ioports.push_back(ioport(child));
    } else if (child.name == "cspace") {
      if (pd().cspace_loc) {
        duplicate(n, child, *pd().cspace_loc);
        continue;
      }
      pd().cspace_loc = child.loc;
      cspace(child, pd());
    } else if (child.name == "virtual_machine") {
      if (pd().vm)
        duplicate(n, child, pd().vm->loc);
      else
        pd().vm = virtual_machine(child);
    } else {
      unknown_element(n, child, kPdChildren);
    }
  }
  if (pd().program_image && pd().late_load) {
    error("late-load-with-program-image", pd().late_load->loc,
          "protection domain " + quoted(pd().name) +
              " has both a <program_image> and a <late_load>",
          "keep <program_image> for a program the tool loads at boot, or <late_load> for an "
          "empty PD whose parent loads its program at run time, not both");
  }
  if (!pd().program_image && !pd().late_load) {
    std::string name = pd().name.empty() ? "" : " " + quoted(pd().name);
    missing_child(n, "protection domain" + name + " has no <program_image>",
                  "add <program_image path=\"...\" /> inside the <protection_domain>");
  }
}

ProgramImage Walker::program_image(const XmlNode& n) {
  ProgramImage p;
  begin(p, n, kProgramImageAttrs);
  p.path = required_string(n, "path");
  p.path_for_symbols = optional_string(n, "path_for_symbols");
  no_children(n);
  return p;
}

// Records the <late_load> and the mapping it implies (system_description.h).
void Walker::late_load(const XmlNode& parent, const XmlNode& n, ProtectionDomain& pd) {
  if (pd.late_load) {
    duplicate(parent, n, pd.late_load->loc);
    return;
  }
  LateLoad l;
  begin(l, n, kLateLoadAttrs);
  l.mr = required_string(n, "mr");
  optional_number(n, "vaddr", l.vaddr);
  no_children(n);
  Map m;
  static_cast<Element&>(m) = l;
  m.mr = l.mr;
  m.vaddr = l.vaddr;
  m.perms = {true, true, true};
  m.late_load = true;
  pd.maps.push_back(std::move(m));
  pd.late_load = std::move(l);
}

Map Walker::map(const XmlNode& n, bool in_vm) {
  Map m;
  AttrHint vm_hint;
  if (in_vm) {
    vm_hint = [](std::string_view name) -> std::string {
      if (!contains(kMapAttrs, name)) return {};
      return "a virtual machine has no program image whose symbols could be set, so its "
             "<map> takes no setvar_* attributes";
    };
  }
  begin(m, n, in_vm ? Names(kVmMapAttrs) : Names(kMapAttrs), vm_hint);
  m.mr = required_string(n, "mr");
  required_number(n, "vaddr", m.vaddr);
  perms(n, /*allow_execute=*/true, /*allow_write_only=*/false, m.perms);
  boolean(n, "cached", m.cached);
  if (!in_vm) {
    m.setvar_vaddr = optional_string(n, "setvar_vaddr");
    m.setvar_size = optional_string(n, "setvar_size");
    m.setvar_prefill_size = optional_string(n, "setvar_prefill_size");
  }
  no_children(n);
  return m;
}

// <irq> has three forms, told apart by which of `irq`, `pin` and `pcidev` it has.
Irq Walker::irq(const XmlNode& n) {
  Irq q;
  irq_form(q, n);
  required_number(n, "id", q.id);
  q.setvar_id = optional_string(n, "setvar_id");
  switch (q.kind) {
    case Irq::Kind::Number:
      if (const XmlAttr* a = find(n, "irq")) number(n, *a, q.irq);
      trigger(n, q.trigger);
      break;
    case Irq::Kind::IoApic:
      if (const XmlAttr* a = find(n, "pin")) number(n, *a, q.pin);
      optional_number(n, "ioapic", q.ioapic);
      required_number(n, "vector", q.vector);
      trigger(n, q.trigger);
      polarity(n, q.polarity);
      break;
    case Irq::Kind::Msi:
      if (const XmlAttr* a = find(n, "pcidev"))
        pci_address(n, *a, q.pci_bus, q.pci_dev, q.pci_func);
      required_number(n, "handle", q.handle);
      required_number(n, "vector", q.vector);
      break;
  }
  no_children(n);
  return q;
}

// Decides the form of an <irq> and checks its attributes against that form.
void Walker::irq_form(Irq& q, const XmlNode& n) {
  struct Form {
    std::string_view key;
    Irq::Kind kind;
    Names attrs;
    std::string_view what;
  };
  static const std::array<Form, 3> kForms{{
      {"irq", Irq::Kind::Number, kIrqNumberAttrs, "an ARM/RISC-V interrupt"},
      {"pin", Irq::Kind::IoApic, kIrqIoApicAttrs, "an x86-64 IOAPIC interrupt"},
      {"pcidev", Irq::Kind::Msi, kIrqMsiAttrs, "an x86-64 MSI interrupt"},
  }};
  const Form* form = nullptr;
  for (const Form& f : kForms) {
    if (find(n, f.key)) {
      form = &f;
      break;
    }
  }
  if (!form) {
    begin(q, n, kIrqAnyAttrs);
    error("missing-attribute", n.loc,
          "<irq> needs one of `irq` (ARM, RISC-V), `pin` (x86-64 IOAPIC) or `pcidev` (x86-64 MSI)",
          "add irq=\"...\" for an ARM or RISC-V interrupt");
    return;
  }
  q.kind = form->kind;
  AttrHint other_form = [form](std::string_view name) -> std::string {
    if (!contains(kIrqAnyAttrs, name)) return {};
    return "this <irq> is " + std::string(form->what) + " because it has " + quoted(form->key) +
           "; that form takes: " + join(form->attrs);
  };
  begin(q, n, form->attrs, other_form);
}

IoPort Walker::ioport(const XmlNode& n) {
  IoPort p;
  begin(p, n, kIoPortAttrs);
  required_number(n, "id", p.id);
  required_number(n, "addr", p.addr);
  required_number(n, "size", p.size);
  p.setvar_id = optional_string(n, "setvar_id");
  p.setvar_addr = optional_string(n, "setvar_addr");
  no_children(n);
  return p;
}

SetVar Walker::setvar(const XmlNode& n) {
  SetVar s;
  begin(s, n, kSetVarAttrs);
  s.symbol = required_string(n, "symbol");
  s.region_paddr = required_string(n, "region_paddr");
  no_children(n);
  return s;
}

void Walker::cspace(const XmlNode& n, ProtectionDomain& pd) {
  report_text(n);
  check_attributes(n, kNone, {});
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "free_slots") {
      if (pd.free_slots) {
        duplicate(n, child, pd.free_slots->loc);
        continue;
      }
      pd.free_slots = free_slots(child);
      continue;
    }
    auto it = std::find(kCapElements.begin(), kCapElements.end(), child.name);
    if (it == kCapElements.end()) {
      unknown_element(n, child, kCspaceChildren);
      continue;
    }
    pd.caps.push_back(cap(child, static_cast<Cap::Kind>(it - kCapElements.begin())));
  }
}

Names cap_attrs(Cap::Kind kind) {
  switch (kind) {
    case Cap::Kind::Notification:
    case Cap::Kind::Endpoint: return kIpcCapAttrs;
    case Cap::Kind::MrFrames: return kMrCapAttrs;
    case Cap::Kind::Untyped: return kUntypedAttrs;
    case Cap::Kind::EmptyCNode: return kCNodeAttrs;
    case Cap::Kind::SchedControl: return kSchedControlAttrs;
    case Cap::Kind::Irq: return kIrqCapAttrs;
    case Cap::Kind::IoPort: return kIoPortCapAttrs;
    default: return kCapAttrs;
  }
}

Cap Walker::cap(const XmlNode& n, Cap::Kind kind) {
  Cap c;
  c.kind = kind;
  begin(c, n, cap_attrs(kind));
  required_number(n, "slot", c.slot);
  c.name = optional_string(n, "name");
  c.setvar_slot = optional_string(n, "setvar_slot");
  switch (kind) {
    case Cap::Kind::MrFrames:
      c.mr = required_string(n, "mr");
      perms(n, false, false, c.perms);
      break;
    case Cap::Kind::Untyped:
      required_number(n, "size", c.size);
      optional_number(n, "count", c.count);
      break;
    case Cap::Kind::EmptyCNode: required_number(n, "slots", c.cnode_slots); break;
    case Cap::Kind::SchedControl: optional_number(n, "cpu", c.cpu); break;
    case Cap::Kind::Irq: irq_cap_source(n, c); break;
    case Cap::Kind::IoPort:
      c.pd = required_string(n, "pd");
      required_number(n, "id", c.ioport_id);
      break;
    case Cap::Kind::Notification:
    case Cap::Kind::Endpoint:
      cap_rights(n, c.rights);
      optional_number(n, "badge", c.badge);
      c.pd = required_string(n, "pd");
      break;
    default: c.pd = required_string(n, "pd"); break;
  }
  no_children(n);
  return c;
}

// <cap_irq>: pd and id name a PD's <irq>, or irq names the IRQ number; the
// validator checks that exactly one form is used.
void Walker::irq_cap_source(const XmlNode& n, Cap& c) {
  c.pd = optional_string(n, "pd").value_or("");
  optional_number(n, "id", c.irq_id);
  optional_number(n, "irq", c.irq);
}

// rights="rwg": seL4's read (receive, wait), write (send, signal) and grant.
void Walker::cap_rights(const XmlNode& n, Cap::Rights& out) {
  const XmlAttr* a = find(n, "rights");
  if (!a) return;
  std::string hint = "write a combination of r (receive/wait), w (send/signal) and g (grant), "
                     "e.g. \"w\"";
  Cap::Rights r{false, false, false};
  for (char ch : a->value) {
    bool* flag = ch == 'r' ? &r.read : ch == 'w' ? &r.write : ch == 'g' ? &r.grant : nullptr;
    if (!flag) {
      std::string what = static_cast<unsigned char>(ch) < 0x80 ? "`" + std::string(1, ch) + "`"
                                                               : "a non-ASCII character";
      return invalid_value(n, *a, what + " is not one of r, w and g", hint);
    }
    if (*flag) return invalid_value(n, *a, "`" + std::string(1, ch) + "` appears twice", hint);
    *flag = true;
  }
  if (a->value.empty()) return invalid_value(n, *a, "no right is given", hint);
  out = r;
}

FreeSlots Walker::free_slots(const XmlNode& n) {
  FreeSlots f;
  begin(f, n, kFreeSlotsAttrs);
  required_number(n, "count", f.count);
  f.setvar_first = optional_string(n, "setvar_first");
  no_children(n);
  return f;
}

VirtualMachine Walker::virtual_machine(const XmlNode& n) {
  VirtualMachine vm;
  begin(vm, n, kVmAttrs);
  vm.name = required_string(n, "name");
  optional_number(n, "priority", vm.priority);
  optional_number(n, "budget", vm.budget);
  optional_number(n, "period", vm.period);
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "vcpu")
      vm.vcpus.push_back(vcpu(child));
    else if (child.name == "map")
      vm.maps.push_back(map(child, true));
    else if (child.name == "linux" && !vm.linux_guest)
      vm.linux_guest = linux_guest(child);
    else if (child.name == "linux")
      duplicate(n, child, vm.linux_guest->loc);
    else
      unknown_element(n, child, kVmChildren);
  }
  if (vm.vcpus.empty())
    missing_child(
        n, "virtual machine" + (vm.name.empty() ? "" : " " + quoted(vm.name)) + " has no <vcpu>",
        "add <vcpu id=\"0\" /> inside the <virtual_machine>");
  return vm;
}

LinuxGuest Walker::linux_guest(const XmlNode& n) {
  LinuxGuest g;
  begin(g, n, kLinuxGuestAttrs);
  g.ram = required_string(n, "ram");
  g.kernel = required_string(n, "kernel");
  g.dtb = required_string(n, "dtb");
  g.initrd = optional_string(n, "initrd");
  no_children(n);
  return g;
}

Vcpu Walker::vcpu(const XmlNode& n) {
  Vcpu v;
  begin(v, n, kVcpuAttrs);
  required_number(n, "id", v.id);
  optional_number(n, "cpu", v.cpu);
  v.setvar_id = optional_string(n, "setvar_id");
  no_children(n);
  return v;
}

// --- <memory_region>

MemoryRegion Walker::memory_region(const XmlNode& n) {
  MemoryRegion mr;
  begin(mr, n, kMrAttrs);
  mr.name = required_string(n, "name");
  optional_number(n, "size", mr.size);
  optional_number(n, "page_size", mr.page_size);
  optional_number(n, "phys_addr", mr.phys_addr);
  mr.prefill_path = optional_string(n, "prefill_path");
  if (const XmlAttr* a = find(n, "prefill_bootinfo")) {
    if (contains(kBootInfoNames, a->value)) {
      mr.prefill_bootinfo = a->value;
    } else {
      auto close = did_you_mean(a->value, kBootInfoNames);
      invalid_value(
          n, *a, "not a kind of boot information",
          close ? "did you mean " + quoted(*close) + "?" : "use one of: " + join(kBootInfoNames));
    }
  }
  no_children(n);
  return mr;
}

// --- <channel>

void Walker::channel(const XmlNode& n) {
  Channel ch;
  begin(ch, n, kNone);
  std::vector<ChannelEnd> ends;
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "end")
      ends.push_back(channel_end(child));
    else
      unknown_element(n, child, kChannelChildren);
  }
  if (ends.size() != 2) {
    missing_child(n,
                  "a <channel> needs exactly two <end> elements, but this one has " +
                      std::to_string(ends.size()),
                  "a channel connects two protection domains: give it one <end> for each");
    return;
  }
  ch.a = std::move(ends[0]);
  ch.b = std::move(ends[1]);
  sd_.channels.push_back(std::move(ch));
}

ChannelEnd Walker::channel_end(const XmlNode& n) {
  ChannelEnd e;
  begin(e, n, kEndAttrs);
  e.pd = required_string(n, "pd");
  required_number(n, "id", e.id);
  boolean(n, "pp", e.pp);
  boolean(n, "notify", e.notify);
  e.setvar_id = optional_string(n, "setvar_id");
  no_children(n);
  return e;
}

// --- <io_address_space>

IoAddressSpace Walker::io_address_space(const XmlNode& n) {
  IoAddressSpace space;
  begin(space, n, kIoSpaceAttrs);
  space.name = required_string(n, "name");
  peripheral_id(n, space);
  required_number(n, "domain_id", space.domain_id);
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "iomap")
      space.maps.push_back(iomap(child));
    else
      unknown_element(n, child, kIoSpaceChildren);
  }
  return space;
}

// A number, or (on x86-64, where the IOMMU knows devices by PCI address) a
// PCI address, stored as its 16-bit requester id.
void Walker::peripheral_id(const XmlNode& n, IoAddressSpace& space) {
  const XmlAttr* a = find(n, "peripheral_id");
  if (!a) return missing(n, "peripheral_id");
  if (a->value.find(':') == std::string::npos) {
    number(n, *a, space.peripheral_id);
    return;
  }
  uint64_t bus = 0, dev = 0, func = 0;
  if (!pci_address(n, *a, bus, dev, func)) return;
  space.peripheral_id = bus << 8 | dev << 3 | func;
  space.peripheral_is_pci = true;
}

IoMap Walker::iomap(const XmlNode& n) {
  IoMap m;
  begin(m, n, kIoMapAttrs);
  m.mr = required_string(n, "mr");
  required_number(n, "iovaddr", m.iovaddr);
  m.perms.execute = false;
  perms(n, /*allow_execute=*/false, /*allow_write_only=*/true, m.perms);
  no_children(n);
  return m;
}

// --- <profiler>

Profiler Walker::profiler(const XmlNode& n) {
  Profiler p;
  begin(p, n, kProfilerAttrs);
  required_number(n, "frequency", p.frequency);
  no_children(n);
  return p;
}

// --- <domains>

Domains Walker::domains(const XmlNode& n) {
  Domains d;
  begin(d, n, kNone);
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "domain") {
      d.domains.push_back(domain(child));
    } else if (child.name == "domain_schedule") {
      if (d.schedule)
        duplicate(n, child, d.schedule->loc);
      else
        d.schedule = domain_schedule(child);
    } else {
      unknown_element(n, child, kDomainsChildren);
    }
  }
  if (d.domains.empty())
    missing_child(n, "<domains> declares no <domain>",
                  "add <domain name=\"...\" /> for each domain the schedule uses");
  return d;
}

Domain Walker::domain(const XmlNode& n) {
  Domain d;
  begin(d, n, kDomainAttrs);
  d.name = required_string(n, "name");
  optional_number(n, "id", d.id);
  no_children(n);
  return d;
}

DomainSchedule Walker::domain_schedule(const XmlNode& n) {
  DomainSchedule s;
  begin(s, n, kScheduleAttrs);
  optional_number(n, "start_index", s.start_index);
  optional_number(n, "index_shift", s.index_shift);
  for (uint32_t c : n.children) {
    const XmlNode& child = node(c);
    if (child.name == "schedule_entry") {
      s.entries.push_back(schedule_entry(child));
    } else if (child.name == "schedule_end_marker") {
      ScheduleEntry& marker = s.entries.emplace_back();
      marker.kind = ScheduleEntry::Kind::EndMarker;
      begin(marker, child, kNone);
      no_children(child);
    } else {
      unknown_element(n, child, kScheduleChildren);
    }
  }
  return s;
}

ScheduleEntry Walker::schedule_entry(const XmlNode& n) {
  ScheduleEntry e;
  begin(e, n, kEntryAttrs);
  e.domain = required_string(n, "domain");
  duration(n, e);
  no_children(n);
  return e;
}

// duration="N us" or "N ticks": a number, one space, a unit. (A zero
// duration is well-formed; the validator rejects it.)
void Walker::duration(const XmlNode& n, ScheduleEntry& entry) {
  const XmlAttr* a = find(n, "duration");
  if (!a) return missing(n, "duration");
  const std::string hint = "write a number, one space and a unit: \"1000 us\" or \"5 ticks\"";
  std::string_view v = a->value;
  size_t space = v.find(' ');
  if (space == std::string_view::npos)
    return invalid_value(n, *a, "expected a number and a unit separated by a space", hint);
  std::string_view unit = v.substr(space + 1);
  if (unit == "us")
    entry.unit = ScheduleEntry::Unit::Microseconds;
  else if (unit == "ticks")
    entry.unit = ScheduleEntry::Unit::Ticks;
  else
    return invalid_value(n, *a, "the unit must be `us` or `ticks`", hint);
  ParsedU64 value = parse_u64(v.substr(0, space));
  if (!value.ok()) {
    error("invalid-number", a->loc,
          "the amount in `duration` on <schedule_entry> must be a number, but \"" +
              std::string(v.substr(0, space)) + "\" " + describe(value.error),
          hint);
    return;
  }
  entry.duration = value.value;
}

}  // namespace

std::optional<SystemDescription> parse(std::string_view text, const std::string& file,
                                       Diagnostics& diags) {
  // 1. Read the XML into a tree; stop if it is not well-formed.
  std::optional<XmlTree> tree = read_xml(text, file, diags);
  if (!tree) return std::nullopt;
  // 2. The root must be <system>.
  const XmlNode& root = tree->nodes[0];
  if (root.name != "system") {
    diags.error("root-not-system", file, root.loc,
                "the root element is " + tag(root.name) + ", not <system>",
                "a system description is a single <system> element containing the others");
    return std::nullopt;
  }
  // 3. Check the shape and fill the description.
  return Walker(*tree, file, diags).system(root);
}

}  // namespace microkit::sdf
