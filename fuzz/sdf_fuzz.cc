// libFuzzer target: SDF text -> parse -> (if it gave a description)
// validate against qemu_virt_aarch64/debug -> render every diagnostic.
//
// What it checks: no crash, no sanitizer report, no hang, on any input; and
// that every diagnostic can be rendered against the text it came from (a
// location past the end of the text would show up here). The board database
// is read once per process, from the source tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "board/board.h"
#include "sdf/parse.h"
#include "sdf/validate.h"
#include "support/diagnostics.h"

namespace {

const microkit::board::BoardDatabase& boards() {
  static const microkit::board::BoardDatabase db = [] {
    microkit::Diagnostics diags;
    auto loaded = microkit::board::load_boards(MICROKIT_SOURCE_DIR "/boards", diags);
    if (diags.has_errors() || !loaded.find("qemu_virt_aarch64")) __builtin_trap();  // set-up bug
    return loaded;
  }();
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  microkit::Diagnostics diags;
  auto sd = microkit::sdf::parse(text, "fuzz.system", diags);
  if (sd) {
    const microkit::board::Board* board = boards().find("qemu_virt_aarch64");
    const microkit::board::Config* config = board->find_config("debug");
    microkit::sdf::validate(*sd, *board, *config, diags);
  }
  size_t rendered = 0;
  for (const microkit::Diagnostic& d : diags.all()) rendered += microkit::render(d, text).size();
  return rendered == SIZE_MAX ? -1 : 0;  // keeps the rendering from being optimised away
}
