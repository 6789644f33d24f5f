// microkit-host: runs a host bundle (written by `microkit run ... --board host`
// or `microkit SYSTEM --board host -o BUNDLE`). A thin layer over launch().
//
//   microkit-host BUNDLE [--until NS] [--watchdog SECONDS] [--gdb PD]
//                        [--gdb-port N] [--serial-input FILE] [--free-running] [--no-direct]
//                        [--trace-dump FILE] [--profile-hz N --profile-dump FILE]
// Flags may also come from $MICROKIT_HOST_FLAGS (docs/host-platform.md).
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>
#include <string>

#include "launcher.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: microkit-host BUNDLE [--until NS] [--watchdog SECONDS] [--gdb PD] "
               "[--gdb-port N] [--serial-input FILE] [--free-running] [--no-direct] [--trace-dump FILE] [--profile-hz N --profile-dump FILE]\n");
  return 2;
}

// The PDs and the launcher sleep on several futex words at once
// (futex_waitv, Linux 5.16); without it every wait would return at once.
bool kernel_has_futex_waitv() {
  return syscall(SYS_futex_waitv, nullptr, 0, 0, nullptr, 0) == 0 || errno != ENOSYS;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace microkit;
  host::LaunchOptions opt;
  std::string bundle_path;
  // Flags come from the command line (`microkit run` passes its own options
  // on) and then from $MICROKIT_HOST_FLAGS (split at spaces), so a flag in
  // the environment wins over the same flag on the command line.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (const char* env = std::getenv("MICROKIT_HOST_FLAGS")) {
    std::istringstream words(env);
    for (std::string w; words >> w;) args.push_back(w);
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    if (a == "--until" && has_value) opt.until_ns = std::strtoull(args[++i].c_str(), nullptr, 0);
    else if (a == "--watchdog" && has_value) opt.watchdog_s = std::strtod(args[++i].c_str(), nullptr);
    else if (a == "--gdb" && has_value) opt.gdb_pd = args[++i];
    else if (a == "--gdb-port" && has_value) opt.gdb_port = (uint16_t)std::atoi(args[++i].c_str());
    else if (a == "--serial-input" && has_value) opt.serial_input = args[++i];
    else if (a == "--free-running") opt.free_running = true;
    else if (a == "--no-direct") opt.direct = false;
    else if (a == "--trace-dump" && has_value) opt.trace_dump = args[++i];
    else if (a == "--profile-hz" && has_value) opt.profile_hz = std::strtoull(args[++i].c_str(), nullptr, 10);
    else if (a == "--profile-dump" && has_value) opt.profile_dump = args[++i];
    else if (a.rfind("--", 0) == 0 || !bundle_path.empty()) return usage();
    else bundle_path = a;
  }
  if (bundle_path.empty()) return usage();
  if (!kernel_has_futex_waitv()) {
    std::printf("microkit-host: FAIL this Linux kernel has no futex_waitv (Linux 5.16 or later is needed; "
                "Debian 12's is 6.1)\n");
    return 2;
  }
  std::ifstream f(bundle_path);
  if (!f) {
    std::printf("microkit-host: FAIL cannot read bundle '%s'\n", bundle_path.c_str());
    return 2;
  }
  std::string text(std::istreambuf_iterator<char>(f), {});
  std::string error;
  auto bundle = host_bundle::read(text, error);
  if (!bundle) {
    std::printf("microkit-host: FAIL %s: %s\n", bundle_path.c_str(), error.c_str());
    return 2;
  }
  return host::launch(*bundle, opt);
}
