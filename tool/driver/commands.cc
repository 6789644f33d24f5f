// The verbs: what each form of the command line does once its options are
// parsed. Each function appends to the Result and returns the exit code.
#include <filesystem>
#include <fstream>

#include "driver/check.h"
#include "driver/debug_commands.h"
#include "driver/driver.h"
#include "driver/options.h"
#include "driver/print.h"
#include "support/text.h"
#include "host/run.h"
#include "sel4/build_image.h"
#include "sel4/cspace_header.h"
#include "report/authority.h"

#ifndef MICROKIT_VERSION
#define MICROKIT_VERSION "0.0.0"
#endif

namespace microkit::driver {

namespace {

int fail(Result& result, const Diagnostics& diags) {
  print_diagnostics(diags, result.err);
  return kExitUserError;
}

std::string pad(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

int list_boards(const Environment& env, Result& result) {
  Diagnostics diags;
  board::BoardDatabase db = board::load_boards(env.boards_dir, diags);
  print_diagnostics(diags, result.err);
  size_t width = 0;
  for (const auto& b : db.boards) width = std::max(width, b.name.size());
  for (const auto& b : db.boards) {
    result.out +=
        pad(b.name, width + 2) + pad(board::arch_name(b.arch), 9) + join(config_names(b)) + "\n";
  }
  if (!db.boards.empty() || diags.has_errors())
    return diags.has_errors() ? kExitUserError : kExitOk;
  Diagnostics none;
  none.error("no-boards", kToolName, {}, "no boards found in " + env.boards_dir,
             "set MICROKIT_BOARDS to the folder holding the <board>.json files");
  return fail(result, none);
}

int check(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  // Planning is pure and quick: it finds what only the programs can tell
  // (setvar symbols missing or too small), as a build would.
  Diagnostics diags;
  if (!plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags)) {
    print_diagnostics(diags, result.err, {opts.system, checked->sdf_text});
    return kExitUserError;
  }
  result.out += summary_line(opts.system, checked->sd) + "\n";
  return kExitOk;
}

// The launcher's options as parsed, with the --serial-input file made
// absolute: a relative path starts at env.cwd, not at the launcher's folder.
std::vector<std::string> launcher_args(const Options& opts, const Environment& env) {
  std::vector<std::string> args = opts.launcher_args;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--serial-input")
      args[i + 1] = (std::filesystem::path(env.cwd) / args[i + 1]).string();
  return args;
}

int run_on_host(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  if (checked->board.arch != board::Arch::Host) {
    diags.error(
        "run-needs-host", kToolName, {},
        "'microkit run' runs systems on the host board, not on '" + checked->board.name + "'",
        "use --board host, or build an image for " + checked->board.name +
            " with: microkit SYSTEM --board " + checked->board.name + " --config C");
    return fail(result, diags);
  }
  // Plan, then hand the plan to the host back end, which runs the launcher
  // (its output goes straight to stdout) and returns the launcher's status.
  auto plan = plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags);
  if (!plan) return fail(result, diags);
  host::RunOptions run_options;
  run_options.system_file = opts.system;
  run_options.launcher_args = launcher_args(opts, env);
  int status = host::run(*plan, run_options, diags);
  if (!diags.empty()) print_diagnostics(diags, result.err, {opts.system, checked->sdf_text});
  return status;
}

// The image format asked for must be one the board's architecture boots.
void check_image_type(const Options& opts, const board::Board& board, Diagnostics& diags) {
  using board::Arch;
  ImageType t = opts.image_type;
  bool ok =
      t == ImageType::Unspecified || (t == ImageType::Elf && board.arch != Arch::Host) ||
      (t == ImageType::Binary && (board.arch == Arch::AArch64 || board.arch == Arch::RiscV64)) ||
      (t == ImageType::Uimage && (board.arch == Arch::AArch64 || board.arch == Arch::RiscV64));
  if (ok) return;
  diags.error("image-type-unsupported", kToolName, {},
              std::string("--image-type ") + image_type_name(t) + " is not supported for " +
                  board::arch_name(board.arch) + " (board " + board.name + ")",
              "aarch64 boots binary, elf or uimage, riscv64 binary, uimage or elf, x86_64 elf; "
              "omit --image-type for the board's default");
}

// The format to write: the one asked for, else the board's default as in
// the official tool: ELF on x86-64, a uImage on riscv64 (QEMU's -kernel,
// the manual's command, loads it at the loader address; a raw binary would
// land on the kernel's own address), a raw binary on AArch64.
sel4::ImageFormat image_format(ImageType requested, const board::Board& board) {
  if (requested == ImageType::Elf) return sel4::ImageFormat::Elf;
  if (requested == ImageType::Uimage) return sel4::ImageFormat::Uimage;
  if (requested == ImageType::Unspecified && board.arch == board::Arch::RiscV64)
    return sel4::ImageFormat::Uimage;
  if (requested == ImageType::Unspecified && board.arch == board::Arch::X86_64)
    return sel4::ImageFormat::Elf;
  return sel4::ImageFormat::Binary;
}

// Outputs that are asked for but that no back end produces yet.
void check_unsupported_outputs(const Options& opts, const Environment& env,
                               const board::Board& board, Diagnostics& diags) {
  bool capdl_asked = opts.capdl_json || opts.capdl_text || opts.capdl_json_extended;
  bool capdl_arch = board.arch == board::Arch::AArch64 || board.arch == board::Arch::RiscV64 ||
                    board.arch == board::Arch::X86_64;
  if (capdl_asked && !capdl_arch)
    diags.error("not-supported-yet", kToolName, {},
                std::string("--capdl-json and --capdl are not supported yet for ") +
                    board::arch_name(board.arch) + " (board " + board.name + ")",
                "omit them; capDL output exists for the seL4 AArch64, RISC-V 64 and x86-64 back ends");
  // Viper files are a view for the official tool's verification work; the
  // build does not need them, so it goes on without them.
  if (opts.viper_output)
    diags.warning("viper-output-not-written", kToolName, {},
                  "--viper-output: no Viper files are written to '" + *opts.viper_output +
                      "' (this tool does not produce the Viper view of the system); the image "
                      "and the report are built as usual",
                  "use --capdl-json or --capdl for a machine-readable description of the system");
  if (opts.cspace_headers && board.arch == board::Arch::Host)
    diags.warning("cli-ignored-option", kToolName, {},
                  "--cspace-headers has no effect on the host board: host PDs have no capabilities",
                  "omit --cspace-headers");
  if (opts.override_kernel && board.arch == board::Arch::Host) {
    diags.warning("cli-ignored-option", kToolName, {},
                  "--override-kernel has no effect on the host board", "omit --override-kernel");
    return;
  }
  std::error_code ec;
  if (opts.override_kernel &&
      !std::filesystem::is_regular_file(std::filesystem::path(env.cwd) / *opts.override_kernel, ec))
    diags.error("kernel-not-found", kToolName, {},
                "kernel ELF '" + *opts.override_kernel + "' (--override-kernel) does not exist",
                "check the path; a relative path starts at the current directory");
}

// --cspace-headers DIR: DIR/<pd>_cspace.h for every PD (docs/cspace.md).
bool write_cspace_headers(const plan::Plan& plan, const std::string& dir, const std::string& system,
                          Diagnostics& diags) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (size_t i = 0; i < plan.pds.size(); ++i) {
    auto path = std::filesystem::path(dir) / sel4::cspace_header_name(plan.pds[i].name);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << sel4::cspace_header(plan, i, system);
    if (f.flush()) continue;
    diags.error("cannot-write", kToolName, {}, "cannot write the CSpace header '" + path.string() + "'",
                "check that --cspace-headers names a folder you can write to");
    return false;
  }
  return true;
}

