#include "driver/print.h"

namespace microkit::driver {

void print_diagnostics(const Diagnostics& diags, std::string& out, SourceText source) {
  for (const Diagnostic& d : diags.all()) {
    bool quotes_sdf = !source.file.empty() && d.file == source.file;
    out += render(d, quotes_sdf ? source.text : std::string_view{});
  }
}

}  // namespace microkit::driver
