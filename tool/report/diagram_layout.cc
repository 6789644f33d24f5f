// diagram_layout: see diagram_layout.h.
#include "report/diagram_layout.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace microkit::report::diagram {

namespace {

constexpr int kPad = 8;          // inside a box
constexpr int kHeaderH = 52;     // name line and two lines of scheduling facts
constexpr int kTagH = 16, kTagGap = 4;
constexpr int kVmH = 34;
constexpr int kChildCols = 3;    // children per row inside a parent
constexpr int kMargin = 20;
constexpr size_t kCompactFromPds = 16;
constexpr int kMaxGridWidth = 1200;

struct Sizing {
  bool compact = false;
  int leaf_w = 220;
  size_t max_tags = 8;
};

std::string rights_text(const plan::Mapping& m) {
  std::string r = std::string(m.read ? "r" : "") + (m.write ? "w" : "") + (m.execute ? "x" : "");
  return r.empty() ? "-" : r;
}

std::vector<Tag> tags_of(const plan::Plan& plan, const plan::Pd& pd, const Sizing& s) {
  std::vector<Tag> all;
  for (size_t id = 0; id < pd.channels.size(); ++id)
    if (pd.channels[id].kind == plan::ChannelSlot::Kind::Irq)
      all.push_back({Tag::Kind::Irq, "IRQ " + std::to_string(pd.channels[id].irq) + " \u2192 " + std::to_string(id), id, {}});
  for (size_t k = 0; k < pd.mappings.size(); ++k)
    all.push_back({Tag::Kind::Map, plan.mrs[pd.mappings[k].mr].name + " " + rights_text(pd.mappings[k]), k, {}});
  if (all.size() <= s.max_tags) return all;
  size_t hidden = all.size() - (s.max_tags - 1);
  all.resize(s.max_tags - 1);
  all.push_back({Tag::Kind::More, "+" + std::to_string(hidden) + " more", 0, {}});
  return all;
}

// Flows tags left to right in rows of `inner_w`; positions relative to the
// box's tag area. Returns the area's height.
int flow_tags(std::vector<Tag>& tags, int inner_w) {
  int x = 0, y = 0;
  for (Tag& t : tags) {
    int w = std::min(text_width(t.text, kTagFontPx) + 8, inner_w);
    if (x > 0 && x + w > inner_w) x = 0, y += kTagH + kTagGap;
    t.box = {x, y, w, kTagH};
    x += w + kTagGap;
  }
  return tags.empty() ? 0 : y + kTagH + kTagGap;
}

struct Builder {
  const plan::Plan& plan;
  const sdf::SystemDescription& sd;
  Sizing s;
  Layout out;

  // Rows of children: sizes known; returns {width, height} of the area.
  std::pair<int, int> children_area(const std::vector<size_t>& kids) const {
    int width = 0, height = 0;
    for (size_t r = 0; r < kids.size(); r += kChildCols) {
      int row_w = 0, row_h = 0;
      for (size_t k = r; k < kids.size() && k < r + kChildCols; ++k) {
        row_w += out.pds[kids[k]].box.w + (k > r ? kPad : 0);
        row_h = std::max(row_h, out.pds[kids[k]].box.h);
      }
      width = std::max(width, row_w);
      height += row_h + kPad;
    }
    return {width, height};
  }

  void size(size_t i) {
    const plan::Pd& pd = plan.pds[i];
    for (size_t c : pd.children) size(c);
    auto [kids_w, kids_h] = children_area(pd.children);
    PdBox& b = out.pds[i];
    b.header_h = kHeaderH;
    int w = std::max({s.leaf_w, kids_w + 2 * kPad, text_width(pd.name, kFontPx + 1) + 2 * kPad + 40});
    b.tags = tags_of(plan, pd, s);
    int tags_h = flow_tags(b.tags, w - 2 * kPad);
    bool vm = i < sd.pds.size() && sd.pds[i].vm;
    if (vm) b.vm = Box{kPad, kHeaderH + tags_h, w - 2 * kPad, kVmH};
    b.box = {0, 0, w, kHeaderH + tags_h + (vm ? kVmH + kPad : 0) + kids_h + (kids_h ? 0 : 4)};
  }

