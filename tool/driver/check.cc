#include "driver/check.h"

#include <filesystem>

#include "driver/files.h"
#include "driver/inputs.h"
#include "driver/print.h"
#include "support/text.h"
#include "sdf/parse.h"
#include "sdf/validate.h"
#include "support/did_you_mean.h"

namespace microkit::driver {

namespace {

// "did you mean 'x'? " when a name in `names` is close to `word`.
std::string did_you_mean_prefix(const std::string& word, const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  auto close = did_you_mean(word, views);
  return close ? "did you mean '" + *close + "'? " : "";
}

const board::Config* default_config(const board::Board& board) {
  if (const auto* debug = board.find_config("debug")) return debug;
  return board.configs.empty() ? nullptr : &board.configs.front();
}

std::optional<std::string> read_sdf(const Options& opts, const Environment& env,
                                    Diagnostics& diags) {
  std::string path = (std::filesystem::path(env.cwd) / opts.system).string();
  std::string why;
  if (auto text = read_file(path, why)) return text;
  diags.error("sdf-unreadable", kToolName, {},
              "cannot read the system description '" + opts.system + "': " + why,
              "check the path; a relative path starts at the current directory");
  return std::nullopt;
}

// Prints `diags` and tells whether the pipeline may go on.
bool report(const Diagnostics& diags, Result& result, SourceText source = {}) {
  print_diagnostics(diags, result.err, source);
  return !diags.has_errors();
}

}  // namespace

std::vector<std::string> config_names(const board::Board& board) {
  std::vector<std::string> names;
  for (const auto& c : board.configs) names.push_back(c.name);
  return names;
}

std::optional<Target> select_target(const board::BoardDatabase& db, const std::string& board,
                                    const std::optional<std::string>& config, Diagnostics& diags) {
  const board::Board* b = db.find(board);
  if (!b) {
    diags.error("unknown-board", kToolName, {}, "unknown board '" + board + "'",
                did_you_mean_prefix(board, db.names()) + "The boards are: " + join(db.names()));
    return std::nullopt;
  }
  const board::Config* c = config ? b->find_config(*config) : default_config(*b);
  if (!c) {
    std::string name = config.value_or("");
    diags.error("unknown-config", kToolName, {},
                "board '" + board + "' has no config '" + name + "'",
                did_you_mean_prefix(name, config_names(*b)) + "The configs of " + board +
                    " are: " + join(config_names(*b)));
    return std::nullopt;
  }
  return Target{*b, *c};
}

std::optional<CheckedSystem> check_system(const Options& opts, const Environment& env,
                                          Result& result, bool load_files) {
  // 1. Board and config.
  Diagnostics board_diags;
  board::BoardDatabase db = board::load_boards(env.boards_dir, board_diags);
  auto target = board_diags.has_errors()
                    ? std::nullopt
                    : select_target(db, opts.board.value_or(""), opts.config, board_diags);
  if (!report(board_diags, result) || !target) return std::nullopt;

  // 2. Read and parse the SDF.
  Diagnostics diags;
  auto text = read_sdf(opts, env, diags);
  if (!text) {
    report(diags, result);
    return std::nullopt;
  }
  SourceText source{opts.system, *text};
  auto sd = sdf::parse(*text, opts.system, diags);
  if (!sd && !diags.has_errors())  // the parser promises an error; never fail silently
    diags.error("sdf-unreadable", opts.system, {}, "nothing could be read from this file");
  if (!report(diags, result, source) || !sd) return std::nullopt;

  // 3. Inputs, then validation, reported together.
  Diagnostics later;
  auto dirs = search_dirs(opts.search_paths, env.cwd);
  plan::Inputs inputs;
  if (load_files)
    inputs = load_inputs(*sd, target->board, dirs, later);
  else
    inputs.sdf_only = true;
  sdf::validate(*sd, target->board, target->config, later);
  if (!report(later, result, source)) return std::nullopt;

  return CheckedSystem{std::move(*sd), std::move(*text), std::move(target->board),
                       std::move(target->config), std::move(inputs)};
}

std::string summary_line(const std::string& system, const sdf::SystemDescription& sd) {
  return system + ": ok (" + count_of(sd.pds.size(), "protection domain") + ", " +
         count_of(sd.mrs.size(), "memory region") + ", " + count_of(sd.channels.size(), "channel") +
         ")";
}

}  // namespace microkit::driver
