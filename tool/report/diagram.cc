// diagram: see diagram.h. The page's frame (style, script, sections) and the
// helpers every section uses; sections are in diagram_pds.cc and
// diagram_tables.cc.
#include "report/diagram.h"

#include <cstdio>

#include "report/diagram_page.h"
#include "support/text.h"

namespace microkit::report {
namespace diagram {

std::string esc(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c == '<' || c == '>' || c == '&' || c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += char(c);
  }
  return out + "\"";
}

std::string size_text(uint64_t bytes) {
  // In the largest unit it reaches: exact when whole, else to a tenth ("2.3 MiB").
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 3;
  while (u > 0 && bytes < (uint64_t{1} << (10 * u))) --u;
  uint64_t unit = uint64_t{1} << (10 * u);
  if (bytes % unit == 0) return std::to_string(bytes / unit) + " " + units[u];
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", double(bytes) / double(unit), units[u]);
  return buf;
}

Page::Page(const DiagramInput& input) : in(input) {
  for (size_t i = 0; i < in.plan->pds.size(); ++i) pd_index.emplace(in.plan->pds[i].name, i);
}

std::string Page::source_attrs(const std::vector<Loc>& locs, std::string_view info) {
  std::string numbers;
  for (const Loc& l : locs) {
    if (l.line == 0) continue;
    lines.insert(l.line);
    numbers += (numbers.empty() ? "" : " ") + std::to_string(l.line);
  }
  return " data-line=\"" + numbers + "\" data-info=\"" + esc(info) + "\"";
}

std::string Page::source_json() const {
  std::string out = "{";
  uint32_t line = 1;
  size_t start = 0;
  std::string_view text = in.sdf_text;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n') continue;
    if (lines.count(line)) {
      std::string_view s = text.substr(start, i - start);
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
      out += (out.size() > 1 ? "," : "") + json_string(std::to_string(line)) + ":" + json_string(s);
    }
    ++line, start = i + 1;
  }
  return out + "}";
}

std::vector<ChannelView> channel_views(const Page& page) {
  std::vector<ChannelView> out;
  const auto& pds = page.in.plan->pds;
  for (size_t k = 0; k < page.in.sd->channels.size(); ++k) {
    const sdf::Channel& ch = page.in.sd->channels[k];
    auto a = page.pd_index.find(ch.a.pd), b = page.pd_index.find(ch.b.pd);
    if (a == page.pd_index.end() || b == page.pd_index.end()) continue;
    ChannelView v{k, a->second, b->second, ch.a.id, ch.b.id};
    // What each end may do comes from the Plan's channel tables.
    if (ch.a.id < pds[v.pd_a].channels.size()) {
      const plan::ChannelSlot& s = pds[v.pd_a].channels[ch.a.id];
      v.a_notifies = s.can_notify, v.a_calls = s.can_ppcall;
    }
    if (ch.b.id < pds[v.pd_b].channels.size()) {
      const plan::ChannelSlot& s = pds[v.pd_b].channels[ch.b.id];
      v.b_notifies = s.can_notify, v.b_calls = s.can_ppcall;
    }
    out.push_back(v);
  }
  return out;
}

namespace {

std::string end_info(const Page& page, size_t from, uint64_t id, size_t to, bool notifies, bool calls) {
  const auto& pds = page.in.plan->pds;
  std::vector<std::string> can;
  if (notifies) can.push_back("notify");
  if (calls) can.push_back("ppcall");
  return pds[from].name + " (id " + std::to_string(id) + ") " +
         (can.empty() ? "cannot notify or call" : "may " + join(can, " and ")) + " " + pds[to].name;
}

}  // namespace

std::string channel_info(const Page& page, const ChannelView& c) {
  return "channel " + page.in.plan->pds[c.pd_a].name + " \u2194 " + page.in.plan->pds[c.pd_b].name + "\n" +
         end_info(page, c.pd_a, c.id_a, c.pd_b, c.a_notifies, c.a_calls) + "\n" +
         end_info(page, c.pd_b, c.id_b, c.pd_a, c.b_notifies, c.b_calls);
}

}  // namespace diagram

