// diagram_layout: where the diagram (report/diagram.h) puts each PD box.
//
// Top-level PDs go in a grid, in SDF order or, with channel lines, breadth
// first along the channels; a parent's box holds its header
// (name and scheduling lines), its tags (IRQs, mapped MRs), its virtual
// machine and then its children in rows. Sizes are computed bottom-up,
// positions top-down. Many PDs make compact boxes (fewer tags); lines for
// channels get wider gaps between boxes.
// Invariants: a child's box lies inside its parent's, below the parent's
// header; boxes of PDs that are not nested in each other do not overlap.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.h"
#include "sdf/system_description.h"

namespace microkit::report::diagram {

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  int cx() const { return x + w / 2; }
  int cy() const { return y + h / 2; }
  bool contains(const Box& o) const {
    return x <= o.x && y <= o.y && o.x + o.w <= x + w && o.y + o.h <= y + h;
  }
};

// A small label inside a PD box: an IRQ, a mapped MR, or "+N more".
struct Tag {
  enum class Kind { Irq, Map, More };
  Kind kind = Kind::Map;
  std::string text;
  size_t index = 0;  // Irq: the channel id; Map: index into Pd::mappings
  Box box;
};

struct PdBox {
  Box box;
  int header_h = 0;       // the name and scheduling lines
  std::vector<Tag> tags;
  std::optional<Box> vm;  // the PD's virtual machine
};

struct Layout {
  std::vector<PdBox> pds;  // parallel to Plan::pds
  int width = 0, height = 0;
  bool compact = false;
};

inline constexpr int kFontPx = 12;
inline constexpr int kTagFontPx = 10;

// Width of `text` in pixels at `font_px` (a sans-serif average).
int text_width(std::string_view text, int font_px);

// `links`: PD pairs the view joins with lines (channels), or none. With
// links, boxes are further apart and top-level PDs are ordered breadth-first
// from the most linked one, so that linked PDs tend to be neighbours.
Layout layout_pds(const plan::Plan& plan, const sdf::SystemDescription& sd,
                  const std::vector<std::pair<size_t, size_t>>& links = {});

}  // namespace microkit::report::diagram
