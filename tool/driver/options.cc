#include "driver/options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "support/text.h"
#include "support/did_you_mean.h"
#include "support/numbers.h"

namespace microkit::driver {

namespace {

enum class Flag {
  Help,
  Version,
  Output,
  Report,
  Board,
  Config,
  SearchPath,
  ImageType,
  CapdlJson,
  CapdlText,
  CapdlJsonExtended,
  OverrideKernel,
  ViperOutput,
  // The host launcher's options, passed on by `microkit run` (host/main.cc).
  Until,
  Watchdog,
  Gdb,
  GdbPort,
  SerialInput,
  FreeRunning,
  CspaceHeaders,
  AuthorityJson,
  Diagram,
  // The event timeline (docs/tracing.md).
  Trace,
  TraceRing,
  TraceJson,
  TraceLog,
  Timeout,  // `run` on a QEMU board
  GdbStub,
  NoFaultSymbols,
  ProfileOut,
  ProfileLog
};

struct FlagSpec {
  std::string_view name;
  Flag flag;
};

constexpr std::array kFlags = {
    FlagSpec{"-h", Flag::Help},
    FlagSpec{"--help", Flag::Help},
    FlagSpec{"--version", Flag::Version},
    FlagSpec{"-o", Flag::Output},
    FlagSpec{"--output", Flag::Output},
    FlagSpec{"-r", Flag::Report},
    FlagSpec{"--report", Flag::Report},
    FlagSpec{"--board", Flag::Board},
    FlagSpec{"--config", Flag::Config},
    FlagSpec{"--search-path", Flag::SearchPath},
    FlagSpec{"--image-type", Flag::ImageType},
    FlagSpec{"--capdl-json", Flag::CapdlJson},
    FlagSpec{"--capdl", Flag::CapdlText},
    FlagSpec{"--capdl-json-extended", Flag::CapdlJsonExtended},
    FlagSpec{"--override-kernel", Flag::OverrideKernel},
    FlagSpec{"--viper-output", Flag::ViperOutput},
    FlagSpec{"--cspace-headers", Flag::CspaceHeaders},
    FlagSpec{"--authority-json", Flag::AuthorityJson},
    FlagSpec{"--diagram", Flag::Diagram},
    FlagSpec{"--gdb-stub", Flag::GdbStub},
    FlagSpec{"--no-fault-symbols", Flag::NoFaultSymbols},
    FlagSpec{"--until", Flag::Until},
    FlagSpec{"--watchdog", Flag::Watchdog},
    FlagSpec{"--gdb", Flag::Gdb},
    FlagSpec{"--gdb-port", Flag::GdbPort},
    FlagSpec{"--serial-input", Flag::SerialInput},
    FlagSpec{"--free-running", Flag::FreeRunning},
    FlagSpec{"--trace", Flag::Trace},
    FlagSpec{"--trace-ring", Flag::TraceRing},
    FlagSpec{"--trace-json", Flag::TraceJson},
    FlagSpec{"--trace-log", Flag::TraceLog},
    FlagSpec{"--timeout", Flag::Timeout},
    FlagSpec{"--profile-out", Flag::ProfileOut},
    FlagSpec{"--profile-log", Flag::ProfileLog},
};

// Flags that only matter when an image is built (the form without a verb).
constexpr std::array kBuildOnlyFlags = {Flag::Output,    Flag::Report,         Flag::ImageType,
                                        Flag::CapdlJson, Flag::CapdlText,      Flag::CapdlJsonExtended,
                                        Flag::OverrideKernel,
                                        Flag::ViperOutput, Flag::CspaceHeaders, Flag::AuthorityJson,
                                        Flag::Diagram, Flag::GdbStub, Flag::NoFaultSymbols};

// Flags that only matter when a system runs on the host (`microkit run`).
constexpr std::array kRunOnlyFlags = {Flag::Until,       Flag::Watchdog,    Flag::Gdb,
                                      Flag::GdbPort,     Flag::SerialInput, Flag::FreeRunning,
                                      Flag::Timeout,
                                      Flag::ProfileOut};

bool is_run_only(Flag flag) {
  return std::find(kRunOnlyFlags.begin(), kRunOnlyFlags.end(), flag) != kRunOnlyFlags.end();
}

constexpr std::array<std::pair<std::string_view, Verb>, 7> kVerbs = {{
    {"check", Verb::Check},
    {"diagram", Verb::Diagram},
    {"run", Verb::Run},
    {"boards", Verb::Boards},
    {"headers", Verb::Headers},
    {"trace", Verb::Trace},
    {"profile", Verb::Profile},
}};

std::optional<Flag> find_flag(std::string_view name) {
  for (const auto& spec : kFlags)
    if (spec.name == name) return spec.flag;
  return std::nullopt;
}

std::vector<std::string_view> flag_names() {
  std::vector<std::string_view> names;
  for (const auto& spec : kFlags) names.push_back(spec.name);
  return names;
}

std::vector<std::string_view> verb_words() {
  std::vector<std::string_view> words;
  for (const auto& [word, verb] : kVerbs) words.push_back(word);
  return words;
}

std::optional<Verb> find_verb(std::string_view word) {
  for (const auto& [w, verb] : kVerbs)
    if (w == word) return verb;
  return std::nullopt;
}

bool takes_one_value(Flag flag) {
  return flag != Flag::Help && flag != Flag::Version && flag != Flag::SearchPath &&
         flag != Flag::FreeRunning && flag != Flag::Trace &&
         flag != Flag::GdbStub && flag != Flag::NoFaultSymbols;
}

bool looks_like_flag(std::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

// A bare word (no '.' or '/') close to a verb is a mistyped verb, not a path:
// system descriptions are files such as hello.system.
bool looks_like_mistyped_verb(std::string_view arg) {
  if (looks_like_flag(arg) || arg.find_first_of("./") != std::string_view::npos) return false;
  return did_you_mean(arg, verb_words()).has_value();
}

std::optional<ImageType> parse_image_type(std::string_view value) {
  if (value == "binary") return ImageType::Binary;
  if (value == "elf") return ImageType::Elf;
  if (value == "uimage") return ImageType::Uimage;
  return std::nullopt;
}

void cli_error(Diagnostics& diags, std::string id, std::string message, std::string hint = {}) {
  diags.error(std::move(id), kToolName, {}, std::move(message), std::move(hint));
}

// A positive number of seconds, as the launcher reads it ("10", "0.5").
bool is_positive_seconds(const std::string& text) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.'))
    return false;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  return *end == '\0' && value > 0 && std::isfinite(value);
}

// A TCP port: a decimal number from 1 to 65535.
std::optional<uint16_t> parse_port(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  auto parsed = parse_u64(text);
  if (!parsed.ok() || parsed.value == 0 || parsed.value > 65535) return std::nullopt;
  return static_cast<uint16_t>(parsed.value);
}

// Walks the arguments once, filling Options and collecting every error.
class Parser {
 public:
  Parser(const std::vector<std::string>& args, Diagnostics& diags) : args_(args), diags_(diags) {}

