// chrome_trace (see chrome_trace.h).
#include "trace/chrome_trace.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "support/text.h"
#include "runtime/shared/trace_format.h"

namespace microkit::trace {
namespace {

using Json = nlohmann::json;

std::optional<size_t> pd_named(const plan::Plan& plan, std::string_view name) {
  for (size_t i = 0; i < plan.pds.size(); ++i)
    if (plan.pds[i].name == name) return i;
  return std::nullopt;
}

bool to_u64(const std::string& word, uint64_t& out) {
  if (word.empty() || word.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoull(word.c_str(), nullptr, 10);
  return true;
}

// One marked line's words after the marker: <pd> clock N | lost N | e K I A T.
bool take_line(const std::vector<std::string>& w, size_t pd, Dump& dump) {
  uint64_t n[4] = {};
  if (w.size() == 3 && (w[1] == "clock" || w[1] == "lost") && to_u64(w[2], n[0])) {
    (w[1] == "clock" ? dump.ticks_per_second[pd] : dump.lost[pd]) += n[0];
    return true;
  }
  if (w.size() != 6 || w[1] != "e") return false;
  for (int i = 0; i < 4; ++i)
    if (!to_u64(w[2 + i], n[i])) return false;
  if (n[0] == 0 || n[0] > kMaxKind) return false;
  dump.events.push_back({pd, static_cast<uint8_t>(n[0]), static_cast<uint32_t>(n[1]), n[2], n[3]});
  return true;
}

// A PD whose ring says its clock rate is 0 (an x86-64 CPU that reports no
// TSC rate in CPUID, as QEMU's TCG models): its ticks are shown as ns.
void warn_unknown_clocks(const Dump& dump, const plan::Plan& plan, const std::string& file,
                         Diagnostics& diags) {
  std::vector<bool> has_events(plan.pds.size(), false);
  for (const auto& e : dump.events) has_events[e.pd] = true;
  std::string names;
  for (size_t pd = 0; pd < plan.pds.size(); ++pd)
    if (has_events[pd] && dump.ticks_per_second[pd] == 0) names += (names.empty() ? "'" : ", '") + plan.pds[pd].name + "'";
  if (names.empty()) return;
  diags.warning("trace-clock-unknown", file, {},
                "the clock rate of " + names + " is unknown (on x86-64: the CPU reports no TSC rate in CPUID), so "
                "their timestamps are shown as if one tick were one nanosecond",
                "compare durations with each other only; on a CPU that reports its TSC rate (CPUID leaf 0x15 or 0x16) the timeline is in real time");
}

}  // namespace

Dump parse_dump(std::string_view text, const plan::Plan& plan, const std::string& file,
                Diagnostics& diags) {
  Dump dump;
  dump.ticks_per_second.assign(plan.pds.size(), 0);
  dump.lost.assign(plan.pds.size(), 0);
  std::set<std::string> unknown;
  std::string_view marker = kLinePrefix;
  for (size_t at = 0, line = 1; at < text.size(); ++line) {
    size_t end = std::min(text.find('\n', at), text.size());
    std::string_view l = text.substr(at, end - at);
    at = end + 1;
    size_t m = l.find(marker);
    if (m == std::string_view::npos) continue;
    auto w = words_of(l.substr(m + marker.size()));
    auto pd = w.empty() ? std::nullopt : pd_named(plan, w[0]);
    if (!w.empty() && !pd && unknown.insert(w[0]).second)
      diags.warning("trace-unknown-pd", file, Loc{static_cast<uint32_t>(line), 1},
                    "trace lines of '" + w[0] + "', which is no protection domain of the system, are skipped",
                    "give the system description the dump was made with");
    if (pd && !take_line(w, *pd, dump)) ++dump.bad_lines;
  }
  warn_unknown_clocks(dump, plan, file, diags);
  return dump;
}

namespace {

// Builds the JSON events while walking the dump in time order.
class Builder {
 public:
  Builder(const Dump& d, const plan::Plan& p) : dump_(d), plan_(p), open_(p.pds.size()) {}

  Json run(const std::string& system) {
    add_metadata(system);
    for (size_t i : time_order()) take(dump_.events[i]);
    double last = dump_.events.empty() ? 0 : us(dump_.events[time_order().back()]);
    for (size_t pd = 0; pd < open_.size(); ++pd) close_all(pd, last, "unfinished");
    return Json{{"traceEvents", events_}, {"displayTimeUnit", "ns"}};
  }

 private:
  struct Pending {
    uint64_t flow;
    size_t from_pd;
    uint32_t from_ch;
  };
  using Key = std::pair<size_t, uint64_t>;  // (pd, channel or child id)

