// diagram_page: the writing side of the diagram (report/diagram.h): escaping,
// the page's source-line table, and one function per section. Internal to
// report/diagram*.cc.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "report/diagram.h"
#include "report/diagram_layout.h"

namespace microkit::report::diagram {

// Text for HTML or XML content and attribute values.
std::string esc(std::string_view text);
// A JSON string literal that is safe inside a <script> element.
std::string json_string(std::string_view text);
// "4 KiB", "2 MiB", "12 B"
std::string size_text(uint64_t bytes);

// The page being written: the input, PD indices by name, and the SDF lines
// the drawn elements point at (embedded once, at the end).
struct Page {
  const DiagramInput& in;
  std::map<std::string, size_t, std::less<>> pd_index;
  std::set<uint32_t> lines;

  explicit Page(const DiagramInput& input);
  // ` data-line="3 4" data-info="..."`: where an element comes from and what it is.
  std::string source_attrs(const std::vector<Loc>& locs, std::string_view info);
  // {"3": "<protection_domain ...>", ...} for every line pointed at.
  std::string source_json() const;
};

// One channel of the SDF, resolved against the Plan.
struct ChannelView {
  size_t index = 0;  // into SystemDescription::channels
  size_t pd_a = 0, pd_b = 0;
  uint64_t id_a = 0, id_b = 0;
  bool a_notifies = false, b_notifies = false, a_calls = false, b_calls = false;
};
std::vector<ChannelView> channel_views(const Page& page);
std::string channel_info(const Page& page, const ChannelView& c);

std::string pd_section(Page& page, const Layout& layout, const std::vector<ChannelView>& channels, bool edges);
std::string matrix_section(Page& page, const std::vector<ChannelView>& channels);
std::string mr_section(Page& page);
std::string physical_section(Page& page);

}  // namespace microkit::report::diagram
