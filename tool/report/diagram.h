// diagram: a self-contained HTML page that draws a system (`microkit
// diagram`, `--diagram FILE`; docs/cli.md).
//
// Drawn from the same Plan as the image, so it cannot drift from what runs:
//   - protection domains as boxes (name, priority, budget/period, passive,
//     core, child id), children nested inside their parent, virtual machines
//     inside their PD, IRQs and mapped memory regions (with rights) as tags;
//   - channels as lines with arrowheads (open: may notify; filled: may
//     ppcall) and each end's id, when there are few (draw_channel_lines);
//     always as a PD x PD matrix, readable for a full mesh of 63 PDs;
//   - memory regions as a table: size, page size, who maps them with which
//     rights at which address;
//   - for seL4 boards, physical memory (report/physical_map.h); the host
//     board has none, and the page says so.
// Every drawn element carries its SDF line(s) (data-line) and a description
// (data-info): hovering shows the file:line and the source text, clicking
// pins them in a side panel. The page needs no network: SVG, CSS and a small
// script are inline. The script records any error in #script-errors and
// marks each PD and channel it finds rendered with data-drawn="yes" (for
// the headless-browser test, tests/diagram/).
// Pure: returns the page, writes nothing.
#pragma once

#include <string>
#include <string_view>

#include "plan/plan.h"
#include "report/physical_map.h"
#include "sdf/system_description.h"

namespace microkit::report {

struct DiagramInput {
  const plan::Plan* plan = nullptr;
  const sdf::SystemDescription* sd = nullptr;  // its PDs and MRs parallel to the Plan's
  std::string_view sdf_text;                   // for each element's source line
  const PhysicalMap* physical = nullptr;       // seL4 boards; nullptr on the host board
};

std::string diagram_html(const DiagramInput& in);

// Whether the PD view draws channels as lines: only while there are few, and
// not many more than PDs, or lines would hide the boxes (the matrix always
// shows every channel).
inline bool draw_channel_lines(size_t channels, size_t pds) { return channels <= 40 && channels <= 2 * pds + 4; }

}  // namespace microkit::report
