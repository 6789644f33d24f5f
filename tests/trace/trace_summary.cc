// trace_summary: a Chrome trace JSON (tool/trace/chrome_trace.h) as text a
// test can compare, without timestamps:
//
//   [pd] init()                 a slice, indented by its depth
//   [pd]   ! notify(1)          an instant inside it
//   flow ppc: client ppcall(1) -> server protected(2)
//
// Tracks in thread_sort_index order, each event in time order; flows in the
// order of their start, each naming the slices its two ends bind to (the
// start to the slice around it; the end to the slice around it with
// bp "e", else to the next slice that begins on its track), as a viewer
// draws them. A flow end that binds to nothing prints "?": the arrow would
// be lost. Exit 2 on unreadable input.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using Json = nlohmann::json;

namespace {

struct Slice {
  std::string name;
  double begin = 0, end = 1e300;
  int depth = 0;
};

struct Track {
  std::string name;
  int sort = 0;
  std::vector<Slice> slices;
  std::vector<std::pair<double, std::string>> lines;  // (ts, text)
};

// The innermost slice around ts, or nullptr.
const Slice* around(const Track& t, double ts) {
  const Slice* best = nullptr;
  for (const Slice& s : t.slices)
    if (s.begin <= ts && ts <= s.end && (!best || s.depth > best->depth)) best = &s;
  return best;
}

const Slice* next_from(const Track& t, double ts) {
  const Slice* best = nullptr;
  for (const Slice& s : t.slices)
    if (s.begin >= ts && (!best || s.begin < best->begin)) best = &s;
  return best;
}

std::string where(const std::map<int, Track>& tracks, int tid, const Slice* s) {
  auto it = tracks.find(tid);
  std::string pd = it == tracks.end() ? "?" : it->second.name;
  return pd + " " + (s ? s->name : "?");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trace_summary TRACE.json\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  Json doc = Json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("traceEvents")) {
    std::fprintf(stderr, "trace_summary: %s is not a trace JSON\n", argv[1]);
    return 2;
  }
  std::map<int, Track> tracks;
  std::map<int, std::vector<size_t>> open;  // tid -> indices of open slices
  struct FlowEnd { int tid; double ts; bool enclosing; std::string cat; };
  std::map<uint64_t, FlowEnd> starts, ends;
  for (const Json& e : doc["traceEvents"]) {
    std::string ph = e["ph"];
    int tid = e.value("tid", 0);
    Track& t = tracks[tid];
    if (ph == "M") {
      if (e["name"] == "thread_name") t.name = e["args"]["name"];
      if (e["name"] == "thread_sort_index") t.sort = e["args"]["sort_index"];
      continue;
    }
    double ts = e["ts"];
    int depth = static_cast<int>(open[tid].size());
    if (ph == "B") {
      t.slices.push_back({e["name"], ts, 1e300, depth});
      open[tid].push_back(t.slices.size() - 1);
      t.lines.push_back({ts, std::string(2 * depth, ' ') + e["name"].get<std::string>()});
    } else if (ph == "E" && !open[tid].empty()) {
      Slice& s = t.slices[open[tid].back()];
      s.end = ts;
      std::string why = e.contains("args") ? e["args"].value("ended", "") : "";
      if (!why.empty()) t.lines.push_back({ts, std::string(2 * (depth - 1), ' ') + "(" + s.name + " " + why + ")"});
      open[tid].pop_back();
    } else if (ph == "i") {
      t.lines.push_back({ts, std::string(2 * depth, ' ') + "! " + e["name"].get<std::string>()});
    } else if (ph == "s" || ph == "f") {
      (ph == "s" ? starts : ends)[e["id"]] = {tid, ts, e.value("bp", "") == "e", e["cat"]};
    }
  }
  std::vector<Track*> order;
  for (auto& [tid, t] : tracks)
    if (!t.name.empty()) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](Track* a, Track* b) { return a->sort < b->sort; });
  for (Track* t : order) {
    std::stable_sort(t->lines.begin(), t->lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [ts, text] : t->lines) std::cout << "[" << t->name << "] " << text << "\n";
  }
  std::vector<std::pair<double, std::string>> flows;
  for (const auto& [id, s] : starts) {
    auto f = ends.find(id);
    std::string from = where(tracks, s.tid, around(tracks[s.tid], s.ts));
    std::string to = "?";
    if (f != ends.end()) {
      const Track& t = tracks[f->second.tid];
      to = where(tracks, f->second.tid, f->second.enclosing ? around(t, f->second.ts) : next_from(t, f->second.ts));
    }
    flows.push_back({s.ts, "flow " + s.cat + ": " + from + " -> " + to});
  }
  std::stable_sort(flows.begin(), flows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [ts, text] : flows) std::cout << text << "\n";
  return 0;
}