  std::vector<size_t> time_order() const {
    std::vector<size_t> order(dump_.events.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return dump_.events[a].time < dump_.events[b].time;
    });
    return order;
  }

  uint64_t t0() const {
    uint64_t t = UINT64_MAX;
    for (const Event& e : dump_.events) t = std::min(t, e.time);
    return t;
  }

  // Microseconds since the first event; ns resolution.
  double us(const Event& e) const {
    uint64_t tps = dump_.ticks_per_second[e.pd] ? dump_.ticks_per_second[e.pd] : 1000000000ull;
    double t = static_cast<double>(e.time - first_) * 1e6 / static_cast<double>(tps);
    return static_cast<double>(static_cast<int64_t>(t * 1000.0 + 0.5)) / 1000.0;
  }

  Json base(const char* ph, const std::string& name, size_t pd, double ts) {
    return Json{{"ph", ph}, {"name", name}, {"pid", 1}, {"tid", pd + 1}, {"ts", ts}};
  }

  void add_metadata(const std::string& system) {
    events_.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 1}, {"args", {{"name", system}}}});
    for (size_t i = 0; i < plan_.pds.size(); ++i) {
      events_.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", i + 1},
                         {"args", {{"name", plan_.pds[i].name}}}});
      events_.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", 1}, {"tid", i + 1},
                         {"args", {{"sort_index", i}}}});
    }
  }

  void begin(size_t pd, const std::string& name, double ts, Json args = Json::object()) {
    Json e = base("B", name, pd, ts);
    e["cat"] = "microkit";
    e["args"] = std::move(args);
    events_.push_back(std::move(e));
    open_[pd].push_back(name);
  }

  void end(size_t pd, double ts, Json args = Json::object()) {
    if (open_[pd].empty()) return;  // its begin was lost (ring overflow)
    Json e = base("E", open_[pd].back(), pd, ts);
    e["args"] = std::move(args);
    events_.push_back(std::move(e));
    open_[pd].pop_back();
  }

  void close_all(size_t pd, double ts, const char* why) {
    while (!open_[pd].empty()) end(pd, ts, {{"ended", why}});
  }

  void instant(size_t pd, const std::string& name, double ts, Json args = Json::object()) {
    Json e = base("i", name, pd, ts);
    e["s"] = "t";
    e["args"] = std::move(args);
    events_.push_back(std::move(e));
  }

  uint64_t flow_start(const char* cat, size_t pd, double ts) {
    Json e = base("s", cat, pd, ts);
    e["cat"] = cat;
    e["id"] = ++flows_;
    events_.push_back(std::move(e));
    return flows_;
  }

  // bp "e": bound to the slice around ts; otherwise to the next slice.
  void flow_end(const char* cat, uint64_t id, size_t pd, double ts, bool enclosing) {
    Json e = base("f", cat, pd, ts);
    e["cat"] = cat;
    e["id"] = id;
    if (enclosing) e["bp"] = "e";
    events_.push_back(std::move(e));
  }

  // The PD and id at the other end of `pd`'s channel `ch`, if it is one.
  std::optional<Key> peer(size_t pd, uint32_t ch) const {
    if (pd >= plan_.pds.size() || ch >= plan_.pds[pd].channels.size()) return std::nullopt;
    const plan::ChannelSlot& s = plan_.pds[pd].channels[ch];
    if (s.kind != plan::ChannelSlot::Kind::Channel) return std::nullopt;
    return Key{s.peer_pd, s.peer_id};
  }

  std::optional<size_t> child(size_t parent, uint32_t id) const {
    for (size_t c : plan_.pds[parent].children)
      if (plan_.pds[c].child_id == id) return c;
    return std::nullopt;
  }

  static std::string with_id(const char* what, uint32_t id) {
    return std::string(what) + "(" + std::to_string(id) + ")";
  }

  void take(const Event& e);
  void take_call(const Event& e, double ts);
  void take_fault(const Event& e, double ts);
  void take_child_op(const Event& e, double ts);

  const Dump& dump_;
  const plan::Plan& plan_;
  uint64_t first_ = t0();
  std::vector<std::vector<std::string>> open_;  // per PD: names of open slices
  Json events_ = Json::array();
  uint64_t flows_ = 0;
  std::map<Key, std::vector<uint64_t>> notifies_;   // (receiver, its id) -> flows
  std::map<Key, std::deque<Pending>> calls_;        // (callee, its id) -> calls
  std::map<size_t, std::vector<Pending>> serving_;  // callee -> calls being served
  std::map<Key, std::deque<uint64_t>> returns_;     // (caller, its id) -> return flows
  std::map<size_t, uint64_t> restarts_;             // child -> restart flow
};

