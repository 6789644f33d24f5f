// The verbs: what each form of the command line does once its options are
// parsed. Each function appends to the Result and returns the exit code.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <unistd.h>
#include <fstream>

#include "driver/check.h"
#include "driver/child.h"
#include "driver/debug_commands.h"
#include "driver/driver.h"
#include "driver/options.h"
#include "driver/print.h"
#include "driver/trace_commands.h"
#include "gdb/gdb_stub.h"
#include "support/text.h"
#include "host/run.h"
#include "sel4/build_image.h"
#include "sel4/cspace_header.h"
#include "report/authority.h"
#include "report/diagram.h"

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

// Whether `program` is an executable file in one of $PATH's folders.
bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string folders = path ? path : "";
  std::error_code ec;
  for (size_t start = 0; start <= folders.size();) {
    size_t end = folders.find(':', start);
    if (end == std::string::npos) end = folders.size();
    auto candidate = std::filesystem::path(folders.substr(start, end - start)) / program;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// The C compilers PDs of `arch` are built with (the examples' TOOLCHAIN-gcc).
std::vector<std::string> pd_compilers(board::Arch arch) {
  switch (arch) {
    case board::Arch::AArch64: return {"aarch64-linux-gnu-gcc", "aarch64-none-elf-gcc"};
    case board::Arch::RiscV64: return {"riscv64-linux-gnu-gcc", "riscv64-unknown-elf-gcc"};
    case board::Arch::X86_64: return {"x86_64-linux-gnu-gcc", "gcc"};
    case board::Arch::Host: return {"cc", "gcc", "clang"};
  }
  return {};
}

// The configs of `board`, each marked "*" when this tool can make images for it.
std::string marked_configs(const board::Board& board, std::string& first_missing) {
  std::string out;
  for (const auto& c : board.configs) {
    std::string missing = board.arch == board::Arch::Host
                              ? ""
                              : sel4::missing_image_inputs(board.name, c.name, board.arch);
    if (!missing.empty() && first_missing.empty()) first_missing = c.name + ": " + missing;
    out += (out.empty() ? "" : ", ") + c.name + (missing.empty() ? "*" : "");
  }
  return out;
}

// What keeps a board from being used here, one note a line.
std::vector<std::string> board_notes(const board::Board& board, const std::string& configs,
                                     const std::string& first_missing) {
  std::vector<std::string> notes;
  if (configs.find('*') == std::string::npos) {
    std::string how;
    if (first_missing.find("kernel package") != std::string::npos) how += "; docs/kernel-package.md says how to build one";
    if (first_missing.find("no loader") != std::string::npos || first_missing.find("initial task") != std::string::npos)
      how += "; an SDK's bin/microkit (ninja sdk) has them, or set MICROKIT_SDK";
    notes.push_back("no images here (" + first_missing + how + ")");
  }
  auto compilers = pd_compilers(board.arch);
  if (std::none_of(compilers.begin(), compilers.end(), on_path))
    notes.push_back("no compiler for its PDs (" + join(compilers, " or ") + ")");
  if (board.qemu && !board.qemu->command.empty() && !on_path(board.qemu->command.front()))
    notes.push_back("'microkit run' needs " + board.qemu->command.front() + ", which is not installed");
  return notes;
}

int list_boards(const Environment& env, Result& result) {
  Diagnostics diags;
  board::BoardDatabase db = board::load_boards(env.boards_dir, diags);
  print_diagnostics(diags, result.err);
  size_t width = 0;
  for (const auto& b : db.boards) width = std::max(width, b.name.size());
  for (const auto& b : db.boards) {
    std::string first_missing;
    std::string configs = marked_configs(b, first_missing);
    result.out += pad(b.name, width + 2) + pad(board::arch_name(b.arch), 9) + configs + "\n";
    for (const auto& note : board_notes(b, configs, first_missing))
      result.out += pad("", width + 2 + 9) + "note: " + note + "\n";
  }
  if (!db.boards.empty())
    result.out += "\n* this tool can make images for the configuration (for seL4: the kernel package,\n"
                  "  the loader and the initial task are found); 'microkit run' boots them on the\n"
                  "  host board and, with QEMU, on every board with a QEMU command\n";
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

int run_on_host(const Options& opts, const Environment& env, const CheckedSystem& checked,
                Result& result) {
  Diagnostics diags;
  if (opts.qemu_timeout || !opts.qemu_args.empty() || opts.output_given) {
    diags.error("run-qemu-option-on-host", kToolName, {},
                "--timeout, -o and '-- QEMU_ARG ...' apply to QEMU boards, not to the host board",
                "on the host board, end a run with --until NS (virtual time) or --watchdog S");
    return fail(result, diags);
  }
  // Plan, then hand the plan to the host back end, which runs the launcher
  // (its output goes straight to stdout) and returns the launcher's status.
  auto plan = plan::build(checked.sd, checked.board, checked.config, checked.inputs, diags);
  if (!plan || !add_trace_if_asked(opts, checked, *plan, diags)) return fail(result, diags);
  host::RunOptions run_options;
  run_options.system_file = opts.system;
  run_options.launcher_args = launcher_args(opts, env);
  std::string dump = opts.trace ? make_dump_path() : "";
  if (!dump.empty()) run_options.launcher_args.insert(run_options.launcher_args.end(), {"--trace-dump", dump});
  std::string samples = checked.sd.profiler ? make_dump_path() : "";
  for (auto& arg : profile_launcher_args(checked.sd, samples)) run_options.launcher_args.push_back(arg);
  int status = host::run(*plan, run_options, diags);
  if (!dump.empty() && !write_trace_json(opts, env, *plan, dump, diags) && status == 0)
    status = kExitUserError;
  if (!samples.empty() && !write_profile(opts, env, *plan, samples, diags) && status == 0)
    status = kExitUserError;
  if (!diags.empty()) print_diagnostics(diags, result.err, {opts.system, checked.sdf_text});
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

// --diagram FILE on the host board, or any board's page without a physical
// map: report::diagram_html of the Plan.
bool write_diagram(const plan::Plan& plan, const CheckedSystem& checked, const std::string& path,
                   Diagnostics& diags) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << report::diagram_html({&plan, &checked.sd, checked.sdf_text, nullptr});
  if (f.flush()) return true;
  diags.error("cannot-write", kToolName, {}, "cannot write the diagram '" + path + "'",
              "check that the page's path names a file you can write");
  return false;
}

// The host "image" is the bundle the launcher runs (host/bundle_format.h).
int build_host_bundle(const Options& opts, const Environment& env, const CheckedSystem& checked,
                      Result& result) {
  Diagnostics diags;
  auto plan = plan::build(checked.sd, checked.board, checked.config, checked.inputs, diags);
  if (plan && !add_trace_if_asked(opts, checked, *plan, diags)) plan.reset();
  std::string path = (std::filesystem::path(env.cwd) / opts.output).string();
  bool written = plan && host::write_bundle(*plan, opts.system, path, diags);
  if (written && opts.authority_json)
    written = write_authority_json(*plan, (std::filesystem::path(env.cwd) / *opts.authority_json).string(),
                                   diags);
  if (written && opts.diagram)
    written = write_diagram(*plan, checked, (std::filesystem::path(env.cwd) / *opts.diagram).string(), diags);
  print_diagnostics(diags, result.err, {opts.system, checked.sdf_text});
  return written && !diags.has_errors() ? kExitOk : kExitUserError;
}

// The official capDL JSON (rust-sel4's capDL spec types, which the
// official tool writes and its initializer reads) has no SchedControl
// capability, so --capdl-json of a system granting one is refused at the
// grant; the .cdl (--capdl) and --capdl-json-extended hold it (cspace.md).
// An x86 VT-x guest (EPT tables, a vCPU on the VMM's own TCB) is not in
// this tool's capDL model: every capDL output of one is refused.
bool capdl_can_describe_vms(const Options& opts, const sdf::SystemDescription& sd, board::Arch arch,
                            Diagnostics& diags) {
  if (!(opts.capdl_json || opts.capdl_text || opts.capdl_json_extended) || arch != board::Arch::X86_64)
    return true;
  for (const auto& pd : sd.pds) {
    if (!pd.vm) continue;
    diags.error("capdl-x86-vm-unsupported", sd.file, pd.vm->loc,
                "virtual machine '" + pd.vm->name + "': capDL output (--capdl-json, --capdl, "
                "--capdl-json-extended) does not describe x86 VT-x guests (EPT tables, a vCPU bound "
                "to the VMM's thread) yet",
                "build the image without the capDL options; the report (--report) lists the VM's objects");
    return false;
  }
  return true;
}

bool capdl_can_describe(const Options& opts, const plan::Plan& plan, const sdf::SystemDescription& sd,
                        board::Arch arch, Diagnostics& diags) {
  if (!capdl_can_describe_vms(opts, sd, arch, diags)) return false;
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

// --gdb-stub: IMAGE.gdb (the image's path with the extension .gdb) loads
// every PD's program, by absolute path, as its GDB inferior.
bool write_gdb_script(const plan::Plan& plan, const std::string& image, const std::string& cwd,
                      Diagnostics& diags) {
  std::vector<std::string> programs;
  for (const plan::Pd& pd : plan.pds)
    programs.push_back(pd.program_path.empty() ? ""
                                               : (std::filesystem::path(cwd) / pd.program_path).lexically_normal().string());
  std::string path = std::filesystem::path(image).replace_extension(".gdb").string();
  std::ofstream f(path, std::ios::trunc);
  f << gdb::gdb_script(plan, programs);
  if (f) return true;
  diags.error("cannot-write-output", path, {}, "cannot write the gdb script '" + path + "'",
              "check that the folder exists and is writable");
  return false;
}

int build_checked(const Options& opts, const Environment& env, const CheckedSystem& checked,
                  Result& result) {
  Diagnostics diags;
  check_image_type(opts, checked.board, diags);
  check_unsupported_outputs(opts, env, checked.board, diags);
  if (diags.has_errors()) return fail(result, diags);
  print_diagnostics(diags, result.err);  // warnings
  if (checked.board.arch == board::Arch::Host)
    return build_host_bundle(opts, env, checked, result);
  // seL4 boards: the seL4 back end (tool/sel4/build_image.h).
  Diagnostics sel4_diags;
  auto plan =
      plan::build(checked.sd, checked.board, checked.config, checked.inputs, sel4_diags);
  if (plan && !add_trace_if_asked(opts, checked, *plan, sel4_diags)) plan.reset();
  auto at_cwd = [&](const std::string& p) { return (std::filesystem::path(env.cwd) / p).string(); };
  sel4::CliRequest req{
      checked.board.name,
      checked.config.name,
      at_cwd(opts.output),
      at_cwd(opts.report),
      image_format(opts.image_type, checked.board),
      opts.override_kernel ? std::optional(at_cwd(*opts.override_kernel)) : std::nullopt,
      &checked.sd,
      checked.package.get(),
      opts.capdl_json ? std::optional(at_cwd(*opts.capdl_json)) : std::nullopt,
      opts.capdl_text ? std::optional(at_cwd(*opts.capdl_text)) : std::nullopt,
      opts.capdl_json_extended ? std::optional(at_cwd(*opts.capdl_json_extended)) : std::nullopt,
      checked.board.arch,
      opts.diagram ? std::optional(at_cwd(*opts.diagram)) : std::nullopt,
      checked.sdf_text};
  req.fault_symbols = opts.fault_symbols;
  bool built = plan && capdl_can_describe(opts, *plan, checked.sd, checked.board.arch, sel4_diags) &&
               sel4::build_sel4_for_cli(*plan, checked.inputs, req, sel4_diags);
  if (built && opts.cspace_headers)
    built = write_cspace_headers(*plan, at_cwd(*opts.cspace_headers), opts.system, sel4_diags);
  if (built && opts.authority_json)
    built = write_authority_json(*plan, at_cwd(*opts.authority_json), sel4_diags);
  if (built && opts.gdb_stub) built = write_gdb_script(*plan, at_cwd(opts.output), env.cwd, sel4_diags);
  print_diagnostics(sel4_diags, result.err, {opts.system, checked.sdf_text});
  return built && !sel4_diags.has_errors() ? kExitOk : kExitUserError;
}

// `microkit diagram`: the page alone. On seL4 boards the image is made in
// memory (not written), so the physical view is the image's own.
int diagram(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  auto plan = plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags);
  std::string page = (std::filesystem::path(env.cwd) / *opts.diagram).string();
  bool ok = plan.has_value();
  if (ok && checked->board.arch == board::Arch::Host) {
    ok = write_diagram(*plan, *checked, page, diags);
  } else if (ok) {
    sel4::CliRequest req{checked->board.name, checked->config.name, {}, {}, sel4::ImageFormat::Binary,
                         std::nullopt, &checked->sd, checked->package.get(), std::nullopt, std::nullopt,
                         std::nullopt, checked->board.arch, page, checked->sdf_text, /*write_image=*/false};
    ok = sel4::build_sel4_for_cli(*plan, checked->inputs, req, diags);
  }
  print_diagnostics(diags, result.err, {opts.system, checked->sdf_text});
  if (ok && !diags.has_errors()) result.out += "wrote " + *opts.diagram + "\n";
  return ok && !diags.has_errors() ? kExitOk : kExitUserError;
}

int build(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  return build_checked(opts, env, *checked, result);
}

// The Debian package that has QEMU for `arch`, for the hint when it is missing.
const char* qemu_package(board::Arch arch) {
  switch (arch) {
    case board::Arch::AArch64: return "qemu-system-arm";
    case board::Arch::RiscV64: return "qemu-system-misc";
    default: return "qemu-system-x86";
  }
}

// Options of the host launcher mean nothing to QEMU: refused, not dropped.
bool refuse_launcher_options(const Options& opts, const board::Board& board, Diagnostics& diags) {
  if (opts.launcher_args.empty()) return true;
  diags.error("run-host-option-on-qemu", kToolName, {},
              "option " + opts.launcher_args.front() + " is for the host board, and '" + board.name +
                  "' runs in QEMU",
              "for QEMU boards: --timeout S stops QEMU after S seconds; words after '--' go to QEMU");
  return false;
}

// The folder the image is built in: -o's, or a fresh temporary one.
std::optional<std::string> image_path(const Options& opts, const Environment& env, std::string& temp,
                                      Diagnostics& diags) {
  if (opts.output_given) return (std::filesystem::path(env.cwd) / opts.output).string();
  temp = (std::filesystem::temp_directory_path() / "microkit-run-XXXXXX").string();
  if (mkdtemp(temp.data())) return temp + "/loader.img";
  temp.clear();
  diags.error("run-temp-dir", kToolName, {}, "cannot create a temporary folder for the image",
              "set TMPDIR to a writable folder, or keep the image with -o IMAGE");
  return std::nullopt;
}

// Builds the image with the build form's own code, as `microkit SYSTEM -o IMAGE` would.
bool build_image_for_run(const Options& opts, const Environment& env, const CheckedSystem& checked,
                         const std::string& image, Result& result) {
  Options build_opts = opts;
  build_opts.verb = Verb::Build;
  build_opts.output = image;
  build_opts.report = (std::filesystem::path(image).parent_path() / "report.txt").string();
  return build_checked(build_opts, env, checked, result) == kExitOk;
}

// Shows what was said so far (warnings, the command) before QEMU owns the terminal.
void show_now(Result& result) {
  std::fputs(result.out.c_str(), stdout);
  std::fputs(result.err.c_str(), stderr);
  std::fflush(stdout);
  std::fflush(stderr);
  result.out.clear();
  result.err.clear();
}

// `microkit run` on a board QEMU emulates: 1. build the image; 2. fill in
// the board file's QEMU command (docs/boards.md); 3. run it on this
// terminal until it exits or --timeout passes.
int run_in_qemu(const Options& opts, const Environment& env, const CheckedSystem& checked,
                Result& result) {
  Diagnostics diags;
  if (!checked.board.qemu) {
    diags.error("run-no-qemu-command", kToolName, {},
                "board '" + checked.board.name + "' has no QEMU command, so 'microkit run' cannot boot it",
                "build an image (microkit SYSTEM --board " + checked.board.name +
                    " --config C -o loader.img) and load it as the board's documentation says; or "
                    "add a \"qemu\" object to its board file (docs/boards.md)");
    return fail(result, diags);
  }
  if (!refuse_launcher_options(opts, checked.board, diags)) return fail(result, diags);
  std::string temp;
  auto image = image_path(opts, env, temp, diags);
  if (!image) return fail(result, diags);
  int status = kExitUserError;
  if (build_image_for_run(opts, env, checked, *image, result)) {
    std::string kernel32 = (std::filesystem::path(*image).parent_path() / "sel4_32.elf").string();
    auto argv = board::qemu_command(checked.board, checked.config, *image, kernel32);
    argv.insert(argv.end(), opts.qemu_args.begin(), opts.qemu_args.end());
    result.err += "microkit: booting " + checked.board.name + "/" + checked.config.name + ": " +
                  join(argv, " ") + "\n" + (opts.qemu_timeout ? "" : "  (Ctrl-A x quits QEMU)\n");
    show_now(result);
    ChildResult child = run_child(argv, opts.qemu_timeout.value_or(0));
    status = child.status;
    if (!child.started) {
      diags.error("run-qemu-missing", kToolName, {}, "cannot run '" + argv.front() + "'",
                  std::string("install QEMU (Debian: apt-get install ") + qemu_package(checked.board.arch) +
                      ", or ./dev.sh install)");
      status = fail(result, diags);
    } else if (child.timed_out) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", *opts.qemu_timeout);
      result.err += std::string("microkit: stopped QEMU after ") + seconds + " s (--timeout)\n";
      status = kExitOk;
    }
  }
  std::error_code ec;
  if (!temp.empty()) std::filesystem::remove_all(temp, ec);
  return status;
}

int run(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result);
  if (!checked) return kExitUserError;
  if (checked->board.arch == board::Arch::Host) return run_on_host(opts, env, *checked, result);
  return run_in_qemu(opts, env, *checked, result);
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
    case Verb::Run: result.exit_code = run(*opts, env, result); break;
    case Verb::Build: result.exit_code = build(*opts, env, result); break;
    case Verb::Headers: result.exit_code = headers(*opts, env, result); break;
    case Verb::Diagram: result.exit_code = diagram(*opts, env, result); break;
    case Verb::Trace: result.exit_code = trace_command(*opts, env, result); break;
    case Verb::Profile: result.exit_code = profile_command(*opts, env, result); break;
  }
  return result;
}

}  // namespace microkit::driver