  std::optional<Options> run() {
    // 1. Help and version win wherever they are, as in the official tool.
    // 2. A leading verb selects the form; otherwise this is the legacy build.
    // 3. Every other argument is a flag (with its values) or the system path.
    // 4. Check what the chosen form requires and warn about what it ignores.
    if (auto early = help_or_version()) {
      opts_.verb = *early;
      return opts_;
    }
    if (!args_.empty()) take_verb();
    while (next_ < args_.size() && !take_qemu_args()) take_argument();
    // Missing arguments are often a consequence of a mistyped flag: report
    // them only when the line was otherwise well-formed.
    if (opts_.verb == Verb::Boards)
      check_boards_form();
    else if (errors_ == diags_.error_count())
      check_form();
    if (errors_ != diags_.error_count()) return std::nullopt;
    return opts_;
  }

 private:
  std::optional<Verb> help_or_version() const {
    for (const auto& arg : args_) {
      if (auto flag = find_flag(arg); flag == Flag::Help) return Verb::Help;
      if (arg == "--version") return Verb::Version;
    }
    return std::nullopt;
  }

  void take_verb() {
    const std::string& first = args_[0];
    if (auto verb = find_verb(first)) {
      opts_.verb = *verb;
      ++next_;
      return;
    }
    if (looks_like_mistyped_verb(first)) {
      cli_error(diags_, "cli-unknown-command", "unknown command '" + first + "'",
                "did you mean '" + *did_you_mean(first, verb_words()) +
                    "'? The commands are check, run, headers, diagram and boards; without one, SYSTEM is built");
      ++next_;
    }
  }

