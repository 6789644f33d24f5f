// Printing diagnostics for a terminal.
//
// Diagnostics about the system description are shown with the offending
// source line and a caret; those about other files (ELF programs, board
// files) or about the command line are shown without source, since only the
// SDF's text is at hand.
#pragma once

#include <string>
#include <string_view>

#include "support/diagnostics.h"

namespace microkit::driver {

// The SDF text a diagnostic may quote: diagnostics whose file is `file` quote `text`.
struct SourceText {
  std::string_view file;
  std::string_view text;
};

// Appends every diagnostic in `diags`, rendered, to `out`.
void print_diagnostics(const Diagnostics& diags, std::string& out, SourceText source = {});

}  // namespace microkit::driver