// --authority-json FILE: report::authority_json of the Plan.
bool write_authority_json(const plan::Plan& plan, const std::string& path, Diagnostics& diags) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << report::authority_json(report::authority(plan));
  if (f.flush()) return true;
  diags.error("cannot-write", kToolName, {}, "cannot write the authority report '" + path + "'",
              "check that --authority-json names a file you can write");
  return false;
}

// The host "image" is the bundle the launcher runs (host/bundle_format.h).
int build_host_bundle(const Options& opts, const Environment& env, const CheckedSystem& checked,
                      Result& result) {
  Diagnostics diags;
  auto plan = plan::build(checked.sd, checked.board, checked.config, checked.inputs, diags);
  std::string path = (std::filesystem::path(env.cwd) / opts.output).string();
  bool written = plan && host::write_bundle(*plan, opts.system, path, diags);
  if (written && opts.authority_json)
    written = write_authority_json(*plan, (std::filesystem::path(env.cwd) / *opts.authority_json).string(),
                                   diags);
  print_diagnostics(diags, result.err, {opts.system, checked.sdf_text});
  return written && !diags.has_errors() ? kExitOk : kExitUserError;
}

// The official capDL JSON (rust-sel4's capDL spec types, which the
// official tool writes and its initializer reads) has no SchedControl
// capability, so --capdl-json of a system granting one is refused at the
// grant; the .cdl (--capdl) and --capdl-json-extended hold it (cspace.md).
bool capdl_can_describe(const Options& opts, const plan::Plan& plan, const sdf::SystemDescription& sd,
                        Diagnostics& diags) {
  if (!opts.capdl_json) return true;
  bool ok = true;
  for (const plan::Pd& pd : plan.pds)
    for (const plan::ExtraCap& e : pd.extra_caps) {
      if (e.kind != plan::ExtraCap::Kind::SchedControl) continue;
      diags.error("capdl-sched-control-unsupported", sd.file, e.loc,
                  "protection domain '" + pd.name + "' is granted a SchedControl capability, and the "
                  "official capDL JSON format (--capdl-json: rust-sel4's capDL spec, which the "
                  "official initializer reads) has no SchedControl capability to write it as",
                  "write the system as capDL text with --capdl, whose sched_control (core: N) "
                  "holds it (or --capdl-json-extended, which is not the official form)");
      ok = false;
    }
  return ok;
}

