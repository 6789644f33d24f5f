// Domain-scheduler rules: domains, their ids, the schedule, PD membership.
#include <unordered_map>
#include <unordered_set>

#include "sdf/domain_schedule.h"
#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

void check_domain_ids(Context& cx, const Domains& domains) {
  // Unknown without a kernel package: only duplicates can be checked.
  const uint64_t max = cx.limits.max_domains.value_or(UINT64_MAX);
  if (domains.domains.size() > max) {
    cx.error("too-many-domains", domains.domains[max].loc,
             "the system declares " + std::to_string(domains.domains.size()) +
                 " domains; this configuration supports " + std::to_string(max),
             "merge domains so that at most " + std::to_string(max) + " remain");
  }
  std::unordered_map<uint64_t, Loc> ids;
  for (const Domain& d : domains.domains) {
    if (!d.id) continue;
    if (*d.id >= max) {
      cx.error("domain-id-too-high", d.at("id"),
               "domain id " + std::to_string(*d.id) + " is not below " + std::to_string(max),
               "use an id between 0 and " + std::to_string(max - 1) + ", or omit it");
      continue;
    }
    auto [it, inserted] = ids.emplace(*d.id, d.at("id"));
    if (inserted) continue;
    cx.error("duplicate-domain-id", d.at("id"),
             "domain id " + std::to_string(*d.id) + " is used by two domains",
             "give each domain its own id, or omit id to have one chosen");
    cx.note(it->second, "first used here");
  }
}

// The kernel's schedule array needs a slot for the end marker after the last
// entry, and the Microkit schedule starts index_shift slots into it.
void check_schedule_length(Context& cx, const DomainSchedule& s) {
  if (!cx.limits.max_domain_schedule) return;  // no kernel package: unknown
  const uint64_t max = *cx.limits.max_domain_schedule;
  uint64_t used = s.index_shift + s.entries.size() + 1;
  if (s.index_shift < max && used <= max) return;
  uint64_t room = max > s.index_shift + 1 ? max - s.index_shift - 1 : 0;
  Loc loc = room < s.entries.size() && !(room == 0 && s.has("index_shift")) ? s.entries[room].loc
                                                                         : s.at("index_shift");
  cx.error("schedule-too-long", loc,
           "the domain schedule needs " + std::to_string(used) +
               " slots (index_shift " + std::to_string(s.index_shift) + ", " +
               std::to_string(s.entries.size()) + (s.entries.size() == 1 ? " entry" : " entries") +
               " and the end marker); this configuration has " +
               std::to_string(max),
           "shorten the schedule or lower index_shift");
}

// The kernel counts in timer ticks: a duration that rounds to 0 ticks or
// does not fit in 56 bits would be refused at boot.
void check_duration_ticks(Context& cx, const ScheduleEntry& e) {
  bool ticks = e.unit == ScheduleEntry::Unit::Ticks;
  if (!ticks && !cx.limits.timer_frequency) return;
  auto n = schedule_ticks(e, cx.limits.timer_frequency.value_or(0));
  if (n && *n > 0) return;
  std::string hz = ticks ? "" : " at the kernel's timer frequency of " +
                                    std::to_string(*cx.limits.timer_frequency) + " Hz";
  if (!n)
    cx.error("schedule-duration-too-long", e.at("duration"),
             "the duration is more than the kernel's 56-bit tick count holds" + hz,
             "shorten the entry; repeat it in the schedule to run the domain longer");
  else
    cx.error("schedule-duration-too-short", e.at("duration"),
             "the duration is less than one timer tick" + hz,
             "give the entry at least " +
                 std::to_string(1000000 / *cx.limits.timer_frequency + 1) + " us, or a duration in ticks");
}