  // Moves PD i (sized, at 0,0) to x,y with everything inside it.
  void place(size_t i, int x, int y) {
    PdBox& b = out.pds[i];
    b.box.x = x, b.box.y = y;
    for (Tag& t : b.tags) t.box.x += x + kPad, t.box.y += y + kHeaderH;
    if (b.vm) b.vm->x += x, b.vm->y += y;
    int top = y + b.box.h;
    const auto& kids = plan.pds[i].children;
    auto [kids_w, kids_h] = children_area(kids);
    top -= kids_h + (kids_h ? 0 : 4);
    for (size_t r = 0; r < kids.size(); r += kChildCols) {
      int cx = x + kPad, row_h = 0;
      for (size_t k = r; k < kids.size() && k < r + kChildCols; ++k) {
        place(kids[k], cx, top);
        cx += out.pds[kids[k]].box.w + kPad;
        row_h = std::max(row_h, out.pds[kids[k]].box.h);
      }
      top += row_h + kPad;
    }
  }
};

// Top-level PDs in a grid, columns as wide as their widest box.
void grid(Builder& b, const std::vector<size_t>& tops, bool edges) {
  size_t n = tops.size();
  if (n == 0) return;
  int gap = edges ? 80 : 24, widest = 0;
  for (size_t i : tops) widest = std::max(widest, b.out.pds[i].box.w);
  // Near square, and no wider than a laptop screen beside the details panel.
  size_t by_width = size_t(std::max(1, (kMaxGridWidth + gap) / (widest + gap)));
  size_t cols = std::min({n <= 3 ? n : size_t(std::ceil(std::sqrt(double(n) * 1.5))), by_width, n});
  std::vector<int> col_w(cols, 0), row_h((n + cols - 1) / cols, 0);
  for (size_t k = 0; k < n; ++k) {
    col_w[k % cols] = std::max(col_w[k % cols], b.out.pds[tops[k]].box.w);
    row_h[k / cols] = std::max(row_h[k / cols], b.out.pds[tops[k]].box.h);
  }
  int y = kMargin;
  for (size_t r = 0; r < row_h.size(); ++r) {
    int x = kMargin;
    for (size_t c = 0; c < cols && r * cols + c < n; ++c) {
      b.place(tops[r * cols + c], x, y);
      x += col_w[c] + gap;
    }
    b.out.width = std::max(b.out.width, x - gap + kMargin);
    y += row_h[r] + gap;
  }
  b.out.height = y - gap + kMargin;
}

size_t top_of(const plan::Plan& plan, size_t i) {
  while (plan.pds[i].parent) i = *plan.pds[i].parent;
  return i;
}

// Top-level PDs breadth first along the links between them (a child's links
// count for its top-level ancestor), most linked first; unlinked ones keep
// their SDF order at the end of each component.
std::vector<size_t> linked_order(const plan::Plan& plan, const std::vector<size_t>& tops,
                                 const std::vector<std::pair<size_t, size_t>>& links) {
  std::map<size_t, std::map<size_t, int>> weight;
  for (auto [a, b] : links) {
    size_t ta = top_of(plan, a), tb = top_of(plan, b);
    if (ta != tb) ++weight[ta][tb], ++weight[tb][ta];
  }
  auto degree = [&](size_t t) {
    int d = 0;
    for (auto& [_, w] : weight[t]) d += w;
    return d;
  };
  std::vector<size_t> seeds = tops;
  std::stable_sort(seeds.begin(), seeds.end(), [&](size_t x, size_t y) { return degree(x) > degree(y); });
  std::vector<size_t> order;
  std::set<size_t> seen;
  for (size_t seed : seeds) {
    if (!seen.insert(seed).second) continue;
    size_t k = order.size();
    order.push_back(seed);
    for (; k < order.size(); ++k) {
      std::vector<std::pair<int, size_t>> next;  // heaviest link first
      for (auto& [t, w] : weight[order[k]])
        if (!seen.count(t)) next.push_back({-w, t});
      std::sort(next.begin(), next.end());
      for (auto& [_, t] : next)
        if (seen.insert(t).second) order.push_back(t);
    }
  }
  return order;
}

}  // namespace

int text_width(std::string_view text, int font_px) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xc0) != 0x80;  // UTF-8 code points
  return int(std::lround(double(chars) * font_px * 0.56));
}

Layout layout_pds(const plan::Plan& plan, const sdf::SystemDescription& sd,
                  const std::vector<std::pair<size_t, size_t>>& links) {
  Sizing s;
  if (plan.pds.size() >= kCompactFromPds) s = {true, 196, 3};
  Builder b{plan, sd, s, {}};
  b.out.compact = s.compact;
  b.out.pds.resize(plan.pds.size());
  std::vector<size_t> tops;
  for (size_t i = 0; i < plan.pds.size(); ++i)
    if (!plan.pds[i].parent) tops.push_back(i);
  for (size_t i : tops) b.size(i);
  if (!links.empty()) tops = linked_order(plan, tops, links);
  grid(b, tops, !links.empty());
  return b.out;
}

}  // namespace microkit::report::diagram
