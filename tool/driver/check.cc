#include "driver/check.h"
#include "profile/profiler_checks.h"
#include "profile/sel4_profiler.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "driver/files.h"
#include "driver/inputs.h"
#include "driver/print.h"
#include "gdb/gdb_stub.h"
#include "host/devices.h"
#include "kernel/kernel_limits.h"
#include "sel4/build_image.h"
#include "support/text.h"
#include "sdf/parse.h"
#include "sdf/linux_guest.h"
#include "sdf/validate.h"
#include "sdk/sdk_dir.h"
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

namespace {

RamFacts ram_of(const kernel::KernelPackage& pkg) {
  RamFacts ram;
  for (const auto& m : pkg.memory) ram.total += m.end - m.start;
  if (!pkg.segments.empty() && pkg.ki_end > pkg.segments.front().vaddr)
    ram.kernel = pkg.ki_end - pkg.segments.front().vaddr;
  return ram;
}

std::string mib(uint64_t bytes) {
  uint64_t tenths = (bytes * 10 + (1 << 20) / 2) >> 20;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " MiB";
}

struct Consumer {
  std::string what;
  uint64_t bytes = 0;
};

// The biggest consumers, largest first, at most `n` of them.
std::string biggest(std::vector<Consumer> all, size_t n) {
  std::stable_sort(all.begin(), all.end(), [](const Consumer& a, const Consumer& b) { return a.bytes > b.bytes; });
  std::string out;
  for (size_t i = 0; i < all.size() && i < n; ++i) out += (i ? ", " : "") + all[i].what + " " + mib(all[i].bytes);
  if (all.size() > n) out += " and " + std::to_string(all.size() - n) + " more";
  return out;
}

}  // namespace

void check_memory_fits(const sdf::SystemDescription& sd, const board::Board& board,
                       const RamFacts& ram, Diagnostics& diags) {
  if (ram.total == 0) return;
  // A lower bound of what the system needs in RAM: regions without a fixed
  // physical address (those with one may be device memory) and PD stacks.
  std::vector<Consumer> mrs, pds;
  uint64_t need = 0;
  const sdf::MemoryRegion* largest = nullptr;
  for (const auto& mr : sd.mrs) {
    if (mr.phys_addr || !mr.size) continue;
    mrs.push_back({"'" + mr.name + "'", *mr.size});
    need += *mr.size;
    if (!largest || *mr.size > *largest->size) largest = &mr;
  }
  for (const auto& pd : sd.pds) {
    pds.push_back({"'" + pd.name + "'", pd.stack_size});
    need += pd.stack_size;
  }
  uint64_t usable = ram.total > ram.kernel ? ram.total - ram.kernel : 0;
  if (need <= usable) return;
  Loc at = largest ? largest->at("size") : sd.loc;
  diags.error("system-needs-more-memory", sd.file, at,
              "the system needs at least " + mib(need) + " of RAM, but board '" + board.name + "' has " +
                  mib(ram.total) + ", of which the kernel takes " + mib(ram.kernel) + " (" +
                  mib(usable) + " left). Memory regions: " + (mrs.empty() ? "none" : biggest(mrs, 5)) +
                  "; protection domain stacks: " + biggest(pds, 3),
              "make the largest memory regions smaller (by " + mib(need - usable) +
                  " at least), or use a board with more RAM");
}

void check_backend_support(const sdf::SystemDescription& sd, const board::Board& board,
                           const kernel::KernelPackage* package, Diagnostics& diags) {
  profile::check_profiler(sd, board, diags);
  if (!board.hypervisor) return;  // the validator refuses VMs there (vm-not-supported)
  for (const auto& pd : sd.pds) {
    if (!pd.vm) continue;
    if (package && !package->config.hypervisor) {
      diags.error("vm-kernel-without-hypervisor", sd.file, pd.vm->loc,
                  "virtual machine '" + pd.vm->name + "' of protection domain '" + pd.name +
                      "': the kernel of this configuration is built without hypervisor support",
                  "use a configuration whose kernel runs in hypervisor mode, or remove the "
                  "<virtual_machine>");
    }
  }
}

