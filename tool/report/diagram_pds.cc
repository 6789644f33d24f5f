// diagram_pds: the PD view of the diagram: boxes, tags, virtual machines and
// channel lines (report/diagram.h).
#include <algorithm>
#include <cmath>
#include <set>

#include "report/diagram_page.h"
#include "support/text.h"

namespace microkit::report::diagram {

namespace {

std::string num(double v) { return std::to_string(std::lround(v)); }

std::string rect(const Box& b, const std::string& cls, int rx) {
  return "<rect class=\"" + cls + "\" x=\"" + num(b.x) + "\" y=\"" + num(b.y) + "\" width=\"" + num(b.w) +
         "\" height=\"" + num(b.h) + "\" rx=\"" + std::to_string(rx) + "\"/>";
}

std::string text(double x, double y, const std::string& cls, std::string_view body, const char* anchor = "start") {
  return "<text class=\"" + cls + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" +
         esc(body) + "</text>";
}

// `s` cut to fit `width` pixels, with an ellipsis when cut.
std::string fit(std::string s, int width, int font_px) {
  if (text_width(s, font_px) <= width) return s;
  while (!s.empty() && text_width(s, font_px) > width - font_px) s.pop_back();
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80) s.pop_back();  // whole code points
  if (!s.empty()) s.pop_back();
  return s + "\u2026";
}

int depth(const plan::Plan& plan, size_t i) {
  int d = 0;
  for (auto p = plan.pds[i].parent; p; p = plan.pds[*p].parent) ++d;
  return d;
}

std::string rights(bool r, bool w, bool x) {
  std::string s = std::string(r ? "r" : "") + (w ? "w" : "") + (x ? "x" : "");
  return s.empty() ? "none" : s;
}

std::string scheduling_line(const plan::Pd& pd) {
  std::string s = "priority " + std::to_string(pd.priority) + " \u00b7 core " + std::to_string(pd.cpu);
  return pd.passive ? s + " \u00b7 passive" : s;
}

std::string budget_line(const plan::Pd& pd) {
  return "budget " + std::to_string(pd.budget_us) + " \u00b7 period " + std::to_string(pd.period_us) + " \u00b5s";
}

std::string pd_info(const Page& page, size_t i) {
  const plan::Plan& plan = *page.in.plan;
  const plan::Pd& pd = plan.pds[i];
  std::string s = "protection domain " + pd.name + "\n" + scheduling_line(pd) + "\n" + budget_line(pd);
  if (pd.parent)
    s += "\nchild of " + plan.pds[*pd.parent].name + ", id " + std::to_string(pd.child_id.value_or(0));
  if (!pd.program_path.empty()) s += "\nprogram " + pd.program_path;
  for (const plan::Mapping& m : pd.mappings)
    s += "\nmaps " + plan.mrs[m.mr].name + " " + rights(m.read, m.write, m.execute) + " at " + hex(m.vaddr) +
         (m.cached ? "" : " uncached");
  for (size_t id = 0; id < pd.channels.size(); ++id)
    if (pd.channels[id].kind == plan::ChannelSlot::Kind::Irq)
      s += "\nIRQ " + std::to_string(pd.channels[id].irq) + " at channel id " + std::to_string(id);
  return s;
}

const sdf::Map* sdf_map(const sdf::ProtectionDomain& pd, const std::string& mr, uint64_t vaddr) {
  for (const sdf::Map& m : pd.maps)
    if (m.mr == mr && m.vaddr == vaddr) return &m;
  return nullptr;
}

const sdf::Irq* sdf_irq(const sdf::ProtectionDomain& pd, uint64_t id) {
  for (const sdf::Irq& q : pd.irqs)
    if (q.id == id) return &q;
  return nullptr;
}

std::string tag_svg(Page& page, size_t i, const Tag& t) {
  const plan::Pd& pd = page.in.plan->pds[i];
  const sdf::ProtectionDomain& spd = page.in.sd->pds[i];
  std::string cls = t.kind == Tag::Kind::Irq ? "irq" : t.kind == Tag::Kind::Map ? "map" : "more";
  std::string attrs;
  std::string fill;
  if (t.kind == Tag::Kind::Irq) {
    const sdf::Irq* q = sdf_irq(spd, t.index);
    attrs = page.source_attrs({q ? q->loc : spd.loc}, "IRQ " + std::to_string(pd.channels[t.index].irq) + " of " +
                                                      pd.name + ", channel id " + std::to_string(t.index));
  } else if (t.kind == Tag::Kind::Map) {
    const plan::Mapping& m = pd.mappings[t.index];
    const std::string& mr = page.in.plan->mrs[m.mr].name;
    const sdf::Map* sm = sdf_map(spd, mr, m.vaddr);
    attrs = page.source_attrs({sm ? sm->loc : spd.loc}, pd.name + " maps " + mr + " " +
                                                        rights(m.read, m.write, m.execute) + " at " + hex(m.vaddr));
    attrs += " data-mr=\"" + esc(mr) + "\"";
    // One hue per MR, so that a region shared by several PDs shows as one colour.
    fill = " style=\"fill:hsl(" + std::to_string(m.mr * 47 % 360) + ",60%,84%)\"";
  } else {
    attrs = page.source_attrs({spd.loc}, pd_info(page, i));
  }
  std::string r = rect(t.box, "", 3);
  r.insert(r.size() - 2, fill);
  return "<g class=\"tag " + cls + "\"" + attrs + ">" + r +
         text(t.box.x + 4, t.box.y + 11.5, "", fit(t.text, t.box.w - 6, kTagFontPx)) + "</g>\n";
}

std::string vm_svg(Page& page, size_t i, const Box& b) {
  const sdf::VirtualMachine& vm = *page.in.sd->pds[i].vm;
  std::string facts = "VM " + vm.name + " \u00b7 " + count_of(vm.vcpus.size(), "vCPU");
  std::string more = "priority " + std::to_string(vm.priority) + " \u00b7 " + count_of(vm.maps.size(), "mapping");
  std::string info = "virtual machine " + vm.name + " of " + page.in.plan->pds[i].name + "\n" +
                     count_of(vm.vcpus.size(), "vCPU") + ", priority " + std::to_string(vm.priority) + ", budget " +
                     std::to_string(vm.budget) + " / period " + std::to_string(vm.period.value_or(vm.budget)) + " \u00b5s";
  for (const sdf::Map& m : vm.maps) info += "\nguest memory " + m.mr + " at " + hex(m.vaddr);
  std::vector<Loc> locs{vm.loc};
  for (const sdf::Vcpu& v : vm.vcpus) locs.push_back(v.loc);
  return "<g class=\"vm\" data-vm=\"" + esc(vm.name) + "\"" + page.source_attrs(locs, info) + ">" + rect(b, "", 4) +
         text(b.x + 6, b.y + 14, "", fit(facts, b.w - 10, 11)) +
         text(b.x + 6, b.y + 28, "", fit(more, b.w - 10, 11)) +
         "</g>\n";
}

std::string pd_svg(Page& page, const Layout& layout, size_t i) {
  const plan::Plan& plan = *page.in.plan;
  const plan::Pd& pd = plan.pds[i];
  const PdBox& b = layout.pds[i];
  const Box& x = b.box;
  int d = depth(plan, i);
  std::string cls = "pd-box depth-" + std::to_string(std::min(d, 2)) + (pd.passive ? " passive" : "");
  std::string out = "<g class=\"pd\" data-pd=\"" + esc(pd.name) + "\" data-top=\"" + (pd.parent ? "no" : "yes") + "\"" +
                    page.source_attrs({page.in.sd->pds[i].loc}, pd_info(page, i)) + ">" + rect(x, cls, 6);
  int id_w = pd.child_id ? 36 : 0;
  out += text(x.x + 8, x.y + 17, "pd-name", fit(pd.name, x.w - 16 - id_w, 13));
  if (pd.child_id) out += text(x.x + x.w - 8, x.y + 17, "pd-id", "id " + std::to_string(*pd.child_id), "end");
  out += text(x.x + 8, x.y + 32, "pd-facts", fit(scheduling_line(pd), x.w - 16, 11));
  out += text(x.x + 8, x.y + 46, "pd-facts", fit(budget_line(pd), x.w - 16, 11)) + "</g>\n";
  for (const Tag& t : b.tags) out += tag_svg(page, i, t);
  if (b.vm) out += vm_svg(page, i, *b.vm);
  return out;
}

struct Point {
  double x = 0, y = 0;
};

// Where the ray from the centre of `b` towards `to` leaves the box.
Point exit_point(const Box& b, Point to) {
  double cx = b.x + b.w / 2.0, cy = b.y + b.h / 2.0, dx = to.x - cx, dy = to.y - cy;
  double tx = dx == 0 ? 1e18 : (b.w / 2.0) / std::abs(dx), ty = dy == 0 ? 1e18 : (b.h / 2.0) / std::abs(dy);
  double t = std::min({tx, ty, 1.0});
  return {cx + dx * t, cy + dy * t};
}

// The two ends of a channel's line: box to box, or, for a PD nested in the
// other, from the inner box's top up to the outer one's header.
std::pair<Point, Point> ends(const PdBox& a, const PdBox& b, double offset) {
  // Nested: near the inner box's right edge, where its parent's tags (which
  // flow from the left) seldom reach.
  auto up = [&](const Box& inner) { return double(inner.x + inner.w) - 24 + offset; };
  if (a.box.contains(b.box)) return {{up(b.box), double(a.box.y + a.header_h)}, {up(b.box), double(b.box.y)}};
  if (b.box.contains(a.box)) return {{up(a.box), double(a.box.y)}, {up(a.box), double(b.box.y + b.header_h)}};
  Point ca{double(a.box.cx()), double(a.box.cy())}, cb{double(b.box.cx()), double(b.box.cy())};
  double len = std::hypot(cb.x - ca.x, cb.y - ca.y);
  double nx = len ? -(cb.y - ca.y) / len * offset : 0, ny = len ? (cb.x - ca.x) / len * offset : 0;
  ca.x += nx, ca.y += ny, cb.x += nx, cb.y += ny;
  return {exit_point(a.box, cb), exit_point(b.box, ca)};
}

// The arrowhead at the end of PD `to`: filled when the other end may call it.
std::string marker(bool calls, bool notifies) {
  return calls ? "url(#ppc-head)" : notifies ? "url(#notify-head)" : "none";
}

// A channel's drawing: `under` the boxes (its line, hover target), and
// `over` them (each end's id, and the line again where it runs inside a
// nested PD's top-level box, clipped to that box, so that a child's lines
// do not seem to start at its parent).
struct EdgeSvg {
  std::string under, over;
};

size_t top_of(const plan::Plan& plan, size_t i) {
  while (plan.pds[i].parent) i = *plan.pds[i].parent;
  return i;
}

EdgeSvg edge_svg(Page& page, const Layout& layout, const ChannelView& c, double offset) {
  auto [p, q] = ends(layout.pds[c.pd_a], layout.pds[c.pd_b], offset);
  double len = std::max(1.0, std::hypot(q.x - p.x, q.y - p.y));
  double ux = (q.x - p.x) / len, uy = (q.y - p.y) / len, back = std::min(18.0, len / 3);
  const sdf::Channel& ch = page.in.sd->channels[c.index];
  std::string kind = c.a_calls || c.b_calls ? "ppc" : "notify";
  std::string line = " x1=\"" + num(p.x) + "\" y1=\"" + num(p.y) + "\" x2=\"" + num(q.x) + "\" y2=\"" + num(q.y) +
                     "\" marker-start=\"" + marker(c.b_calls, c.b_notifies) + "\" marker-end=\"" +
                     marker(c.a_calls, c.a_notifies) + "\"";
  EdgeSvg e;
  e.under = "<g class=\"channel edge " + kind + "\" data-channel=\"" + std::to_string(c.index) + "\"" +
            page.source_attrs({ch.loc, ch.a.loc, ch.b.loc}, channel_info(page, c)) + "><line class=\"wire\"" + line +
            "/><line class=\"hit\"" + line + "/></g>\n";
  e.over = "<g class=\"edge " + kind + " over\" data-of=\"" + std::to_string(c.index) + "\">";
  const plan::Plan& plan = *page.in.plan;
  std::set<size_t> tops;
  for (size_t pd : {c.pd_a, c.pd_b})
    if (plan.pds[pd].parent) tops.insert(top_of(plan, pd));
  for (size_t t : tops) e.over += "<line class=\"wire\"" + line + " clip-path=\"url(#box-" + std::to_string(t) + ")\"/>";
  e.over += text(p.x + ux * back - uy * 8, p.y + uy * back + ux * 8 + 4, "", std::to_string(c.id_a), "middle");
  double side = len < 40 ? -1 : 1;  // a short line: the two ids on opposite sides, not on top of each other
  e.over += text(q.x - ux * back - side * uy * 8, q.y - uy * back + side * ux * 8 + 4, "", std::to_string(c.id_b), "middle");
  e.over += "</g>\n";
  return e;
}

// One clip path per top-level box, for the parts of lines drawn over it.
std::string box_clips(const Page& page, const Layout& layout) {
  std::string out = "<defs>";
  for (size_t i = 0; i < layout.pds.size(); ++i)
    if (!page.in.plan->pds[i].parent) out += "<clipPath id=\"box-" + std::to_string(i) + "\">" + rect(layout.pds[i].box, "", 6) + "</clipPath>";
  return out + "</defs>\n";
}

constexpr const char* kMarkers =
    "<defs><marker id=\"notify-head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"9\" "
    "markerHeight=\"9\" orient=\"auto-start-reverse\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,5 L0,10\" "
    "fill=\"none\" stroke=\"#3b6fc4\" stroke-width=\"1.8\"/></marker><marker id=\"ppc-head\" viewBox=\"0 0 10 10\" "
    "refX=\"9\" refY=\"5\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto-start-reverse\" "
    "markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d9822b\"/></marker></defs>\n";

std::string legend(bool edges, size_t channels) {
  std::string s = "<p class=\"note legend\"><span>box: a protection domain (children inside their parent; dashed: "
                  "passive)</span><span><i style=\"background:#ffe7a3\"></i>IRQ \u2192 channel id</span>"
                  "<span><i style=\"background:hsl(47,60%,84%)\"></i>mapped memory region and rights (one colour per region)</span>";
  if (edges && channels)
    s += "<span><b style=\"color:#3b6fc4\">\u2192</b> may notify</span><span><b style=\"color:#d9822b\">\u25b6</b> "
         "may ppcall (protected procedure call)</span><span>numbers: each end's channel id</span>";
  if (!edges)
    s += "<br>" + std::to_string(channels) + " channels are too many to draw as lines here; the channel matrix "
         "below shows every one of them.";
  return s + "</p>\n";
}

}  // namespace

