// The host back end (see run.h).
#include "host/run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace microkit::host {
namespace {

std::vector<uint64_t> host_paddrs(const plan::Plan& plan) {
  std::vector<uint64_t> out;
  uint64_t next = kFakePaddrBase;
  for (const auto& mr : plan.mrs) {
    if (mr.phys_addr) {
      out.push_back(*mr.phys_addr);
      continue;
    }
    uint64_t align = mr.page_size ? mr.page_size : 0x1000;
    next = (next + align - 1) / align * align;
    out.push_back(next);
    next += mr.size;
  }
  return out;
}

host_bundle::Pd bundle_pd(const plan::Pd& pd, const std::vector<uint64_t>& paddrs) {
  host_bundle::Pd out;
  out.name = pd.name;
  out.priority = pd.priority;
  out.passive = pd.passive;
  out.budget_us = pd.budget_us;
  out.period_us = pd.period_us;
  out.stack_size = pd.stack_size;
  out.crash_dump = pd.crash_dump.enabled;
  out.parent = pd.parent;
  out.child_id = pd.child_id.value_or(0);
  std::error_code ec;
  auto abs = std::filesystem::absolute(pd.program_path, ec);
  out.program = ec ? pd.program_path : abs.string();
  for (const auto& m : pd.mappings)
    out.maps.push_back({m.mr, m.vaddr, m.size, m.read, m.write, m.execute, m.cached});
  for (size_t id = 0; id < pd.channels.size(); ++id) {
    const auto& s = pd.channels[id];
    if (s.kind == plan::ChannelSlot::Kind::Unused) continue;
    host_bundle::Channel c;
    c.id = id;
    c.irq = s.kind == plan::ChannelSlot::Kind::Irq;
    c.peer = s.peer_pd;
    c.peer_id = s.peer_id;
    c.notify = s.can_notify;
    c.pp = s.can_ppcall;
    c.receives_pp = s.receives_ppc;
    c.irq_number = s.irq;
    c.edge = s.trigger == sdf::Trigger::Edge;
    out.channels.push_back(c);
  }
  for (const auto& p : pd.patches) {
    uint64_t value = p.paddr_of_mr ? paddrs[*p.paddr_of_mr] : p.value;
    out.patches.push_back({p.symbol, p.vaddr, p.size, value});
  }
  return out;
}

}  // namespace

host_bundle::Bundle make_bundle(const plan::Plan& plan, const std::string& system_file) {
  host_bundle::Bundle b;
  b.system = system_file;
  auto paddrs = host_paddrs(plan);
  for (size_t i = 0; i < plan.mrs.size(); ++i) {
    const auto& mr = plan.mrs[i];
    std::string prefill;
    if (mr.prefill_path) {
      std::error_code ec;
      auto abs = std::filesystem::absolute(*mr.prefill_path, ec);
      prefill = ec ? *mr.prefill_path : abs.string();
    }
    b.mrs.push_back({mr.name, mr.size, mr.page_size, paddrs[i], prefill});
  }
  for (const auto& pd : plan.pds) b.pds.push_back(bundle_pd(pd, paddrs));
  return b;
}

bool write_bundle(const plan::Plan& plan, const std::string& system_file, const std::string& path,
                  Diagnostics& diags) {
  std::ofstream f(path);
  f << host_bundle::write(make_bundle(plan, system_file));
  if (f) return true;
  diags.error("cannot-write-output", path, {}, "cannot write the host bundle '" + path + "'",
              "check that the folder exists and is writable");
  return false;
}

std::string find_launcher() {
  if (const char* env = std::getenv("MICROKIT_HOST_LAUNCHER")) return env;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = self.parent_path();
    for (auto candidate : {dir / "microkit-host", dir / "../host/microkit-host",
                           dir / "../libexec/microkit-host"})
      if (std::filesystem::exists(candidate, ec)) return candidate.lexically_normal().string();
  }
#ifdef MICROKIT_HOST_LAUNCHER_PATH
  return MICROKIT_HOST_LAUNCHER_PATH;
#else
  return "microkit-host";
#endif
}

int run(const plan::Plan& plan, const RunOptions& options, Diagnostics& diags) {
  // 1. write the bundle to a fresh temporary folder; 2. run the launcher on
  // it and wait; 3. remove the folder; the launcher's status is ours.
  std::string tmpl = (std::filesystem::temp_directory_path() / "microkit-host-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    diags.error("host-temp-dir", "", {}, "cannot create a temporary folder for the host bundle",
                "set TMPDIR to a writable folder");
    return 2;
  }
  std::string bundle = tmpl + "/system.bundle";
  if (!write_bundle(plan, options.system_file, bundle, diags)) return 2;
  std::string launcher = options.launcher.empty() ? find_launcher() : options.launcher;
  std::vector<std::string> args{launcher, bundle};
  args.insert(args.end(), options.launcher_args.begin(), options.launcher_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  if (pid < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
    diags.error("host-launcher-missing", "", {},
                "cannot run the host launcher '" + launcher + "'",
                "build the microkit-host target, or set MICROKIT_HOST_LAUNCHER to its path");
    return 2;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace microkit::host
