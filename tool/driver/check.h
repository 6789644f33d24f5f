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

#include <memory>

#include "board/board.h"
#include "kernel/kernel_package.h"
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
  // The kernel package the limits came from (seL4 boards, when found), so
  // that a build does not read it again.
  std::shared_ptr<const kernel::KernelPackage> package;
};

// The board named `board` and its config `config` (by default "debug", or
// the board's first config when it has no "debug"), or errors that list the
// valid names.
// What the SDF allows but a back end cannot build, refused where it is
// written: a <virtual_machine> on x86-64 (not planned yet) or with a kernel
// package built without hypervisor support (`package` may be null: the
// build reports a missing package).
void check_backend_support(const sdf::SystemDescription& sd, const board::Board& board,
                           const kernel::KernelPackage* package, Diagnostics& diags);

// RAM the kernel package's platform has and the kernel image takes (so at
// most total - kernel is left to user space); 0 when unknown.
struct RamFacts {
  uint64_t total = 0;
  uint64_t kernel = 0;
};

struct Target {
  board::Board board;
  board::Config config;
  RamFacts ram;  // from the kernel package (apply_kernel_package)
  std::shared_ptr<const kernel::KernelPackage> package;  // when one was found
};
std::optional<Target> select_target(const board::BoardDatabase& db, const std::string& board,
                                    const std::optional<std::string>& config, Diagnostics& diags);

// Takes the kernel-dependent limits (kernel/kernel_limits.h) from the kernel
// package a build for `target` would use, when there is one; a missing
// package leaves them unknown (the build then reports it). False after
// reporting a package that cannot be read.
bool apply_kernel_package(Target& target, Diagnostics& diags);

// The memory check `microkit check` and a build share: when the memory
// regions and stacks alone need more RAM than the platform leaves to user
// space, an error in the user's terms (the biggest regions and PDs in MiB,
// the board's RAM, what to change) at the largest region's size.
void check_memory_fits(const sdf::SystemDescription& sd, const board::Board& board,
                       const RamFacts& ram, Diagnostics& diags);

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