std::string pd_section(Page& page, const Layout& layout, const std::vector<ChannelView>& channels, bool edges) {
  std::string out = "<section id=\"pds\"><h2>Protection domains and channels</h2>\n" + legend(edges, channels.size());
  out += "<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(layout.width) +
         "\" height=\"" + std::to_string(layout.height) + "\" viewBox=\"0 0 " + std::to_string(layout.width) + " " +
         std::to_string(layout.height) + "\">\n" + kMarkers;
  // Lines first: a line that passes a box goes behind it and leaves its text
  // readable; the ids (and lines inside a parent's box) go on top.
  std::string over;
  if (edges) {
    out += box_clips(page, layout);
    std::map<std::pair<size_t, size_t>, int> between;  // lines already drawn between two PDs
    for (const ChannelView& c : channels) {
      int k = between[{std::min(c.pd_a, c.pd_b), std::max(c.pd_a, c.pd_b)}]++;
      double offset = (k % 2 ? -1 : 1) * ((k + 1) / 2) * 10.0;
      EdgeSvg e = edge_svg(page, layout, c, c.pd_a < c.pd_b ? offset : -offset);
      out += e.under;
      over += e.over;
    }
  }
  for (size_t i = 0; i < page.in.plan->pds.size(); ++i) out += pd_svg(page, layout, i);
  out += over;
  return out + "</svg></div></section>\n";
}

}  // namespace microkit::report::diagram