  // "--": the rest of the line is for QEMU (`microkit run` on a QEMU board).
  bool take_qemu_args() {
    if (args_[next_] != "--") return false;
    if (opts_.verb != Verb::Run)
      cli_error(diags_, "cli-unexpected-argument", "'--' is only for 'microkit run'",
                "words after '--' are added to the QEMU command of 'microkit run' on a QEMU board");
    opts_.qemu_args.assign(args_.begin() + static_cast<std::ptrdiff_t>(next_) + 1, args_.end());
    next_ = args_.size();
    return true;
  }

  void take_argument() {
    const std::string& arg = args_[next_++];
    if (!looks_like_flag(arg)) return take_positional(arg);
    // "--name=value" is accepted as well as "--name value".
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    auto flag = find_flag(name);
    if (!flag) return unknown_flag(name);
    given_.push_back({*flag, name});
    take_flag(*flag, name, inline_value);
  }

  void unknown_flag(const std::string& name) {
    auto close = did_you_mean(name, flag_names());
    // "--bord x": skip the value too, so that it is not taken for SYSTEM.
    if (close && takes_one_value(*find_flag(*close)) && next_ < args_.size() &&
        !looks_like_flag(args_[next_]))
      ++next_;
    std::string hint =
        close ? "did you mean '" + *close + "'?" : "run 'microkit --help' for the list of options";
    cli_error(diags_, "cli-unknown-option", "unknown option '" + name + "'", hint);
  }

  void take_flag(Flag flag, const std::string& name,
                 const std::optional<std::string>& inline_value) {
    if (flag == Flag::SearchPath) return take_search_paths(inline_value);
    if (flag == Flag::FreeRunning) return take_switch(name, inline_value);
    if (flag == Flag::Trace) return take_trace_switch(name, inline_value);
    if (flag == Flag::GdbStub) return take_gdb_stub(name, inline_value);
    if (flag == Flag::NoFaultSymbols) return take_no_fault_symbols(name, inline_value);
    std::optional<std::string> value = inline_value ? inline_value : take_value(name);
    if (!value) return;
    switch (flag) {
      case Flag::Output: opts_.output = *value, opts_.output_given = true; break;
      case Flag::Report: opts_.report = *value; break;
      case Flag::Board: opts_.board = *value; break;
      case Flag::Config: opts_.config = *value; break;
      case Flag::CapdlJson: opts_.capdl_json = *value; break;
      case Flag::CapdlText: opts_.capdl_text = *value; break;
      case Flag::CapdlJsonExtended: opts_.capdl_json_extended = *value; break;
      case Flag::OverrideKernel: opts_.override_kernel = *value; break;
      case Flag::ViperOutput: opts_.viper_output = *value; break;
      case Flag::CspaceHeaders: opts_.cspace_headers = *value; break;
      case Flag::AuthorityJson: opts_.authority_json = *value; break;
      case Flag::Diagram: opts_.diagram = *value; break;
      case Flag::ImageType: set_image_type(*value); break;
      case Flag::TraceRing: take_trace_ring(name, *value); break;
      case Flag::TraceJson: opts_.trace_json = *value; break;
      case Flag::TraceLog: opts_.trace_log = *value; break;
      case Flag::ProfileOut: opts_.profile_out = *value; break;
      case Flag::ProfileLog: opts_.profile_log = *value; break;
      case Flag::Until: take_until(name, *value); break;
      case Flag::Watchdog: take_watchdog(name, *value); break;
      case Flag::GdbPort: take_gdb_port(name, *value); break;
      case Flag::Timeout: take_timeout(name, *value); break;
      case Flag::Gdb:
      case Flag::SerialInput: pass_to_launcher(name, *value); break;
      case Flag::Help:
      case Flag::Version:
      case Flag::SearchPath:
      case Flag::Trace:
      case Flag::FreeRunning:
      case Flag::NoFaultSymbols:
      case Flag::GdbStub: break;  // handled before
    }
  }