void check_schedule(Context& cx, const DomainSchedule& s,
                    const std::unordered_set<std::string_view>& names) {
  if (s.entries.empty()) {
    cx.error("empty-domain-schedule", s.loc, "the domain schedule has no entries",
             "add at least one <schedule_entry domain=\"...\" duration=\"...\"/>");
    return;
  }
  check_schedule_length(cx, s);
  for (const ScheduleEntry& e : s.entries) {
    if (e.kind != ScheduleEntry::Kind::Entry) continue;
    if (!names.count(e.domain)) {
      cx.error("unknown-domain", e.at("domain"), "no domain is named '" + e.domain + "'",
               "declare it with <domain name=\"" + e.domain + "\"/> or use a declared one");
    }
    if (e.duration == 0) {
      cx.error("schedule-duration-zero", e.at("duration"), "a schedule entry lasts 0",
               "give the entry a positive duration, e.g. \"1000 us\"");
      continue;
    }
    check_duration_ticks(cx, e);
  }
  if (s.start_index >= s.entries.size()) {
    cx.error("schedule-start-index-out-of-range", s.at("start_index"),
             "start_index " + std::to_string(s.start_index) + " is not below the number of entries (" +
                 std::to_string(s.entries.size()) + ")",
             "use a start_index between 0 and " + std::to_string(s.entries.size() - 1));
  } else if (s.entries[s.start_index].kind == ScheduleEntry::Kind::EndMarker) {
    cx.error("schedule-start-at-end-marker", s.at("start_index"),
             "start_index " + std::to_string(s.start_index) + " is a <schedule_end_marker>; the kernel "
             "cannot start a schedule there",
             "point start_index at a <schedule_entry>");
  }
}

// The initial task (the monitor: fault reports, passive PDs' "init done")
// stays in domain 0; a schedule without domain 0 never runs it again.
void warn_without_domain_zero(Context& cx, const Domains& domains) {
  std::vector<uint64_t> ids = domain_ids(domains);
  std::unordered_set<std::string_view> zero;
  for (size_t i = 0; i < domains.domains.size(); ++i)
    if (ids[i] == 0) zero.insert(domains.domains[i].name);
  for (const ScheduleEntry& e : domains.schedule->entries)
    if (e.kind == ScheduleEntry::Kind::Entry && zero.count(e.domain)) return;
  cx.warning("schedule-without-domain-zero", domains.schedule->loc,
             "the domain schedule never runs domain 0, where the initial task reports faults and "
             "hands passive PDs their scheduling contexts: from the switch on, faults of PDs "
             "without a parent go unreported and passive PDs never finish init()",
             "add a <schedule_entry> for the domain with id 0 (the official examples call it \"monitor\")");
}

void check_pd_membership(Context& cx, const std::unordered_set<std::string_view>& names,
                         bool has_schedule) {
  for (const auto& pd : cx.sd.pds) {
    if (!pd.domain) {
      if (has_schedule)
        cx.error("missing-pd-domain", pd.loc,
                 "protection domain '" + pd.name + "' has no domain, but the system has a domain schedule",
                 "add domain=\"...\" naming one of the declared domains");
      continue;
    }
    if (!names.count(*pd.domain)) {
      cx.error("unknown-domain", pd.at("domain"), "no domain is named '" + *pd.domain + "'",
               "name one of the domains declared in <domains>");
    }
  }
}

void report_domains_without_schedule(Context& cx) {
  for (const auto& pd : cx.sd.pds) {
    if (!pd.domain) continue;
    cx.error("pd-domain-without-schedule", pd.at("domain"),
             "protection domain '" + pd.name + "' names domain '" + *pd.domain +
                 "', but the system has no domain schedule",
             "remove domain=, or declare <domains> with a <domain_schedule>");
  }
}

}  // namespace

void check_domains(Context& cx) {
  if (!cx.sd.domains) {
    report_domains_without_schedule(cx);
    return;
  }
  const Domains& domains = *cx.sd.domains;
  if (cx.board.arch == board::Arch::Host)
    cx.warning("domains-not-scheduled-on-host", domains.loc,
               "the host platform does not run the domain scheduler: every protection domain runs "
               "whenever it is ready, as if all were in one domain",
               "test domain scheduling on seL4 (QEMU)");
  if (cx.config.smp || cx.config.cpus > 1) {
    cx.error("domains-on-smp", domains.loc,
             "the domain scheduler is not available in multi-core configuration '" +
                 cx.config.name + "'",
             "remove <domains> or build a single-core configuration");
    return;
  }
  check_domain_ids(cx, domains);
  std::unordered_set<std::string_view> names;
  for (const Domain& d : domains.domains) names.insert(d.name);
  if (!domains.schedule) {
    cx.error("missing-domain-schedule", domains.loc, "<domains> has no <domain_schedule>",
             "add a <domain_schedule> with at least one <schedule_entry>");
  } else {
    check_schedule(cx, *domains.schedule, names);
    warn_without_domain_zero(cx, domains);
  }
  check_pd_membership(cx, names, domains.schedule.has_value());
}

}  // namespace microkit::sdf::detail