namespace {

constexpr const char* kStyle = R"CSS(
body { font: 13px/1.35 system-ui, "DejaVu Sans", sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
header { padding: 12px 20px; background: #1d2433; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header p { margin: 0; color: #c9d1e0; }
#layout { display: flex; align-items: flex-start; }
main { flex: 1; min-width: 0; padding: 8px 20px 40px 20px; }
section { margin: 14px 0 24px 0; }
h2 { font-size: 15px; margin: 0 0 6px 0; }
.note { color: #5a6473; margin: 2px 0 8px 0; }
.scroll { overflow: auto; max-width: 100%; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; }
aside { position: sticky; top: 0; width: 340px; flex: none; height: 100vh; overflow: auto; box-sizing: border-box;
        padding: 12px; background: #fff; border-left: 1px solid #dde1e7; }
aside pre { white-space: pre-wrap; word-break: break-word; font: 12px/1.4 "DejaVu Sans Mono", monospace; }
aside .src { background: #f1f3f6; padding: 6px; border-radius: 4px; }
#tip { position: fixed; pointer-events: none; background: #1d2433; color: #fff; padding: 6px 8px; border-radius: 4px;
       font: 12px/1.35 "DejaVu Sans Mono", monospace; white-space: pre; max-width: 720px; overflow: hidden; z-index: 10; }
#script-errors:empty { display: none; }
#script-errors { color: #b00020; }
#pds svg { max-width: 100%; height: auto; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
.pd-box { fill: #eef3fb; stroke: #5273a8; stroke-width: 1.4; }
.pd-box.depth-1 { fill: #f4f8ee; stroke: #6f8f3f; }
.pd-box.depth-2 { fill: #fbf4ec; stroke: #a8743f; }
.pd-box.passive { stroke-dasharray: 5 3; }
.pd-name { font-size: 13px; font-weight: 600; fill: #1d2433; }
.pd-facts { font-size: 11px; fill: #3d4657; }
.pd-id { font-size: 11px; fill: #6f8f3f; font-weight: 600; }
.tag rect { stroke: none; }
.tag text { font-size: 10px; fill: #1d2433; }
.tag.irq rect { fill: #ffe7a3; }
.tag.more rect { fill: #e4e7ec; }
.vm rect { fill: #fff; stroke: #8a5cc2; stroke-dasharray: 4 3; }
.vm text { font-size: 11px; fill: #5b3a8a; }
.edge line.wire { stroke-width: 1.6; }
.edge.notify line.wire { stroke: #3b6fc4; }
.edge.ppc line.wire { stroke: #d9822b; stroke-width: 2.2; }
.edge line.hit { stroke: transparent; stroke-width: 12; }
.edge.over { pointer-events: none; }
.edge text { font-size: 11px; font-weight: 600; fill: #1d2433; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.edge:hover line.wire, .selected line.wire { stroke-width: 3.5; }
.cell.call { fill: #d9822b; } .cell.notify { fill: #3b6fc4; } .cell.none { fill: #c4c9d2; }
.channel:hover .cell, .selected .cell { fill: #1d2433; }
.band { fill: #f3f5f8; }
.mlabel { font-size: 11px; fill: #1d2433; }
.phys.kind-kernel { fill: #596275; } .phys.kind-initial-task { fill: #8a5cc2; } .phys.kind-root-objects { fill: #b592dd; }
.phys.kind-pd-program { fill: #3b6fc4; } .phys.kind-pd-kernel-objects { fill: #8fb0e3; }
.phys.kind-memory-region { fill: #d9822b; } .phys.kind-other-objects { fill: #a3a9b4; } .phys.kind-free-untyped { fill: #cfe8c9; }
.phys.gap { fill: #fff; stroke: #dde1e7; }
.phys:hover, .phys.selected { stroke: #1d2433; stroke-width: 2; }
table { border-collapse: collapse; background: #fff; }
td, th { border: 1px solid #dde1e7; padding: 3px 8px; text-align: left; vertical-align: top; font-size: 12px; }
th { background: #eef0f4; }
td { white-space: nowrap; } td:last-child { white-space: normal; }
aside .src:empty { display: none; }
td.num { font-family: "DejaVu Sans Mono", monospace; }
tr[data-line]:hover, tr.selected { background: #fff6dd; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; border-radius: 2px; }
.selected > .pd-box { stroke-width: 3.5; }
)CSS";

// First in <head>: any script error from here on lands in #script-errors.
constexpr const char* kErrorCatcher = R"JS(
window.__diagramErrors = [];
function __diagramError(text) {
  window.__diagramErrors.push(text);
  var out = document.getElementById('script-errors');
  if (out) out.textContent = window.__diagramErrors.join('\n');
}
window.addEventListener('error', function (e) { __diagramError('error: ' + e.message + ' at line ' + e.lineno); });
window.addEventListener('unhandledrejection', function (e) { __diagramError('unhandled rejection: ' + e.reason); });
)JS";

constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  var source = JSON.parse(document.getElementById('sdf-source').textContent);
  var file = document.body.getAttribute('data-file');
  var tip = document.getElementById('tip');
  var what = document.getElementById('info-what'), src = document.getElementById('info-src');
  function sourceOf(el) {
    return el.getAttribute('data-line').split(' ').filter(Boolean).map(function (n) {
      return file + ':' + n + ':  ' + (source[n] || '');
    }).join('\n');
  }
  function target(e) { return e.target.closest ? e.target.closest('[data-line]') : null; }
  document.addEventListener('mouseover', function (e) {
    var el = target(e);
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('data-info').split('\n')[0] + '\n' + sourceOf(el);
    tip.hidden = false;
  });
  document.addEventListener('mousemove', function (e) {
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 360) + 'px';
    tip.style.top = (e.clientY + 16) + 'px';
  });
  var selected = null;
  document.addEventListener('click', function (e) {
    var el = target(e);
    if (!el) return;
    if (selected) selected.classList.remove('selected');
    selected = el;
    el.classList.add('selected');
    what.textContent = el.getAttribute('data-info');
    src.textContent = sourceOf(el);
  });
  // Mark what the browser really rendered, for the headless test.
  function drawn(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;  // a level line has no height
  }
  var marked = 0;
  document.querySelectorAll('[data-pd],[data-channel]').forEach(function (el) {
    el.setAttribute('data-drawn', drawn(el) ? 'yes' : 'no');
    marked++;
  });
  // Top-level PD boxes must not overlap one another.
  var boxes = Array.prototype.slice.call(document.querySelectorAll('g.pd[data-top="yes"] > rect.pd-box'));
  var overlaps = 0;
  for (var i = 0; i < boxes.length; i++)
    for (var j = i + 1; j < boxes.length; j++) {
      var a = boxes[i].getBoundingClientRect(), b = boxes[j].getBoundingClientRect();
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps++;
    }
  var status = document.getElementById('diagram-status');
  status.setAttribute('data-marked', String(marked));
  status.setAttribute('data-overlaps', String(overlaps));
  status.textContent = 'ready';
  // page.html#selftest: hover and click one element of each kind, as a user
  // would, and check the SDF line shows (tests/diagram/).
  if (location.hash === '#selftest') {
    var fails = [], tried = 0;
    ['g.pd', 'g.channel', 'g.tag', 'g.vm', 'rect.phys', 'tr.mr'].forEach(function (sel) {
      var el = Array.prototype.find.call(document.querySelectorAll(sel), function (x) {
        return x.getAttribute('data-line');
      });
      if (!el) return;
      tried++;
      var n = el.getAttribute('data-line').split(' ')[0];
      var want = file + ':' + n + ':  ' + source[n];
      el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
      if (tip.hidden || tip.textContent.indexOf(want) < 0) fails.push('hover ' + sel);
      el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
      if (src.textContent.indexOf(want) !== 0 || !el.classList.contains('selected')) fails.push('click ' + sel);
    });
    status.setAttribute('data-selftest', fails.length ? 'fail: ' + fails.join(', ') : 'pass ' + tried);
  }
})();
)JS";

std::string header(const diagram::Page& page, size_t channels) {
  const plan::Plan& plan = *page.in.plan;
  return "<header><h1>" + diagram::esc(page.in.sd->file) + "</h1><p>board " + diagram::esc(plan.board) +
         ", config " + diagram::esc(plan.config) + " \u00b7 " + count_of(plan.pds.size(), "protection domain") +
         ", " + count_of(channels, "channel") + ", " + count_of(plan.mrs.size(), "memory region") +
         " \u00b7 hover an element for its SDF line; click it to keep the details on the right</p></header>\n";
}

std::string aside() {
  return "<aside><h2>Details</h2><p class=\"note\">Click an element of the drawing.</p>"
         "<pre id=\"info-what\"></pre><pre id=\"info-src\" class=\"src\"></pre>"
         "<pre id=\"script-errors\"></pre><p id=\"diagram-status\" class=\"note\">loading</p></aside>\n";
}

}  // namespace

std::string diagram_html(const DiagramInput& in) {
  // 1. sections (they collect the SDF lines they point at); 2. the frame
  // around them with the source lines, style and script.
  diagram::Page page(in);
  auto channels = diagram::channel_views(page);
  bool edges = draw_channel_lines(channels.size(), in.plan->pds.size());
  std::vector<std::pair<size_t, size_t>> links;  // for the layout: PDs joined by a line
  for (const auto& c : channels)
    if (edges) links.push_back({c.pd_a, c.pd_b});
  diagram::Layout layout = diagram::layout_pds(*in.plan, *in.sd, links);
  std::string body = diagram::pd_section(page, layout, channels, edges);
  if (!channels.empty()) body += diagram::matrix_section(page, channels);
  body += diagram::mr_section(page);
  body += diagram::physical_section(page);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                    diagram::esc(in.sd->file) + " \u2014 system diagram</title>\n<style>" + kStyle +
                    "</style>\n<script>" + kErrorCatcher + "</script>\n</head>\n";
  out += "<body data-file=\"" + diagram::esc(in.sd->file) + "\">\n" + header(page, channels.size());
  out += "<div id=\"layout\"><main>\n" + body + "</main>\n" + aside() + "</div>\n<div id=\"tip\" hidden></div>\n";
  out += "<script type=\"application/json\" id=\"sdf-source\">" + page.source_json() + "</script>\n";
  out += std::string("<script>") + kScript + "</script>\n</body></html>\n";
  return out;
}

}  // namespace microkit::report