  // ---- the launcher's options: checked here, passed on as the launcher reads them

  void pass_to_launcher(const std::string& name, const std::string& value) {
    opts_.launcher_args.push_back(name);
    opts_.launcher_args.push_back(value);
  }

  void take_switch(const std::string& name, const std::optional<std::string>& inline_value) {
    if (inline_value) {
      cli_error(diags_, "cli-unexpected-value", "option " + name + " takes no value",
                "write " + name + " alone");
      return;
    }
    opts_.launcher_args.push_back(name);
  }

  void take_trace_switch(const std::string& name, const std::optional<std::string>& inline_value) {
    if (inline_value)
      return cli_error(diags_, "cli-unexpected-value", "option " + name + " takes no value",
                       "write " + name + " alone; the ring's size is --trace-ring BYTES");
    opts_.trace = true;
  }

  void take_trace_ring(const std::string& name, const std::string& value) {
    auto parsed = parse_u64(value);
    if (parsed.ok() && parsed.value >= 0x1000 && parsed.value <= (uint64_t{1} << 30)) {
      opts_.trace_ring = parsed.value;
      opts_.trace = true;
      return;
    }
    cli_error(diags_, "cli-invalid-number", "invalid " + name + " '" + value + "': not a size from 4 KiB to 1 GiB",
              "write the bytes of each PD's trace ring, e.g. " + name + " 0x10000");
  }

  void take_gdb_stub(const std::string& name, const std::optional<std::string>& inline_value) {
    if (inline_value)
      return cli_error(diags_, "cli-unexpected-value", "option " + name + " takes no value",
                       "write " + name + " alone");
    opts_.gdb_stub = true;
  }

  void take_no_fault_symbols(const std::string& name, const std::optional<std::string>& inline_value) {
    if (inline_value)
      return cli_error(diags_, "cli-unexpected-value", "option " + name + " takes no value",
                       "write " + name + " alone");
    opts_.fault_symbols = false;
  }

  // Nanoseconds of virtual time, as an SDF number; passed on in decimal so
  // that the launcher (which would read "010" as octal) sees the same value.
  void take_until(const std::string& name, const std::string& value) {
    auto parsed = parse_u64(value);
    if (parsed.ok()) return pass_to_launcher(name, std::to_string(parsed.value));
    cli_error(diags_, "cli-invalid-number",
              "invalid " + name + ": '" + value + "' " + describe(parsed.error),
              "write the virtual-time limit in nanoseconds, e.g. " + name + " 5000000");
  }

  void take_watchdog(const std::string& name, const std::string& value) {
    if (is_positive_seconds(value)) return pass_to_launcher(name, value);
    cli_error(diags_, "cli-invalid-number",
              "invalid " + name + " '" + value + "': not a positive number of seconds",
              "write the real-time limit in seconds, e.g. " + name + " 2 or " + name + " 0.5");
  }

