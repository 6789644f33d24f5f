// Check: everything short of building, for every verb that starts from a
// system description.
//
// The pipeline, stopping after any step that reported an error:
//   1. load the board database and pick the board and config asked for;
//   2. read the SDF file and parse it;
//   3. find and read the files it names (programs, prefills), which also
//      sizes prefilled memory regions, then validate it against the board.
// Inputs are loaded before validation on purpose: a prefilled region without
// `size` gets its size from its file, so the validator checks its mappings
// with the real size; both steps' diagnostics are then reported together.
//
// Diagnostics are rendered onto Result::err as they are found (with source
// for the SDF); warnings are shown and do not stop the pipeline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "board/board.h"
#include "driver/driver.h"
#include "driver/options.h"
#include "plan/plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::driver {

struct CheckedSystem {
  sdf::SystemDescription sd;
  std::string sdf_text;
  board::Board board;
  board::Config config;
  plan::Inputs inputs;
};

// The board named `board` and its config `config` (by default "debug", or
// the board's first config when it has no "debug"), or errors that list the
// valid names.
struct Target {
  board::Board board;
  board::Config config;
};
std::optional<Target> select_target(const board::BoardDatabase& db, const std::string& board,
                                    const std::optional<std::string>& config, Diagnostics& diags);

// The names of `board`'s configs, in the board file's order.
std::vector<std::string> config_names(const board::Board& board);

// Runs the pipeline above for `opts` (its system, board, config and search
// paths), appending rendered diagnostics to `result.err`.
// With load_files false (`microkit headers`), program images and prefill
// files are not looked for: inputs come back empty, with sdf_only set.
std::optional<CheckedSystem> check_system(const Options& opts, const Environment& env,
                                          Result& result, bool load_files = true);

// "SYSTEM: ok (N protection domains, M memory regions, K channels)"
std::string summary_line(const std::string& system, const sdf::SystemDescription& sd);

}  // namespace microkit::driver