bool apply_kernel_package(Target& target, Diagnostics& diags) {
  if (target.board.arch == board::Arch::Host) {
    // The host platform's "kernel" is the launcher: its device models raise
    // these interrupts and no others.
    target.config.limits.min_irq = host::kTimerIrq;
    target.config.limits.max_irq = host::kSerialIrq;
    target.config.limits.min_irq_why = "the host platform's device models raise only IRQ 1 (timer) and 2 (serial)";
    return true;
  }
  std::string dir = sel4::kernel_package_dir(target.board.name, target.config.name);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return true;  // the build reports it missing
  auto package = kernel::load_kernel_package(dir, diags);
  if (!package) return false;
  kernel::apply_kernel_limits(*package, target.config.limits);
  target.ram = ram_of(*package);
  target.package = std::make_shared<const kernel::KernelPackage>(std::move(*package));
  return true;
}

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
  return Target{*b, *c, {}, {}};
}

// A tool-added PD's program: $<env>, else the SDK's board/<board>/<config>/elf/<file>.
static std::string sdk_elf_path(const char* env, const char* file, const board::Board& board,
                                const board::Config& config) {
  if (const char* v = std::getenv(env); v && *v) return v;
  auto sdk = sdk::find_sdk_dir();
  return sdk ? sdk::config_dir(*sdk, board.name, config.name) + "/elf/" + file : file;
}

// The debugger PD's program: $MICROKIT_GDB_DEBUGGER, else the SDK's
// board/<board>/<config>/elf/gdb_debugger.elf (tool/gdb/gdb_stub.h).
static std::string gdb_debugger_path(const board::Board& board, const board::Config& config) {
  return sdk_elf_path("MICROKIT_GDB_DEBUGGER", "gdb_debugger.elf", board, config);
}

std::optional<CheckedSystem> check_system(const Options& opts, const Environment& env,
                                          Result& result, bool load_files) {
  // 1. Board and config.
  Diagnostics board_diags;
  board::BoardDatabase db = board::load_boards(env.boards_dir, board_diags, opts.board);
  auto target = board_diags.has_errors()
                    ? std::nullopt
                    : select_target(db, opts.board.value_or(""), opts.config, board_diags);
  if (!report(board_diags, result) || !target) return std::nullopt;
  if (!apply_kernel_package(*target, board_diags) && !report(board_diags, result)) return std::nullopt;

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
  if (opts.gdb_stub && opts.verb == Verb::Build) {  // report even when refused (no silent exit 1)
    bool added = gdb::add_debugger(*sd, target->board, target->config,
                                   gdb_debugger_path(target->board, target->config), diags);
    if (!report(diags, result, source) || !added) return std::nullopt;
  }
  // <profiler> on seL4: the profiler PD (after --gdb-stub's debugger, which it refuses to share with).
  if (target->board.arch != board::Arch::Host) {
    std::string elf = sdk_elf_path("MICROKIT_PROFILER_ELF", "profiler.elf", target->board, target->config);
    bool added = profile::add_profiler(*sd, target->board, target->config, elf, diags);
    if (!report(diags, result, source) || !added) return std::nullopt;
  }

  // 3. Inputs, then validation, reported together.
  Diagnostics later;
  auto dirs = search_dirs(opts.search_paths, env.cwd);
  plan::Inputs inputs;
  if (load_files)
    inputs = load_inputs(*sd, target->board, dirs, later);
  else
    inputs.sdf_only = true;
  sdf::validate(*sd, target->board, target->config, later);
  check_backend_support(*sd, target->board, target->package.get(), later);
  if (!later.has_errors()) sdf::check_linux_guests(*sd, inputs.prefills, later);
  if (!later.has_errors()) check_memory_fits(*sd, target->board, target->ram, later);
  if (!report(later, result, source)) return std::nullopt;

  return CheckedSystem{std::move(*sd), std::move(*text), std::move(target->board),
                       std::move(target->config), std::move(inputs), std::move(target->package)};
}

std::string summary_line(const std::string& system, const sdf::SystemDescription& sd) {
  return system + ": ok (" + count_of(sd.pds.size(), "protection domain") + ", " +
         count_of(sd.mrs.size(), "memory region") + ", " + count_of(sd.channels.size(), "channel") +
         ")";
}

}  // namespace microkit::driver