  void take_timeout(const std::string& name, const std::string& value) {
    if (is_positive_seconds(value)) {
      opts_.qemu_timeout = std::strtod(value.c_str(), nullptr);
      return;
    }
    cli_error(diags_, "cli-invalid-number",
              "invalid " + name + " '" + value + "': not a positive number of seconds",
              "write how long QEMU may run, in seconds, e.g. " + name + " 30");
  }

  void take_gdb_port(const std::string& name, const std::string& value) {
    if (auto port = parse_port(value)) return pass_to_launcher(name, std::to_string(*port));
    cli_error(diags_, "cli-invalid-number",
              "invalid " + name + " '" + value + "': not a port number from 1 to 65535",
              "write a TCP port, e.g. " + name + " 1234");
  }

  std::optional<std::string> take_value(const std::string& name) {
    if (next_ < args_.size() && !looks_like_flag(args_[next_])) return args_[next_++];
    cli_error(diags_, "cli-missing-value", "option " + name + " expects a value",
              "write " + name + " VALUE");
    return std::nullopt;
  }

  // As in the official tool: every following argument up to the next flag.
  // "--search-path=DIR" takes exactly one, so SYSTEM may follow it.
  void take_search_paths(const std::optional<std::string>& inline_value) {
    if (inline_value) {
      opts_.search_paths.push_back(*inline_value);
      return;
    }
    size_t first = next_;
    while (next_ < args_.size() && !looks_like_flag(args_[next_]))
      opts_.search_paths.push_back(args_[next_++]);
    if (next_ == first)  // accepted, as by the official tool, but surely not meant
      diags_.warning("cli-empty-search-path", kToolName, {}, "--search-path names no folder",
                     "write --search-path DIR [DIR ...], or remove it");
  }

  void set_image_type(const std::string& value) {
    if (auto type = parse_image_type(value)) {
      opts_.image_type = *type;
      return;
    }
    cli_error(diags_, "cli-invalid-image-type", "invalid --image-type '" + value + "'",
              "choose from: binary, elf, uimage");
  }

  void take_positional(const std::string& arg) {
    if (opts_.verb == Verb::Boards) {
      cli_error(diags_, "cli-unexpected-argument", "unexpected argument '" + arg + "'",
                "'microkit boards' takes no arguments");
      return;
    }
    if (opts_.system.empty()) {
      opts_.system = arg;
      return;
    }
    std::string hint = find_verb(arg)
                           ? "a command comes first: microkit " + arg + " SYSTEM ..."
                           : "only one system description can be given; folders of programs "
                             "go after --search-path";
    cli_error(diags_, "cli-unexpected-argument", "unexpected argument '" + arg + "'", hint);
  }

  void check_form() {
    if (opts_.verb == Verb::Run && !opts_.board) opts_.board = "host";
    std::vector<std::string> missing;
    if (!opts_.board) missing.push_back("--board");
    if (opts_.verb == Verb::Build && !opts_.config) missing.push_back("--config");
    if (opts_.system.empty()) missing.push_back("system");
    if (!missing.empty()) report_missing(missing);
    if (opts_.verb == Verb::Diagram) take_diagram_output();
    if (opts_.verb != Verb::Build) warn_build_only_flags();
    if (opts_.verb != Verb::Run) reject_run_only_flags();
    check_trace_flags();
    if (opts_.verb == Verb::Profile && !opts_.profile_log)
      cli_error(diags_, "cli-missing-argument", "'microkit profile' needs --profile-log LOG",
                "usage: " + usage_for(Verb::Profile));
  }