// `microkit headers`: the CSpace headers from the SDF alone, so that a
// Makefile can make them before it compiles the programs that include them.
int headers(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result, /*load_files=*/false);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  if (checked->board.arch == board::Arch::Host) {
    diags.error("cspace-headers-on-host", kToolName, {},
                "the host board has no capabilities, so there are no CSpace headers to write",
                "use an seL4 board, e.g. --board qemu_virt_aarch64");
    return fail(result, diags);
  }
  auto plan = plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags);
  std::string dir = (std::filesystem::path(env.cwd) / opts.cspace_headers.value_or(".")).string();
  bool ok = plan && write_cspace_headers(*plan, dir, opts.system, diags);
  print_diagnostics(diags, result.err);
  return ok && !diags.has_errors() ? kExitOk : kExitUserError;
}

int build(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  check_image_type(opts, checked->board, diags);
  check_unsupported_outputs(opts, env, checked->board, diags);
  if (diags.has_errors()) return fail(result, diags);
  print_diagnostics(diags, result.err);  // warnings
  if (checked->board.arch == board::Arch::Host)
    return build_host_bundle(opts, env, *checked, result);
  // seL4 boards: the seL4 back end (tool/sel4/build_image.h).
  Diagnostics sel4_diags;
  auto plan =
      plan::build(checked->sd, checked->board, checked->config, checked->inputs, sel4_diags);
  auto at_cwd = [&](const std::string& p) { return (std::filesystem::path(env.cwd) / p).string(); };
  sel4::CliRequest req{
      checked->board.name,
      checked->config.name,
      at_cwd(opts.output),
      at_cwd(opts.report),
      image_format(opts.image_type, checked->board),
      opts.override_kernel ? std::optional(at_cwd(*opts.override_kernel)) : std::nullopt,
      &checked->sd,
      checked->package.get(),
      opts.capdl_json ? std::optional(at_cwd(*opts.capdl_json)) : std::nullopt,
      opts.capdl_text ? std::optional(at_cwd(*opts.capdl_text)) : std::nullopt,
      opts.capdl_json_extended ? std::optional(at_cwd(*opts.capdl_json_extended)) : std::nullopt,
      checked->board.arch};
  bool built = plan && capdl_can_describe(opts, *plan, checked->sd, sel4_diags) &&
               sel4::build_sel4_for_cli(*plan, checked->inputs, req, sel4_diags);
  if (built && opts.cspace_headers)
    built = write_cspace_headers(*plan, at_cwd(*opts.cspace_headers), opts.system, sel4_diags);
  if (built && opts.authority_json)
    built = write_authority_json(*plan, at_cwd(*opts.authority_json), sel4_diags);
  print_diagnostics(sel4_diags, result.err, {opts.system, checked->sdf_text});
  return built && !sel4_diags.has_errors() ? kExitOk : kExitUserError;
}

}  // namespace

Result run_command(const std::vector<std::string>& args, const Environment& env) {
  Result result;
  if (auto code = run_debug_command(args, env, result)) {
    result.exit_code = *code;
    return result;
  }
  Diagnostics diags;
  auto opts = parse_options(args, diags);
  print_diagnostics(diags, result.err);
  if (!opts) {
    result.exit_code = kExitUserError;
    return result;
  }
  switch (opts->verb) {
    case Verb::Help: result.out = help_text(); break;
    case Verb::Version: result.out = std::string("microkit ") + MICROKIT_VERSION + "\n"; break;
    case Verb::Boards: result.exit_code = list_boards(env, result); break;
    case Verb::Check: result.exit_code = check(*opts, env, result); break;
    case Verb::Run: result.exit_code = run_on_host(*opts, env, result); break;
    case Verb::Build: result.exit_code = build(*opts, env, result); break;
    case Verb::Headers: result.exit_code = headers(*opts, env, result); break;
  }
  return result;
}

}  // namespace microkit::driver
