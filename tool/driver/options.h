// Options: the `microkit` command line, parsed into data.
//
// Compatible with the official tool so existing Makefiles keep working:
//
//   microkit SYSTEM --board B --config C [--search-path DIR...] [-o IMAGE] [-r REPORT] ...
//
// plus verbs, which come first and never clash with the legacy form because
// a system description is a file path, not one of the verb words:
//
//   microkit check SYSTEM --board B [--config C] [--search-path DIR...]
//   microkit run SYSTEM [--board host] [--config C] [--search-path DIR...]
//                [--until NS] [--watchdog S] [--gdb PD] [--gdb-port N]
//                [--serial-input FILE] [--free-running]
//   microkit diagram SYSTEM --board B [--config C] [--search-path DIR...] [-o PAGE]
//   microkit boards
//   microkit trace SYSTEM --board B [--config C] --trace-log LOG [--trace-json OUT]
//
// Parsing is pure (no file system, no board database): it checks the shape of
// the command line only. Whether a board or config exists is decided later,
// against the board database. Every problem found is reported, not just the
// first; command-line diagnostics use the file name "microkit" and no location.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::driver {

enum class Verb { Build, Check, Run, Boards, Help, Version, Headers, Diagram, Trace, Profile };
enum class ImageType { Unspecified, Binary, Elf, Uimage };

const char* verb_name(Verb verb);
const char* image_type_name(ImageType type);

struct Options {
  Verb verb = Verb::Build;
  std::string system;  // the SDF path, as typed
  std::optional<std::string> board;
  std::optional<std::string> config;      // required for Build only
  std::vector<std::string> search_paths;  // in the order given
  std::string output = "loader.img";      // -o, as the official default
  bool output_given = false;              // -o was on the line (`run` keeps the image then)
  std::string report = "report.txt";      // -r, as the official default
  ImageType image_type = ImageType::Unspecified;
  std::optional<std::string> capdl_json;  // --capdl-json: the official JSON form
  std::optional<std::string> capdl_text;  // --capdl: capDL text (.cdl)
  // --capdl-json-extended: the JSON form plus what it has no variant for
  // (a granted SchedControl cap), for checking tools (docs/cli.md)
  std::optional<std::string> capdl_json_extended;
  std::optional<std::string> override_kernel;
  std::optional<std::string> viper_output;
  std::optional<std::string> cspace_headers;  // DIR for <pd>_cspace.h (docs/cspace.md)
  std::optional<std::string> authority_json;  // FILE: the authority report as JSON
  // --diagram FILE, or `microkit diagram`'s -o (default diagram.html): the
  // system drawn as an HTML page (report/diagram.h)
  std::optional<std::string> diagram;
  // --gdb-stub: add the debugger PD (seL4, AArch64 debug) and write
  // <image>.gdb beside the image (docs/debugging.md, "GDB on a live system")
  bool gdb_stub = false;
  // --no-fault-symbols: embed no per-PD symbol tables for fault backtraces
  // (seL4 debug configurations; docs/debugging.md)
  bool fault_symbols = true;
  // `run` only: the host launcher's options, in the launcher's syntax and in
  // the order given, e.g. {"--until", "5000000", "--free-running"}. Numbers
  // are checked here (the launcher itself does not); --serial-input is as typed.
  std::vector<std::string> launcher_args;
  // The event timeline (docs/tracing.md): --trace (build, run) adds a ring
  // per PD of trace_ring bytes (--trace-ring implies --trace); `run` writes
  // the timeline to trace_json; `trace` converts trace_log into trace_json.
  bool trace = false;
  std::optional<uint64_t> trace_ring;
  std::optional<std::string> trace_json;
  std::optional<std::string> trace_log;
  // `run` on a QEMU board: --timeout S stops QEMU after S real seconds; the
  // words after "--" are added to the board's QEMU command.
  std::optional<double> qemu_timeout;
  std::vector<std::string> qemu_args;
  // `run` with an SDF <profiler>: where the perf script text (PREFIX.perf)
  // and the utilisation table (PREFIX.txt) go (docs/profiling.md).
  std::string profile_out = "profile";
  // `profile`: the serial log of an seL4 system with a <profiler>.
  std::optional<std::string> profile_log;
};

// The name used for command-line diagnostics ("microkit: error: ...").
inline constexpr const char* kToolName = "microkit";

// Parses `args` (without the program name). Returns the options when there
// was no error; warnings (e.g. an option the verb ignores) may still be added.
std::optional<Options> parse_options(const std::vector<std::string>& args, Diagnostics& diags);

// One-line usage, and the full --help text.
std::string usage_text();
std::string help_text();

}  // namespace microkit::driver