  // --trace-log is the input of `trace` alone; `trace` needs it.
  void check_trace_flags() {
    if (opts_.verb == Verb::Trace && !opts_.trace_log)
      cli_error(diags_, "cli-missing-argument", "'microkit trace' needs --trace-log LOG",
                "usage: " + usage_for(Verb::Trace));
    bool log_elsewhere = opts_.trace_log && opts_.verb != Verb::Trace;
    bool json_elsewhere = opts_.trace_json && opts_.verb != Verb::Trace && opts_.verb != Verb::Run;
    if (log_elsewhere || json_elsewhere)
      cli_error(diags_, "cli-trace-option",
                std::string("option ") + (log_elsewhere ? "--trace-log" : "--trace-json") +
                    " does not apply to '" + verb_name(opts_.verb) + "'",
                "convert a serial log with: " + usage_for(Verb::Trace) +
                    "; on the host: microkit run SYSTEM --trace-json OUT");
    if (opts_.verb == Verb::Run && opts_.trace_json) opts_.trace = true;
  }

  // `microkit diagram` writes its page to -o (default diagram.html).
  void take_diagram_output() {
    bool output_given = false;
    for (const auto& [flag, name] : given_) output_given |= flag == Flag::Output;
    opts_.diagram = output_given ? opts_.output : "diagram.html";
  }

  void check_boards_form() {
    for (const auto& [flag, name] : given_)
      cli_error(diags_, "cli-unexpected-argument", "unexpected option '" + name + "'",
                "'microkit boards' takes no arguments");
  }

  void report_missing(const std::vector<std::string>& missing) {
    std::string hint = "usage: " + usage_for(opts_.verb);
    bool swallowed = opts_.system.empty() && !opts_.search_paths.empty() &&
                     opts_.search_paths.back().ends_with(".system");
    if (swallowed)
      hint = "'" + opts_.search_paths.back() +
             "' was taken as a search path: put SYSTEM before --search-path, "
             "or write --search-path=DIR";
    cli_error(diags_, "cli-missing-argument",
              "the following arguments are required: " + join(missing), hint);
  }

  void warn_build_only_flags() {
    for (const auto& [flag, name] : given_) {
      if (std::find(kBuildOnlyFlags.begin(), kBuildOnlyFlags.end(), flag) == kBuildOnlyFlags.end())
        continue;
      if (opts_.verb == Verb::Headers && flag == Flag::CspaceHeaders) continue;  // its output
      if (opts_.verb == Verb::Diagram && flag == Flag::Output) continue;          // its page
      if (opts_.verb == Verb::Run && flag == Flag::Output) continue;  // QEMU boards: the image to keep
      diags_.warning("cli-ignored-option", kToolName, {},
                     "option " + name + " has no effect with '" + verb_name(opts_.verb) + "'",
                     "it applies when building an image: microkit SYSTEM --board B --config C");
    }
  }

  // The launcher's options would be silently lost anywhere but `run`.
  void reject_run_only_flags() {
    for (const auto& [flag, name] : given_) {
      if (!is_run_only(flag) || (flag == Flag::ProfileOut && opts_.verb == Verb::Profile)) continue;
      cli_error(diags_, "cli-run-only-option",
                "option " + name + " only applies to 'microkit run', not to '" +
                    verb_name(opts_.verb) + "'",
                "run the system on the host: microkit run SYSTEM " + name +
                    (takes_one_value(flag) ? " VALUE" : ""));
    }
  }

  static std::string usage_for(Verb verb) {
    switch (verb) {
      case Verb::Check:
        return "microkit check SYSTEM --board BOARD [--config CONFIG] [--search-path DIR ...]";
      case Verb::Diagram:
        return "microkit diagram SYSTEM --board BOARD [--config CONFIG] [--search-path DIR ...] [-o PAGE]";
      case Verb::Headers:
        return "microkit headers SYSTEM --board BOARD [--config CONFIG] [--cspace-headers DIR]";
      case Verb::Run:
        return "microkit run SYSTEM [--board BOARD] [--config CONFIG] [--search-path DIR ...] "
               "[launcher options | --timeout S -- QEMU_ARG ...]";
      case Verb::Trace:
        return "microkit trace SYSTEM --board BOARD [--config CONFIG] --trace-log LOG "
               "[--trace-json OUT]";
      case Verb::Profile:
        return "microkit profile SYSTEM --board BOARD --config benchmark --profile-log LOG "
               "[--search-path DIR ...] [--profile-out PREFIX]";
      default: return usage_text();
    }
  }

