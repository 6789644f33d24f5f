// capdl_json: capDL spec -> JSON text (see capdl_json.h).
#include "sel4/capdl_json.h"

#include <nlohmann/json.hpp>

namespace microkit::capdl {
namespace {

using Json = nlohmann::ordered_json;  // keeps the field order of the Rust structs

Json range(uint64_t start, uint64_t end) { return Json{{"start", start}, {"end", end}}; }

Json rights(const Rights& r) {
  return Json{{"read", r.read}, {"write", r.write}, {"grant", r.grant}, {"grant_reply", r.grant_reply}};
}

const char* cap_tag(CapKind k) {
  switch (k) {
    case CapKind::Untyped: return "Untyped";
    case CapKind::Endpoint: return "Endpoint";
    case CapKind::Notification: return "Notification";
    case CapKind::CNode: return "CNode";
    case CapKind::Tcb: return "Tcb";
    case CapKind::ArmIrqHandler: return "ArmIrqHandler";
    case CapKind::RiscvIrqHandler: return "RiscvIrqHandler";
    case CapKind::VCpu: return "VCpu";
    case CapKind::Frame: return "Frame";
    case CapKind::PageTable: return "PageTable";
    case CapKind::SchedContext: return "SchedContext";
    case CapKind::Reply: return "Reply";
    case CapKind::ArmSmc: return "ArmSmc";
    case CapKind::IrqIOApicHandler: return "IrqIOApicHandler";
    case CapKind::IrqMsiHandler: return "IrqMsiHandler";
    case CapKind::IOPorts: return "IOPorts";
    case CapKind::IOPageTable: return "IOPageTable";
    case CapKind::SchedControl: return "SchedControl";
  }
  return "Null";
}

Json cap(const Cap& c) {
  if (c.kind == CapKind::SchedControl) return Json{{cap_tag(c.kind), {{"core", c.core}}}};
  Json body{{"object", c.object}};
  switch (c.kind) {
    case CapKind::Endpoint:
    case CapKind::Notification:
      body["badge"] = c.badge;
      body["rights"] = rights(c.rights);
      break;
    case CapKind::CNode:
      body["guard"] = c.guard;
      body["guard_size"] = c.guard_size;
      break;
    case CapKind::Frame:
      body["rights"] = rights(c.rights);
      body["cached"] = c.cached;
      body["executable"] = c.executable;
      break;
    default: break;
  }
  return Json{{cap_tag(c.kind), body}};
}

Json slots(const std::vector<CapEntry>& entries) {
  Json out = Json::array();
  for (const CapEntry& e : entries) out.push_back(Json{{"slot", e.slot}, {"cap", cap(e.cap)}});
  return out;
}

Json optional_word(const std::optional<uint64_t>& v) { return v ? Json(*v) : Json(nullptr); }

// [{"domain": 0, "duration": {"Us": 6000}}, ..., {"domain": 0, "duration": "EndMarker"}]
Json domain_schedule(const Spec& spec) {
  if (!spec.domain_schedule) return nullptr;
  Json out = Json::array();
  for (const DomainScheduleEntry& e : *spec.domain_schedule) {
    Json duration = e.end_marker ? Json("EndMarker") : Json{{e.in_ticks ? "Ticks" : "Us", e.duration}};
    out.push_back(Json{{"domain", e.domain}, {"duration", duration}});
  }
  return out;
}

// seL4_BootInfoHeader ids, as rust-sel4's FillEntryContentBootInfoId names them.
Json bootinfo_id(uint32_t id) {
  static const char* const kNames[] = {"Padding", "X86Vbe", "X86Mbmmap", "X86AcpiRsdp",
                                       "X86FrameBuffer", "X86TscFreq", "Fdt"};
  return id < std::size(kNames) ? Json(kNames[id]) : Json(id);
}

Json fill_entry(const FillEntry& f) {
  Json range_json = range(f.dest_offset, f.dest_offset + f.dest_length);
  if (f.source == FillEntry::Source::BootInfo)
    return Json{{"range", range_json},
                {"content", {{"BootInfo", {{"id", bootinfo_id(f.bootinfo_id)}, {"offset", f.segment_offset}}}}}};
  Json data;
  if (f.source == FillEntry::Source::Bytes) {
    data = Json{{"BytesContent", {{"bytes", f.bytes}}}};
  } else {
    data = Json{{"ElfContent",
                 {{"elf_id", f.elf_id},
                  {"elf_seg_idx", f.segment},
                  {"elf_seg_data_range", range(f.segment_offset, f.segment_offset + f.dest_length)}}}};
  }
  return Json{{"range", range_json}, {"content", {{"Data", data}}}};
}

Json tcb_extra(const TcbInfo& t) {
  return Json{{"ipc_buffer_addr", t.ipc_buffer_addr},
              {"affinity", t.affinity},
              {"prio", t.prio},
              {"max_prio", t.max_prio},
              {"fpu_disabled", t.fpu_disabled},
              {"resume", t.resume},
              {"domain", t.domain ? Json(*t.domain) : Json(nullptr)},
              {"ip", t.ip},
              {"sp", t.sp},
              {"gprs", Json::array()},
              {"master_fault_ep", nullptr}};
}

Json object(const Object& o) {
  switch (o.kind) {
    case ObjectKind::Endpoint: return "Endpoint";
    case ObjectKind::Notification: return "Notification";
    case ObjectKind::Reply: return "Reply";
    case ObjectKind::ArmSmc: return "ArmSmc";
    case ObjectKind::VCpu: return "VCpu";
    case ObjectKind::Untyped:
      return Json{{"Untyped", {{"size_bits", o.size_bits}, {"paddr", optional_word(o.paddr)}}}};
    case ObjectKind::CNode:
      return Json{{"CNode", {{"size_bits", o.size_bits}, {"slots", slots(o.slots)}}}};
    case ObjectKind::Tcb:
      return Json{{"Tcb", {{"slots", slots(o.slots)}, {"extra", tcb_extra(o.tcb)}}}};
    case ObjectKind::ArmIrq:
      return Json{{"ArmIrq",
                   {{"slots", slots(o.slots)},
                    {"extra", {{"trigger", o.irq_trigger}, {"target", o.irq_target}}}}}};
    case ObjectKind::IrqIOApic:
      return Json{{"IrqIOApic",
                   {{"slots", slots(o.slots)},
                    {"extra",
                     {{"ioapic", o.ioapic}, {"pin", o.ioapic_pin}, {"level", o.ioapic_level},
                      {"polarity", o.ioapic_polarity}}}}}};
    case ObjectKind::IrqMsi:
      return Json{{"IrqMsi",
                   {{"slots", slots(o.slots)},
                    {"extra",
                     {{"handle", o.msi_handle}, {"pci_bus", o.pci_bus}, {"pci_dev", o.pci_dev},
                      {"pci_func", o.pci_func}}}}}};
    case ObjectKind::IOPorts:
      return Json{{"IOPorts", {{"start_port", o.first_port}, {"end_port", o.last_port}}}};
    case ObjectKind::IOSpace:
      return Json{{"IOSpace",
                   {{"slots", slots(o.slots)},
                    {"domain_id", o.domain_id},
                    {"pci_device", {{"bus", o.pci_bus}, {"device", o.pci_dev}, {"function", o.pci_func}}}}}};
    case ObjectKind::IOPageTable:
      return Json{{"IOPageTable", {{"slots", slots(o.slots)}, {"level", o.level}}}};
    case ObjectKind::RiscvIrq:
      return Json{{"RiscvIrq", {{"slots", slots(o.slots)}, {"extra", {{"trigger", o.irq_trigger}}}}}};
    case ObjectKind::Frame: {
      Json entries = Json::array();
      for (const FillEntry& f : o.fill) entries.push_back(fill_entry(f));
      return Json{{"Frame",
                   {{"size_bits", o.size_bits},
                    {"paddr", optional_word(o.paddr)},
                    {"init", {{"entries", entries}}}}}};
    }
    case ObjectKind::PageTable:
      return Json{{"PageTable",
                   {{"x86_ept", false},
                    {"is_root", o.is_root},
                    {"level", o.level},
                    {"slots", slots(o.slots)}}}};
    case ObjectKind::SchedContext:
      return Json{{"SchedContext",
                   {{"size_bits", o.size_bits},
                    {"extra", {{"period", o.sc_period}, {"budget", o.sc_budget}, {"badge", o.sc_badge}}}}}};
  }
  return nullptr;
}

}  // namespace

std::string to_json(const Spec& spec) {
  Json objects = Json::array();
  for (const Object& o : spec.objects) objects.push_back(Json{{"name", o.name}, {"object", object(o)}});
  Json irqs = Json::array();
  for (const IrqEntry& i : spec.irqs) irqs.push_back(Json{{"irq", i.irq}, {"handler", i.handler}});
  Json covers = Json::array();
  for (const UntypedCover& c : spec.untyped_covers)
    covers.push_back(Json{{"parent", c.parent}, {"children", range(c.begin, c.end)}});
  Json root{{"objects", objects},
            {"irqs", irqs},
            {"domain_schedule", domain_schedule(spec)},
            {"domain_set_start", optional_word(spec.domain_set_start)},
            {"domain_idx_shift", optional_word(spec.domain_idx_shift)},
            {"asid_slots", Json::array()},
            {"root_objects", range(0, spec.root_objects_end)},
            {"untyped_covers", covers},
            {"cached_orig_cap_slots", nullptr},
            {"log_level", nullptr}};
  // Names are ASCII (identifier()); replace keeps dump() from throwing whatever comes.
  return root.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace microkit::capdl
