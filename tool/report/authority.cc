// The authority report (see authority.h).
#include "report/authority.h"

#include <algorithm>
#include <optional>

#include "board/json_text.h"
#include "support/text.h"

namespace microkit::report {
namespace {

void add(PdAuthority& a, const std::string& pd, std::string what) {
  auto& list = a.pds[pd];
  if (std::find(list.begin(), list.end(), what) == list.end()) list.push_back(std::move(what));
}

std::string slot_range(const plan::ExtraCap& e) {
  if (e.count <= 1) return "cspace " + std::to_string(e.slot);
  return "cspace " + std::to_string(e.slot) + ".." + std::to_string(e.slot + e.count - 1);
}

void from_mappings(const plan::Plan& plan, const std::vector<plan::Mapping>& mappings, PdAuthority& a) {
  for (const plan::Mapping& m : mappings) {
    MrAccess& acc = a.mrs[plan.mrs[m.mr].name];
    acc.read |= m.read;
    acc.write |= m.write;
    acc.execute |= m.execute;
    acc.via.push_back("mapped at " + hex(m.vaddr));
  }
}

void from_channels(const plan::Plan& plan, const plan::Pd& pd, PdAuthority& a) {
  for (uint64_t ch = 0; ch < pd.channels.size(); ++ch) {
    const plan::ChannelSlot& s = pd.channels[ch];
    if (s.kind == plan::ChannelSlot::Kind::Irq) a.irqs.push_back(s.irq);
    if (s.kind != plan::ChannelSlot::Kind::Channel) continue;
    const std::string& peer = plan.pds[s.peer_pd].name;
    if (s.can_notify) add(a, peer, "signal (channel " + std::to_string(ch) + ")");
    if (s.can_ppcall) add(a, peer, "call (channel " + std::to_string(ch) + ")");
  }
}

void from_children(const plan::Plan& plan, const plan::Pd& pd, PdAuthority& a) {
  for (size_t child : pd.children) {
    add(a, plan.pds[child].name, "tcb (its parent)");
    add(a, plan.pds[child].name, "receives its faults");
    if (plan.pds[child].late_load_mr) add(a, plan.pds[child].name, "loads its program (late_load)");
  }
  if (!pd.vm) return;
  add(a, pd.vm->name, "its vCPUs' threads and VCPUs (its VMM)");
  add(a, pd.vm->name, "receives its faults");
}

// A PD's virtual machine reaches the MRs its guest maps.
std::optional<PdAuthority> vm_authority(const plan::Plan& plan, const plan::Pd& pd) {
  if (!pd.vm) return std::nullopt;
  PdAuthority a;
  a.name = pd.vm->name;  // VM and PD names share one namespace
  from_mappings(plan, pd.vm->mappings, a);
  return a;
}

std::string ipc_rights(const plan::ExtraCap& e, const char* send, const char* receive) {
  std::string out;
  if (e.write) out += send;
  if (e.read) out += std::string(out.empty() ? "" : ", ") + receive;
  if (e.grant) out += std::string(out.empty() ? "" : ", ") + "grant";
  return out;
}

void from_grant(const plan::Plan& plan, const plan::ExtraCap& e, PdAuthority& a) {
  using K = plan::ExtraCap::Kind;
  std::string at = " (" + slot_range(e) + ")";
  const std::string& pd = plan.pds[e.source_pd].name;
  switch (e.kind) {
    case K::Tcb: add(a, pd, "tcb" + at); break;
    case K::Sc: add(a, pd, "sc" + at); break;
    case K::VSpace: add(a, pd, "vspace" + at); break;
    case K::CNode: add(a, pd, "cnode" + at); break;
    case K::Notification: add(a, pd, "notification: " + ipc_rights(e, "signal", "wait") + at); break;
    case K::Endpoint: add(a, pd, "endpoint: " + ipc_rights(e, "send/call", "receive") + at); break;
    case K::MrFrames: {
      MrAccess& acc = a.mrs[plan.mrs[e.source_mr].name];
      acc.read |= e.read;
      acc.write |= e.write;
      acc.via.push_back("frame caps in " + slot_range(e));
      break;
    }
    case K::Untyped:
      a.untyped_bytes += e.count << e.size_bits;
      a.untyped_objects += e.count;
      break;
    case K::EmptyCNode: a.empty_cnode_slots.push_back(uint64_t{1} << e.cnode_slot_bits); break;
    case K::SchedControl: a.sched_control_cpus.push_back(e.cpu); break;
    case K::Irq:
      add(a, pd, "irq " + std::to_string(plan.pds[e.source_pd].channels[e.irq_channel].irq) +
                     " handler: ack, set notification" + at);
      break;
    case K::IoPort:
      if (const plan::IoPortRange* io = plan.pds[e.source_pd].ioport(e.ioport_id))
        add(a, pd, "ioport " + std::to_string(io->id) + ": in/out on ports " + hex(io->addr) + ".." +
                       hex(io->addr + io->size - 1) + at);
      break;
  }
}

std::string flags(const MrAccess& m) {
  return std::string(m.read ? "r" : "-") + (m.write ? "w" : "-") + (m.execute ? "x" : "-");
}

void join_into(std::string& out, const std::vector<std::string>& items) {
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
}

}  // namespace

std::vector<PdAuthority> authority(const plan::Plan& plan) {
  std::vector<PdAuthority> out;
  for (const plan::Pd& pd : plan.pds) {
    PdAuthority a;
    a.name = pd.name;
    from_mappings(plan, pd.mappings, a);
    from_channels(plan, pd, a);
    from_children(plan, pd, a);
    for (const plan::ExtraCap& e : pd.extra_caps) from_grant(plan, e, a);
    a.free_slots = pd.free_slots;
    out.push_back(std::move(a));
    if (auto vm = vm_authority(plan, pd)) out.push_back(std::move(*vm));
  }
  return out;
}

std::string authority_text(const std::vector<PdAuthority>& pds) {
  std::string out = "\nAuthority (what each PD can reach; docs/cspace.md):\n";
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by_mr;
  for (const PdAuthority& a : pds) {
    out += "  " + a.name + ":\n";
    for (const auto& [mr, m] : a.mrs) {
      out += "    memory region " + mr + ": " + flags(m) + " (";
      join_into(out, m.via);
      out += ")\n";
      if (m.read) by_mr[mr].first.push_back(a.name);
      if (m.write) by_mr[mr].second.push_back(a.name);
    }
    for (const auto& [pd, what] : a.pds) {
      out += "    protection domain " + pd + ": ";
      join_into(out, what);
      out += "\n";
    }
    for (uint64_t irq : a.irqs) out += "    irq " + std::to_string(irq) + "\n";
    if (a.untyped_objects)
      out += "    untyped memory: " + std::to_string(a.untyped_bytes) + " bytes in " +
             std::to_string(a.untyped_objects) + " untypeds (any kernel object it can retype)\n";
    for (uint64_t s : a.empty_cnode_slots) out += "    an empty cnode of " + std::to_string(s) + " slots\n";
    for (uint64_t cpu : a.sched_control_cpus)
      out += "    sched control of cpu " + std::to_string(cpu) + " (budgets of any scheduling context)\n";
    if (a.free_slots) out += "    " + std::to_string(a.free_slots) + " free slots promised\n";
  }
  out += "  memory regions (read by / written by):\n";
  for (const auto& [mr, who] : by_mr) {
    out += "    " + mr + ": read by ";
    join_into(out, who.first);
    out += who.second.empty() ? "; written by none" : "; written by ";
    join_into(out, who.second);
    out += "\n";
  }
  return out;
}

std::string authority_json(const std::vector<PdAuthority>& pds) {
  using json_text::Json;
  Json list = Json::array();
  std::map<std::string, std::pair<Json, Json>> by_mr;
  for (const PdAuthority& a : pds) {
    Json mrs = Json::array(), reach = Json::array();
    for (const auto& [mr, m] : a.mrs) {
      mrs.push_back({{"memory_region", mr}, {"read", m.read}, {"write", m.write},
                     {"execute", m.execute}, {"via", m.via}});
      auto& entry = by_mr[mr];
      if (entry.first.is_null()) entry = {Json::array(), Json::array()};
      if (m.read) entry.first.push_back(a.name);
      if (m.write) entry.second.push_back(a.name);
    }
    for (const auto& [pd, what] : a.pds) reach.push_back({{"protection_domain", pd}, {"can", what}});
    list.push_back({{"name", a.name},
                    {"memory_regions", mrs},
                    {"protection_domains", reach},
                    {"irqs", a.irqs},
                    {"untyped", {{"bytes", a.untyped_bytes}, {"objects", a.untyped_objects}}},
                    {"empty_cnode_slots", a.empty_cnode_slots},
                    {"sched_control_cpus", a.sched_control_cpus},
                    {"free_slots", a.free_slots}});
  }
  Json mrs = Json::array();
  for (const auto& [mr, who] : by_mr)
    mrs.push_back({{"name", mr}, {"read_by", who.first}, {"written_by", who.second}});
  Json doc = {{"protection_domains", list}, {"memory_regions", mrs}};
  return doc.dump(2) + "\n";
}

}  // namespace microkit::report
