// The event timeline on the command line (see trace_commands.h).
#include "driver/trace_commands.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "driver/files.h"
#include "driver/print.h"
#include "elf/elf_file.h"
#include "profile/perf_script.h"
#include "trace/chrome_trace.h"
#include "trace/trace_buffers.h"
#include "runtime/shared/trace_format.h"

namespace microkit::driver {
namespace {

std::string at_cwd(const Environment& env, const std::string& path) {
  return (std::filesystem::path(env.cwd) / path).string();
}

// The launcher's dump at `path`, which is then removed; an error naming
// `what` when it wrote none.
std::optional<std::string> take_dump(const std::string& path, const std::string& what, Diagnostics& diags) {
  std::string why;
  auto text = read_file(path, why);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!text)
    diags.error(what + "-dump-missing", kToolName, {}, "the launcher wrote no " + what + " dump (" + why + ")",
                "check the launcher's output above");
  return text;
}

// Writes the JSON of `log_text` (a dump, or a serial log holding one).
bool convert(const Options& opts, const Environment& env, const plan::Plan& plan,
             const std::string& log_text, const std::string& log_name, Diagnostics& diags) {
  trace::Dump dump = trace::parse_dump(log_text, plan, log_name, diags);
  if (dump.events.empty()) {
    diags.error("trace-empty", log_name, {}, "no trace events in '" + log_name + "'",
                "build the system with --trace and its programs with the trace libmicrokit "
                "(-lmicrokit_trace); on seL4 use a debug configuration, whose console carries the dump");
    return false;
  }
  if (dump.bad_lines > 0)
    diags.warning("trace-bad-lines", log_name, {},
                  std::to_string(dump.bad_lines) + " trace lines could not be read and were skipped",
                  "output of another PD may have cut into them");
  for (size_t i = 0; i < dump.lost.size(); ++i)
    if (dump.lost[i] > 0)
      diags.warning("trace-events-lost", log_name, {},
                    std::to_string(dump.lost[i]) + " events of '" + plan.pds[i].name +
                        "' were overwritten before they were dumped",
                    "give a larger --trace-ring");
  std::string out = at_cwd(env, opts.trace_json.value_or("trace.json"));
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << trace::chrome_json(dump, plan, opts.system);
  if (f.flush()) return true;
  diags.error("cannot-write", kToolName, {}, "cannot write the trace '" + out + "'",
              "check that --trace-json names a file you can write");
  return false;
}

}  // namespace

bool add_trace_if_asked(const Options& opts, const CheckedSystem& checked, plan::Plan& plan,
                        Diagnostics& diags) {
  if (!opts.trace) return true;
  return trace::add_trace_buffers(plan, checked.sd, checked.inputs, checked.board,
                                  opts.trace_ring.value_or(trace::kDefaultRingBytes), diags);
}

std::string make_dump_path() {
  std::string path = (std::filesystem::temp_directory_path() / "microkit-trace-XXXXXX").string();
  int fd = mkstemp(path.data());
  if (fd < 0) return "";
  close(fd);
  return path;
}

bool write_trace_json(const Options& opts, const Environment& env, const plan::Plan& plan,
                      const std::string& dump_path, Diagnostics& diags) {
  auto text = take_dump(dump_path, "trace", diags);
  if (!text) return false;
  return convert(opts, env, plan, *text, "trace dump", diags);
}

std::vector<std::string> profile_launcher_args(const sdf::SystemDescription& sd,
                                               const std::string& dump_path) {
  if (!sd.profiler || dump_path.empty()) return {};
  return {"--profile-hz", std::to_string(sd.profiler->frequency), "--profile-dump", dump_path};
}

namespace {

bool write_text(const std::string& path, const std::string& text, Diagnostics& diags) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (f.flush()) return true;
  diags.error("cannot-write", kToolName, {}, "cannot write the profile '" + path + "'",
              "check that --profile-out names a folder you can write to");
  return false;
}

}  // namespace

namespace {

// Samples (a launcher's dump or a serial log) as the two files.
bool write_profile_of(const Options& opts, const Environment& env, const plan::Plan& plan,
                      const std::string& text, const std::string& what, Diagnostics& diags) {
  auto pds = profile::parse_samples(text, plan, what, diags);
  // Each PD's own program symbolises its pcs.
  std::vector<std::optional<elf::ElfFile>> elves;
  std::vector<const elf::ElfFile*> programs;
  for (const plan::Pd& pd : plan.pds) {
    Diagnostics ignored;
    elves.push_back(pd.program_path.empty() ? std::nullopt : elf::read_elf(pd.program_path, ignored));
  }
  for (const auto& e : elves) programs.push_back(e ? &*e : nullptr);
  std::string prefix = at_cwd(env, opts.profile_out);
  return write_text(prefix + ".perf", profile::perf_script(pds, plan, programs), diags) &&
         write_text(prefix + ".txt", profile::utilisation_table(pds, plan, programs), diags);
}

}  // namespace

bool write_profile(const Options& opts, const Environment& env, const plan::Plan& plan,
                   const std::string& dump_path, Diagnostics& diags) {
  auto text = take_dump(dump_path, "profile", diags);
  return text && write_profile_of(opts, env, plan, *text, "profile dump", diags);
}

int profile_command(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result, /*load_files=*/true);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  auto plan = plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags);
  std::string why;
  auto text = read_file(at_cwd(env, *opts.profile_log), why);
  if (!text)
    diags.error("profile-log-unreadable", kToolName, {}, "cannot read the log '" + *opts.profile_log + "': " + why,
                "give the file the serial output was saved to");
  bool ok = plan && text && write_profile_of(opts, env, *plan, *text, *opts.profile_log, diags);
  print_diagnostics(diags, result.err, {opts.system, checked->sdf_text});
  return ok ? kExitOk : kExitUserError;
}

int trace_command(const Options& opts, const Environment& env, Result& result) {
  auto checked = check_system(opts, env, result, /*load_files=*/false);
  if (!checked) return kExitUserError;
  Diagnostics diags;
  auto plan = plan::build(checked->sd, checked->board, checked->config, checked->inputs, diags);
  std::string log_path = at_cwd(env, *opts.trace_log);
  std::string why;
  auto text = read_file(log_path, why);
  if (!text)
    diags.error("trace-log-unreadable", kToolName, {}, "cannot read the log '" + *opts.trace_log + "': " + why,
                "give the file the serial output was saved to");
  bool ok = plan && text && convert(opts, env, *plan, *text, *opts.trace_log, diags);
  print_diagnostics(diags, result.err, {opts.system, checked->sdf_text});
  return ok ? kExitOk : kExitUserError;
}

}  // namespace microkit::driver
