// Name rules: presence, uniqueness, length, reserved names, PD count.
#include <algorithm>
#include <unordered_map>

#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

struct Named {
  std::string_view name;
  Loc loc;           // the `name` attribute
  const char* what;  // "protection domain", "virtual machine", ...
};

// Reports every name that was already used earlier in the file. Sorting by
// location first makes "earlier" mean what the reader sees, whatever order
// the parser flattened the elements in.
void report_duplicates(Context& cx, std::vector<Named> items, const char* id,
                       const char* namespace_hint) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Named& a, const Named& b) { return before(a.loc, b.loc); });
  std::unordered_map<std::string_view, const Named*> first;
  first.reserve(items.size());
  for (const Named& item : items) {
    if (item.name.empty()) continue;  // reported as empty-name
    auto [it, inserted] = first.emplace(item.name, &item);
    if (inserted) continue;
    cx.error(id, item.loc,
             std::string(item.what) + " name '" + std::string(item.name) + "' is already used",
             std::string("give each ") + namespace_hint + " a distinct name");
    cx.note(it->second->loc, std::string("first used by ") + it->second->what + " '" +
                                 std::string(item.name) + "' here");
  }
}

void check_name_text(Context& cx, const Named& item, bool runtime_visible) {
  if (item.name.empty()) {
    cx.error("empty-name", item.loc, std::string(item.what) + " has an empty name",
             "write a non-empty name");
    return;
  }
  if (runtime_visible && item.name.size() > kMaxNameLength) {
    cx.error("name-too-long", item.loc,
             std::string(item.what) + " name '" + std::string(item.name) + "' is " +
                 std::to_string(item.name.size()) + " bytes long; at most " +
                 std::to_string(kMaxNameLength) + " fit in the runtime's name buffer",
             "shorten the name");
  }
  if (runtime_visible && item.name == "monitor") {
    cx.error("reserved-pd-name", item.loc,
             "the name 'monitor' is reserved for the system fault handler",
             "choose another name");
  }
}

std::vector<Named> pd_and_vm_names(const SystemDescription& sd) {
  std::vector<Named> out;
  out.reserve(sd.pds.size());
  for (const auto& pd : sd.pds) {
    out.push_back({pd.name, pd.at("name"), "protection domain"});
    if (pd.vm) out.push_back({pd.vm->name, pd.vm->at("name"), "virtual machine"});
  }
  return out;
}

void check_pd_count(Context& cx) {
  const auto& pds = cx.sd.pds;
  if (pds.empty()) {
    cx.error("no-protection-domains", cx.sd.loc, "the system has no protection domain",
             "add at least one <protection_domain>");
    return;
  }
  // Virtual machines do not count: they have no PD slot in the monitor.
  if (pds.size() > cx.limits.max_pds) {
    cx.error("too-many-pds", pds[cx.limits.max_pds].loc,
             "the system has " + std::to_string(pds.size()) +
                 " protection domains (children included); this target allows at most " +
                 std::to_string(cx.limits.max_pds),
             "merge or remove protection domains");
  }
}

}  // namespace

void check_names(Context& cx) {
  const auto& sd = cx.sd;
  check_pd_count(cx);

  std::vector<Named> pds = pd_and_vm_names(sd);
  for (const Named& n : pds) check_name_text(cx, n, true);
  report_duplicates(cx, std::move(pds), "duplicate-pd-name", "protection domain and virtual machine");

  std::vector<Named> mrs;
  mrs.reserve(sd.mrs.size());
  for (const auto& mr : sd.mrs) mrs.push_back({mr.name, mr.at("name"), "memory region"});
  for (const Named& n : mrs) check_name_text(cx, n, false);
  report_duplicates(cx, std::move(mrs), "duplicate-mr-name", "memory region");

  std::vector<Named> spaces;
  for (const auto& s : sd.io_address_spaces) spaces.push_back({s.name, s.at("name"), "IO address space"});
  for (const Named& n : spaces) check_name_text(cx, n, false);
  report_duplicates(cx, std::move(spaces), "duplicate-io-address-space-name", "IO address space");

  if (!sd.domains) return;
  std::vector<Named> domains;
  for (const auto& d : sd.domains->domains) domains.push_back({d.name, d.at("name"), "domain"});
  for (const Named& n : domains) check_name_text(cx, n, false);
  report_duplicates(cx, std::move(domains), "duplicate-domain-name", "domain");
}

}  // namespace microkit::sdf::detail
