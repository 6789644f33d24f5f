// diagram_tables: the channel matrix, the memory-region table and the
// physical-memory view of the diagram (report/diagram.h).
#include <algorithm>
#include <cmath>

#include "report/diagram_page.h"
#include "support/text.h"

namespace microkit::report::diagram {

namespace {

std::string attr_num(const char* name, double v) {
  return std::string(" ") + name + "=\"" + std::to_string(std::lround(v)) + "\"";
}

// What the row PD may do to the column PD, as a cell's class.
const char* cell_class(bool calls, bool notifies) { return calls ? "cell call" : notifies ? "cell notify" : "cell none"; }

std::string cell(size_t row, size_t col, int x0, int y0, int size, const char* cls) {
  return std::string("<rect class=\"") + cls + "\"" + attr_num("x", x0 + double(col) * size + 1) +
         attr_num("y", y0 + double(row) * size + 1) + attr_num("width", size - 2) + attr_num("height", size - 2) +
         " rx=\"2\"/>";
}

std::string matrix_labels(const plan::Plan& plan, int x0, int y0, int size) {
  std::string out;
  size_t n = plan.pds.size();
  for (size_t r = 0; r < n; ++r) {
    if (r % 2 == 0)
      out += "<rect class=\"band\"" + attr_num("x", 0) + attr_num("y", y0 + double(r) * size) +
             attr_num("width", x0 + double(n) * size) + attr_num("height", size) + "/>";
    out += "<text class=\"mlabel\" text-anchor=\"end\"" + attr_num("x", x0 - 6) +
           attr_num("y", y0 + double(r) * size + size * 0.72) + ">" + esc(plan.pds[r].name) + "</text>";
    double cx = x0 + double(r) * size + size * 0.7;
    out += "<text class=\"mlabel\" transform=\"rotate(-60 " + std::to_string(std::lround(cx)) + " " +
           std::to_string(y0 - 6) + ")\"" + attr_num("x", cx) + attr_num("y", y0 - 6) + ">" + esc(plan.pds[r].name) +
           "</text>";
  }
  return out;
}

std::string mr_mappers(const Page& page, size_t m) {
  const plan::Plan& plan = *page.in.plan;
  std::vector<std::string> who;
  for (const plan::Pd& pd : plan.pds)
    for (const plan::Mapping& map : pd.mappings)
      if (map.mr == m)
        who.push_back(pd.name + " " + std::string(map.read ? "r" : "") + (map.write ? "w" : "") +
                      (map.execute ? "x" : "") + " @ " + hex(map.vaddr) + (map.cached ? "" : " uncached"));
  return who.empty() ? "(not mapped)" : join(who, "; ");
}

// Where MR `m` starts: fixed in the SDF, else where the plan put it (seL4),
// else nowhere (the host board).
std::string phys_text(const Page& page, size_t m) {
  const plan::Mr& mr = page.in.plan->mrs[m];
  if (mr.phys_addr) return hex(*mr.phys_addr) + " (fixed)";
  if (!page.in.physical) return "none (host)";
  std::optional<uint64_t> lowest;
  for (const PhysicalBank& bank : page.in.physical->banks)
    for (const PhysicalRegion& r : bank.regions)
      if (r.mr == m && (!lowest || r.start < *lowest)) lowest = r.start;
  return lowest ? hex(*lowest) + " (allocated)" : "allocated";
}

std::string kind_class(PhysicalRegion::Kind kind) {
  std::string s = physical_kind_name(kind);
  for (char& c : s)
    if (c == ' ') c = '-';
    else c = char(std::tolower(static_cast<unsigned char>(c)));
  return "phys kind-" + s;
}

std::string range_text(uint64_t start, uint64_t end) {
  return hex(start) + "\u2013" + hex(end) + " (" + size_text(end - start) + ")";
}

Loc region_loc(const Page& page, const PhysicalRegion& r) {
  if (r.mr && *r.mr < page.in.sd->mrs.size()) return page.in.sd->mrs[*r.mr].loc;
  if (r.pd && *r.pd < page.in.sd->pds.size()) return page.in.sd->pds[*r.pd].loc;
  return {};
}

// Log-scaled widths, so that a 4 KiB frame and a 1 GiB untyped both show.
double weight(uint64_t bytes) { return std::max(1.0, std::log2(double(std::max<uint64_t>(bytes, 1))) - 10.0); }

// Bytes to scale: where the big pieces are.
double linear(uint64_t bytes) { return double(bytes); }

std::string bank_bar(Page& page, const PhysicalBank& bank, double (*weight)(uint64_t), double height) {
  constexpr double kWidth = 1100;
  struct Piece {
    uint64_t start, end;
    const PhysicalRegion* r;
  };
  std::vector<Piece> pieces;
  uint64_t at = bank.start;
  for (const PhysicalRegion& r : bank.regions) {
    if (r.start > at) pieces.push_back({at, r.start, nullptr});
    pieces.push_back({r.start, r.end, &r});
    at = std::max(at, r.end);
  }
  if (at < bank.end) pieces.push_back({at, bank.end, nullptr});
  double total = 0;
  for (const Piece& p : pieces) total += weight(p.end - p.start);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(int(kWidth)) +
                    "\" height=\"" + std::to_string(int(height)) + "\">";
  double x = 0;
  for (const Piece& p : pieces) {
    double w = weight(p.end - p.start) / total * kWidth;
    std::string geom = attr_num("x", x) + " y=\"0\" width=\"" + std::to_string(std::max(w, 0.5)) + "\"" +
                       attr_num("height", height);
    if (p.r)
      out += "<rect class=\"" + kind_class(p.r->kind) + "\"" + geom +
             page.source_attrs({region_loc(page, *p.r)}, p.r->label + "\n" + range_text(p.start, p.end)) + "/>";
    else
      out += "<rect class=\"phys gap\"" + geom + page.source_attrs({}, "not used by the system\n" + range_text(p.start, p.end)) + "/>";
    x += w;
  }
  return out + "</svg>\n";
}

std::string bank_table(Page& page, const PhysicalBank& bank) {
  std::string rows;
  for (const PhysicalRegion& r : bank.regions)
    rows += "<tr class=\"" + kind_class(r.kind) + "\"" + page.source_attrs({region_loc(page, r)}, r.label + "\n" +
            range_text(r.start, r.end)) + "><td class=\"num\">" + hex(r.start) + "</td><td class=\"num\">" +
            hex(r.end) + "</td><td>" + size_text(r.end - r.start) + "</td><td>" + esc(physical_kind_name(r.kind)) +
            "</td><td>" + esc(r.label) + "</td></tr>\n";
  return "<details" + std::string(bank.regions.size() <= 40 ? " open" : "") + "><summary>" +
         count_of(bank.regions.size(), "region") + "</summary><table><tr><th>start</th><th>end</th><th>size</th>"
         "<th>kind</th><th>what</th></tr>\n" + rows + "</table></details>\n";
}

std::string physical_legend() {
  std::string s = "<p class=\"note legend\">";
  for (auto k : {PhysicalRegion::Kind::Kernel, PhysicalRegion::Kind::InitialTask, PhysicalRegion::Kind::RootObjects,
                 PhysicalRegion::Kind::PdImage, PhysicalRegion::Kind::PdObjects, PhysicalRegion::Kind::MrFrames,
                 PhysicalRegion::Kind::SystemObjects, PhysicalRegion::Kind::Free})
    s += "<span><svg width=\"12\" height=\"12\"><rect class=\"" + kind_class(k) +
         "\" width=\"12\" height=\"12\"/></svg> " + esc(physical_kind_name(k)) + "</span>";
  return s + "<br>Each bank twice: to scale (thin), then with widths growing with the logarithm of the size, so "
             "that a 4 KiB frame shows beside a 1 GiB untyped.</p>\n";
}

}  // namespace

std::string matrix_section(Page& page, const std::vector<ChannelView>& channels) {
  const plan::Plan& plan = *page.in.plan;
  size_t n = plan.pds.size();
  int size = n > 24 ? 14 : 20, label = 0;
  for (const plan::Pd& pd : plan.pds) label = std::max(label, text_width(pd.name, 11));
  int x0 = label + 16, y0 = int(label * 0.87) + 24;
  int width = x0 + int(n) * size + 40, height = y0 + int(n) * size + 10;
  std::string out = "<section id=\"matrix\"><h2>Channel matrix</h2><p class=\"note legend\">Row PD to column PD: "
                    "<span><i style=\"background:#d9822b\"></i>may ppcall</span><span><i style=\"background:#3b6fc4\">"
                    "</i>may notify</span><span><i style=\"background:#c4c9d2\"></i>neither</span>"
                    "(hover a cell for both ends' ids)</p>\n<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) + "\">" +
                    matrix_labels(plan, x0, y0, size);
  for (const ChannelView& c : channels) {
    const sdf::Channel& ch = page.in.sd->channels[c.index];
    out += "<g class=\"channel\" data-channel=\"" + std::to_string(c.index) + "\"" +
           page.source_attrs({ch.loc, ch.a.loc, ch.b.loc}, channel_info(page, c)) + ">" +
           cell(c.pd_a, c.pd_b, x0, y0, size, cell_class(c.a_calls, c.a_notifies)) +
           cell(c.pd_b, c.pd_a, x0, y0, size, cell_class(c.b_calls, c.b_notifies)) + "</g>";
  }
  return out + "</svg></div></section>\n";
}

std::string mr_section(Page& page) {
  const plan::Plan& plan = *page.in.plan;
  std::string out = "<section id=\"mrs\"><h2>Memory regions</h2>\n";
  if (plan.mrs.empty()) return out + "<p class=\"note\">This system has no memory regions.</p></section>\n";
  out += "<details" + std::string(plan.mrs.size() <= 40 ? " open" : "") + "><summary>" +
         count_of(plan.mrs.size(), "memory region") + "</summary>";
  out += "<table><tr><th>memory region</th><th>size</th><th>page size</th><th>physical address</th>"
         "<th>mapped by (rights @ virtual address)</th></tr>\n";
  for (size_t m = 0; m < plan.mrs.size(); ++m) {
    const plan::Mr& mr = plan.mrs[m];
    std::string mappers = mr_mappers(page, m);
    Loc loc = m < page.in.sd->mrs.size() ? page.in.sd->mrs[m].loc : Loc{};
    out += "<tr class=\"mr\" data-mr=\"" + esc(mr.name) + "\"" +
           page.source_attrs({loc}, "memory region " + mr.name + "\n" + mappers) + "><td>" + esc(mr.name) +
           "</td><td>" + size_text(mr.size) + "</td><td>" + size_text(mr.page_size) + "</td><td class=\"num\">" +
           phys_text(page, m) + "</td><td>" + esc(mappers) + "</td></tr>\n";
  }
  return out + "</table></details></section>\n";
}

std::string physical_section(Page& page) {
  std::string out = "<section id=\"physical\"><h2>Physical memory</h2>\n";
  if (!page.in.physical)
    return out + "<p class=\"note\" id=\"no-physical\">The host board has no physical memory map: each protection "
                 "domain is a Linux process and each memory region a shared mapping the launcher makes "
                 "(docs/host-platform.md). Build for an seL4 board to see where everything sits.</p></section>\n";
  const PhysicalMap& map = *page.in.physical;
  if (!map.note.empty()) out += "<p class=\"note\">" + esc(map.note) + "</p>\n";
  out += physical_legend();
  for (const PhysicalBank& bank : map.banks)
    out += "<h3 class=\"note\">" + std::string(bank.device ? "device memory " : "RAM ") +
           esc(range_text(bank.start, bank.end)) + "</h3>\n<div class=\"scroll\">" + bank_bar(page, bank, linear, 10) + "<br>" + bank_bar(page, bank, weight, 30) +
           "</div>\n" +
           bank_table(page, bank);
  return out + "</section>\n";
}

}  // namespace microkit::report::diagram