  const std::vector<std::string>& args_;
  Diagnostics& diags_;
  const size_t errors_ = diags_.error_count();
  size_t next_ = 0;
  Options opts_;
  std::vector<std::pair<Flag, std::string>> given_;  // flags as typed, in order
};

}  // namespace

const char* verb_name(Verb verb) {
  switch (verb) {
    case Verb::Build: return "build";
    case Verb::Check: return "check";
    case Verb::Run: return "run";
    case Verb::Boards: return "boards";
    case Verb::Headers: return "headers";
    case Verb::Diagram: return "diagram";
    case Verb::Trace: return "trace";
    case Verb::Profile: return "profile";
    case Verb::Help: return "help";
    case Verb::Version: return "version";
  }
  return "build";
}

const char* image_type_name(ImageType type) {
  switch (type) {
    case ImageType::Unspecified: return "unspecified";
    case ImageType::Binary: return "binary";
    case ImageType::Elf: return "elf";
    case ImageType::Uimage: return "uimage";
  }
  return "unspecified";
}

std::optional<Options> parse_options(const std::vector<std::string>& args, Diagnostics& diags) {
  return Parser(args, diags).run();
}

std::string usage_text() {
  return "microkit [-h] [OPTIONS] --board BOARD --config CONFIG [--search-path SEARCH_PATH ...] "
         "system";
}

std::string help_text() {
  return "usage: " + usage_text() +
         "\n"
         "       microkit check SYSTEM --board BOARD [--config CONFIG] [--search-path DIR ...]\n"
         "       microkit run SYSTEM [--board host] [--config CONFIG] [--search-path DIR ...]\n"
         "                    [--until NS] [--watchdog S] [--gdb PD] [--gdb-port N]\n"
         "                    [--serial-input FILE] [--free-running]\n"
         "       microkit diagram SYSTEM --board BOARD [--config CONFIG] [--search-path DIR ...]\n"
         "                    [-o PAGE]\n"
         "       microkit trace SYSTEM --board BOARD [--config CONFIG] --trace-log LOG\n"
         "                    [--trace-json OUT]\n"
         "       microkit profile SYSTEM --board BOARD --config benchmark --profile-log LOG\n"
         "                    [--search-path DIR ...] [--profile-out PREFIX]\n"
         "       microkit run SYSTEM --board QEMU_BOARD [--config CONFIG] [--search-path DIR ...]\n"
         "                    [-o IMAGE] [--timeout S] [-- QEMU_ARG ...]\n"
         "       microkit headers SYSTEM --board BOARD [--config CONFIG] [--cspace-headers DIR]\n"
         "       microkit symbolize LOG [SYSTEM] [--search-path DIR ...] [--elf PD=FILE ...]\n"
         "       microkit coredump LOG [-o DIR]\n"
         "       microkit boards\n"
         "\n"
         "commands:\n"
         "  (none)       build a bootable image of SYSTEM (the official form)\n"
         "  check        parse and validate SYSTEM and load its programs; build nothing\n"
         "  run          run SYSTEM on the host platform; exits with the system's status\n"
         "  diagram      draw SYSTEM as an HTML page (default diagram.html): PDs, channels,\n"
         "               memory regions and, for seL4 boards, physical memory\n"
         "  boards       list the boards and their configurations\n"
         "  headers      write each PD's <pd>_cspace.h from SYSTEM alone (docs/cspace.md)\n"
         "  trace        turn a serial log of a --trace system into a trace JSON (Perfetto)\n"
         "  profile      turn a serial log of a profiled seL4 system into perf script text\n"
         "               and a per-PD utilisation table (docs/profiling.md)\n"
         "  symbolize    print each fault report of a serial log with function, file and line\n"
         "               for every frame, from the PDs' ELF files (docs/debugging.md)\n"
         "  coredump     turn the crash dumps of a serial log into DIR/<pd>.core files that\n"
         "               gdb opens with the PD's ELF (docs/debugging.md)\n"
         "\n"
         "positional arguments:\n"
         "  system       the system description file\n"
         "\n"
         "options:\n"
         "  -h, --help                        show this help message and exit\n"
         "  --version                         show the version and exit\n"
         "  --board BOARD                     the target board (see 'microkit boards')\n"
         "  --config CONFIG                   the configuration: debug, release, ...\n"
         "  --search-path [SEARCH_PATH ...]   folders holding program images and prefill\n"
         "                                    files; the current directory is searched last\n"
         "  -o, --output OUTPUT               the image to write (default: loader.img)\n"
         "  -r, --report REPORT               the report to write (default: report.txt)\n"
         "  --image-type {binary,elf,uimage}  the image format (default: the board's)\n"
         "  --override-kernel KERNEL          use this kernel ELF (for debugging purposes)\n"
         "  --capdl-json CAPDL_SPEC           write the capDL spec as JSON (the official form)\n"
         "  --capdl CAPDL_FILE                write the capDL spec as capDL text (.cdl)\n"
         "  --capdl-json-extended FILE        the JSON plus caps the official form lacks (for checkers)\n"
         "  --viper-output DIRECTORY_PATH     accepted; no Viper files are written (a warning)\n"
         "  --cspace-headers DIR              write DIR/<pd>_cspace.h: each PD's granted caps\n"
         "  --authority-json FILE             write what each PD can reach, as JSON\n"
         "  --diagram FILE                    also write the system drawn as an HTML page\n"
         "  --trace                           record the event timeline: a ring per PD (programs\n"
         "                                    linked with -lmicrokit_trace; docs/tracing.md)\n"
         "  --trace-ring BYTES                each PD's ring (default 0x10000); implies --trace\n"
         "  --trace-json OUT                  run, trace: where the trace JSON goes (trace.json)\n"
         "  --trace-log LOG                   trace: the serial log to read\n"
         "  --profile-log LOG                 profile: the serial log to read\n"
         "  --gdb-stub                        add a GDB debugger PD on the UART, write IMAGE.gdb\n"
         "                                    (seL4 AArch64 debug; docs/debugging.md)\n"
         "  --no-fault-symbols                fault backtraces as addresses only: embed no\n"
         "                                    symbol tables (seL4 debug; docs/debugging.md)\n"
         "\n"
         "run options (passed to the host launcher; docs/host-platform.md):\n"
         "  --until NS                        end the run when virtual time would pass NS ns\n"
         "  --watchdog S                      real seconds a PD may run without entering the\n"
         "                                    launcher (default 10)\n"
         "  --gdb PD                          run protection domain PD under gdb\n"
         "  --gdb-port N                      gdbserver's port (default 1234)\n"
         "  --serial-input FILE               bytes for the serial device's input\n"
         "  --free-running                    run PDs concurrently (not deterministic)\n"
         "  --profile-out PREFIX              with an SDF <profiler>: write PREFIX.perf (perf\n"
         "                                    script) and PREFIX.txt (default: profile)\n"
         "\n"
         "run options for QEMU boards (docs/cli.md; the board's QEMU command is in its\n"
         "board file):\n"
         "  -o IMAGE                          keep the image there (default: a temporary file)\n"
         "  --timeout S                       stop QEMU after S seconds (default: run until\n"
         "                                    QEMU exits; Ctrl-A x quits it)\n"
         "  -- QEMU_ARG ...                   words added to the board's QEMU command\n"
         "\n"
         "exit status: 0 success, 1 error in the input or on the command line,\n"
         "             3 internal error (a bug in microkit: please report it)\n";
}

}  // namespace microkit::driver