void Builder::take(const Event& e) {
  using K = Kind;
  double ts = us(e);
  switch (static_cast<K>(e.kind)) {
    case K::InitBegin:
      close_all(e.pd, ts, "restarted");
      if (auto it = restarts_.find(e.pd); it != restarts_.end()) {
        flow_end("restart", it->second, e.pd, ts, false);
        restarts_.erase(it);
      }
      return begin(e.pd, "init()", ts, {{"life", e.arg}});
    case K::NotifiedBegin:
    case K::IrqBegin: {
      auto& waiting = notifies_[{e.pd, e.id}];
      for (uint64_t flow : waiting) flow_end("notification", flow, e.pd, ts, false);
      waiting.clear();
      return begin(e.pd, with_id(e.kind == uint8_t(K::IrqBegin) ? "irq" : "notified", e.id), ts);
    }
    case K::InitEnd:
    case K::NotifiedEnd:
    case K::IrqEnd:
      return end(e.pd, ts);
    case K::Notify:
    case K::DeferredNotify:
      instant(e.pd, with_id(e.kind == uint8_t(K::Notify) ? "notify" : "deferred_notify", e.id), ts);
      if (auto to = peer(e.pd, e.id)) notifies_[*to].push_back(flow_start("notification", e.pd, ts));
      return;
    case K::IrqAck:
    case K::DeferredIrqAck:
      return instant(e.pd, with_id(e.kind == uint8_t(K::IrqAck) ? "irq_ack" : "deferred_irq_ack", e.id), ts);
    case K::PpcCall:
    case K::PpcReturn:
    case K::ProtectedBegin:
    case K::ProtectedEnd:
      return take_call(e, ts);
    case K::FaultBegin:
    case K::FaultEnd:
      return take_fault(e, ts);
    case K::Restart:
    case K::Stop:
    case K::Resume:
      return take_child_op(e, ts);
  }
}

void Builder::take_call(const Event& e, double ts) {
  constexpr double kEpsilon = 0.001;  // 1 ns: inside the slice that ends at ts
  switch (static_cast<Kind>(e.kind)) {
    case Kind::PpcCall:
      begin(e.pd, with_id("ppcall", e.id), ts, {{"label", e.arg}});
      if (auto to = peer(e.pd, e.id)) calls_[*to].push_back({flow_start("ppc", e.pd, ts), e.pd, e.id});
      return;
    case Kind::ProtectedBegin: {
      auto& queue = calls_[{e.pd, e.id}];
      if (!queue.empty()) {
        flow_end("ppc", queue.front().flow, e.pd, ts, false);
        serving_[e.pd].push_back(queue.front());
        queue.pop_front();
      }
      return begin(e.pd, with_id("protected", e.id), ts, {{"label", e.arg}});
    }
    case Kind::ProtectedEnd:
      if (auto& s = serving_[e.pd]; !s.empty()) {
        returns_[{s.back().from_pd, s.back().from_ch}].push_back(flow_start("ppc-reply", e.pd, ts - kEpsilon));
        s.pop_back();
      }
      return end(e.pd, ts, {{"reply_label", e.arg}});
    case Kind::PpcReturn:
      if (auto& r = returns_[{e.pd, e.id}]; !r.empty()) {
        flow_end("ppc-reply", r.front(), e.pd, ts - kEpsilon, true);
        r.pop_front();
      }
      return end(e.pd, ts, {{"reply_label", e.arg}});
    default:
      return;
  }
}

// The parent's fault() begins: the child faulted inside whatever it had open.
void Builder::take_fault(const Event& e, double ts) {
  if (e.kind == uint8_t(Kind::FaultEnd)) return end(e.pd, ts, {{"resumed", e.arg != 0}});
  if (auto c = child(e.pd, e.id)) {
    uint64_t flow = flow_start("fault", *c, ts - 0.001);
    close_all(*c, ts, "faulted");
    instant(*c, "fault", ts, {{"label", e.arg}});
    flow_end("fault", flow, e.pd, ts, false);
  }
  begin(e.pd, with_id("fault", e.id), ts, {{"label", e.arg}});
}

void Builder::take_child_op(const Event& e, double ts) {
  const char* name = e.kind == uint8_t(Kind::Restart) ? "restart" : e.kind == uint8_t(Kind::Stop) ? "stop" : "resume";
  instant(e.pd, with_id(name, e.id), ts);
  auto c = child(e.pd, e.id);
  if (!c) return;
  if (e.kind != uint8_t(Kind::Resume)) close_all(*c, ts, name);
  if (e.kind == uint8_t(Kind::Restart)) restarts_[*c] = flow_start("restart", e.pd, ts);
}

}  // namespace

std::string chrome_json(const Dump& dump, const plan::Plan& plan, const std::string& system) {
  return Builder(dump, plan).run(system).dump(1) + "\n";
}

}  // namespace microkit::trace
