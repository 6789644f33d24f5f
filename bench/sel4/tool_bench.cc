// sel4_tool_bench: how long `microkit SYSTEM --board B --config C -o IMG -r
// REPORT` takes to build the image of generated systems, and how that grows
// with the number of PDs, channels and memory regions. A benchmark, never a
// test: it prints numbers and ratios against the smallest system (measured
// in the same run) and asserts nothing about time.
//
//   sel4_tool_bench --microkit <tool> --program <pd.elf> --workdir <dir>
//       [--board qemu_virt_aarch64] [--config debug] [--repeat 5]
//
// Each system: N PDs (distinct priorities) joined by a dense channel graph,
// every pair of PDs when N <= 64, so each PD uses up to 63 channel ids (the
// per-PD limit, ids 0..62; with 63 PDs each has 62, one per peer); M memory
// regions of one 4 KiB page, each mapped into one PD, round robin over the
// PDs (none is left unmapped: the tool would warn). Every PD runs
// the same program ELF (any libmicrokit program), so only the tool's work
// grows. Time is wall-clock of the whole tool process (parse, plan, boot
// emulation, spec, image write), the median of --repeat runs after one
// untimed warm-up run (page cache, dynamic loader).
//
// Every image it times is also booted once, so a size whose image does not
// boot is reported rather than timed: QEMU (--qemu, default
// qemu-system-aarch64, or qemu-system-riscv64 for qemu_virt_riscv64, from
// PATH, with the manual's command for the board; --boot-timeout seconds,
// default 120) runs it until every PD has printed its "bench: init_end
// <pd>" line ("init_rtc" on RISC-V; the program must be
// bench/sel4/pds/mk_server.c or print that line in init()), the initial
// task reports a failure or a fault, or the time is up. Only debug kernels print, so with another --config the boot column
// says "not booted". --no-boot skips booting.
//
// --official <tool> times the official Microkit tool (built as
// ../shared/tools/official-microkit/README.md says, from its SDK's bin/) on
// the same system file and program in the same run, one size after the
// other, and prints the ratio: ours over official, below 1 is faster.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr int kMaxChannelIds = 63;  // channel ids 0..62 per PD

struct Options {
  std::string microkit, program, workdir;
  std::string board = "qemu_virt_aarch64", config = "debug";
  int repeat = 5;
  std::string qemu;  // default: qemu-system-<the board's architecture>
  std::string official;  // the official tool, for a side-by-side baseline
  int boot_timeout = 120;
  bool boot = true;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--no-boot") o.boot = false;
    else args.push_back(argv[i]);
  }
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    std::string a = args[i], v = args[i + 1];
    if (a == "--microkit") o.microkit = v;
    else if (a == "--program") o.program = v;
    else if (a == "--workdir") o.workdir = v;
    else if (a == "--board") o.board = v;
    else if (a == "--config") o.config = v;
    else if (a == "--repeat") o.repeat = std::max(1, std::atoi(v.c_str()));
    else if (a == "--qemu") o.qemu = v;
    else if (a == "--official") o.official = v;
    else if (a == "--boot-timeout") o.boot_timeout = std::max(1, std::atoi(v.c_str()));
    else return std::nullopt;
  }
  if (args.size() % 2 != 0 || o.microkit.empty() || o.program.empty() || o.workdir.empty()) return std::nullopt;
  return o;
}

struct Size {
  int pds, mrs;
};

// Channel id PD `self` uses for its end towards PD `peer` (peer != self):
// the peer's index with self's own index skipped, so ids are dense from 0.
int channel_id(int self, int peer) { return peer < self ? peer : peer - 1; }

// The system description text; returns it and the number of channels.
std::pair<std::string, int> generate(const Size& s, const std::string& program) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<system>\n";
  for (int m = 0; m < s.mrs; ++m) x += "  <memory_region name=\"mr" + std::to_string(m) + "\" size=\"0x1000\" />\n";
  for (int p = 0; p < s.pds; ++p) {
    x += "  <protection_domain name=\"pd" + std::to_string(p) + "\" priority=\"" + std::to_string(200 - p) + "\">\n";
    x += "    <program_image path=\"" + program + "\" />\n";
    int mapped = 0;
    for (int m = p; m < s.mrs; m += s.pds, ++mapped) {
      char vaddr[32];
      std::snprintf(vaddr, sizeof vaddr, "0x%x", 0x10000000 + mapped * 0x1000);
      x += "    <map mr=\"mr" + std::to_string(m) + "\" vaddr=\"" + vaddr + "\" perms=\"rw\" />\n";
    }
    x += "  </protection_domain>\n";
  }
  int channels = 0;
  for (int a = 0; a < s.pds; ++a) {
    for (int b = a + 1; b < s.pds; ++b) {
      if (channel_id(a, b) >= kMaxChannelIds || channel_id(b, a) >= kMaxChannelIds) continue;
      x += "  <channel><end pd=\"pd" + std::to_string(a) + "\" id=\"" + std::to_string(channel_id(a, b)) +
           "\" /><end pd=\"pd" + std::to_string(b) + "\" id=\"" + std::to_string(channel_id(b, a)) + "\" /></channel>\n";
      ++channels;
    }
  }
  x += "</system>\n";
  return {x, channels};
}

// Runs argv, output to `log`; returns the exit status (-1 if it did not run).
int run(const std::vector<std::string>& args, const std::string& log) {
  std::fflush(nullptr);  // or the child's exit would print our buffered output again
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Result {
  Size size;
  int channels = 0;
  double median_ms = 0, min_ms = 0;
  double official_median_ms = 0;  // with --official
  uintmax_t image_bytes = 0;
  bool ok = false;
  std::filesystem::path dir = {};
};

// Times `tool` building dir/bench.system into dir/<prefix>loader.img: the
// sorted times of --repeat runs after a warm-up, or nothing if it failed.
std::vector<double> time_tool(const Options& o, const std::string& tool, const std::filesystem::path& dir,
                              const std::string& prefix) {
  namespace fs = std::filesystem;
  std::vector<std::string> args = {tool, (dir / "bench.system").string(), "--board", o.board,
                                   "--config", o.config, "--search-path", fs::path(o.program).parent_path().string(),
                                   "-o", (dir / (prefix + "loader.img")).string(),
                                   "-r", (dir / (prefix + "report.txt")).string()};
  std::string log = (dir / (prefix + "tool.log")).string();
  std::vector<double> ms;
  for (int i = -1; i < o.repeat; ++i) {  // i == -1: the warm-up run
    auto t0 = std::chrono::steady_clock::now();
    int rc = run(args, log);
    auto t1 = std::chrono::steady_clock::now();
    if (rc != 0) {
      std::fprintf(stderr, "%s exited with %d; see %s\n", tool.c_str(), rc, log.c_str());
      return {};
    }
    if (i >= 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

Result measure(const Options& o, const Size& s) {
  namespace fs = std::filesystem;
  Result r{s};
  std::string name = "sys_" + std::to_string(s.pds) + "pd_" + std::to_string(s.mrs) + "mr";
  fs::path dir = fs::path(o.workdir) / name;
  fs::create_directories(dir);
  r.dir = dir;
  auto [text, channels] = generate(s, fs::path(o.program).filename().string());
  r.channels = channels;
  std::ofstream(dir / "bench.system") << text;
  auto ms = time_tool(o, o.microkit, dir, "");
  if (ms.empty()) return r;
  r.median_ms = ms[ms.size() / 2];
  r.min_ms = ms.front();
  r.image_bytes = fs::file_size(dir / "loader.img");
  if (!o.official.empty()) {
    auto official = time_tool(o, o.official, dir, "official-");
    if (official.empty()) return r;
    r.official_median_ms = official[official.size() / 2];
  }
  r.ok = true;
  return r;
}


// Starts argv with stdout and stderr to `log`; returns its pid (-1 on failure).
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  if (!freopen("/dev/null", "r", stdin) || !freopen(log.c_str(), "w", stdout) ||
      !freopen(log.c_str(), "a", stderr))
    _exit(127);
  execvp(argv[0], argv.data());
  _exit(127);
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

struct Boot {
  bool ok = false;
  double seconds = 0;
  std::string what;  // why it failed, or "not booted (...)"
};

// What the serial log says so far: every PD in init(), a failure, or neither.
std::optional<Boot> judge(const std::string& log, int pds) {
  size_t failed = log.find("FAILED");
  if (failed == std::string::npos) failed = log.find("faulted");
  if (failed != std::string::npos) {
    size_t line = log.rfind('\n', failed);
    line = line == std::string::npos ? 0 : line + 1;
    return Boot{false, 0, log.substr(line, log.find('\n', failed) - line)};
  }
  // AArch64 PDs report init_end, RISC-V ones init_rtc (bench.h).
  if (count_of(log, "bench: init_end pd") + count_of(log, "bench: init_rtc pd") >= pds)
    return Boot{true, 0, "all " + std::to_string(pds) + " PDs in init()"};
  return std::nullopt;
}

// Boots the image in QEMU (the examples' command line) until judge() decides.
Boot boot_image(const Options& o, const std::filesystem::path& dir, int pds) {
  if (o.config != "debug") return {false, 0, "not booted (only a debug kernel prints)"};
  std::string log = (dir / "uart.log").string();
  std::string image = (dir / "loader.img").string();
  std::vector<std::string> args = {o.qemu, "-machine", "virt,virtualization=on", "-cpu", "cortex-a53",
                                   "-m", "size=2G", "-nographic", "-serial", "mon:stdio", "-device",
                                   "loader,file=" + image + ",addr=0x70000000,cpu-num=0"};
  if (o.board == "qemu_virt_riscv64")  // the manual's command: OpenSBI enters the uImage
    args = {o.qemu, "-machine", "virt", "-m", "size=2G", "-nographic", "-serial", "mon:stdio", "-kernel", image};
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = spawn(args, log);
  if (pid < 0) return {false, 0, "cannot start " + o.qemu};
  Boot b{false, 0, "no verdict after " + std::to_string(o.boot_timeout) + " s"};
  for (;;) {
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (auto verdict = judge(read_text(log), pds)) {
      b = *verdict;
      b.seconds = seconds;
      break;
    }
    if (seconds > o.boot_timeout) break;
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      b.what = o.qemu + " exited before every PD ran; see " + log;
      pid = -1;
      break;
    }
    usleep(200 * 1000);
  }
  if (pid > 0) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o = parse_options(argc, argv);
  if (!o) {
    std::fprintf(stderr,
                 "usage: sel4_tool_bench --microkit <tool> --program <pd.elf> --workdir <dir>"
                 " [--board B] [--config C] [--repeat N] [--qemu Q] [--boot-timeout S] [--no-boot]"
                 " [--official <official tool>]\n");
    return 2;
  }
  o->program = std::filesystem::absolute(o->program).string();
  if (o->qemu.empty())
    o->qemu = o->board == "qemu_virt_riscv64" ? "qemu-system-riscv64" : "qemu-system-aarch64";
  const std::vector<Size> sizes = {{8, 100}, {16, 100}, {32, 100}, {63, 100}, {8, 1000}, {63, 300},
                                   {63, 1000}, {10, 2000}, {6, 5000}};
  std::printf("microkit image build time, board %s config %s, median of %d runs; each image booted once\n",
              o->board.c_str(), o->config.c_str(), o->repeat);
  std::printf("%5s %9s %6s %11s %11s %13s %9s %12s %9s  %s\n", "PDs", "channels", "MRs", "median ms", "min ms",
              "image bytes", "x first", "official ms", "x offic.", "boot");
  std::optional<double> baseline;
  int failures = 0;
  for (const Size& s : sizes) {
    Result r = measure(*o, s);
    if (!r.ok) {
      ++failures;
      continue;
    }
    if (!baseline) baseline = r.median_ms;
    std::printf("%5d %9d %6d %11.1f %11.1f %13ju %8.2fx ", s.pds, r.channels, s.mrs, r.median_ms, r.min_ms,
                r.image_bytes, r.median_ms / *baseline);
    if (o->official.empty()) std::printf("%12s %9s  ", "-", "-");
    else std::printf("%12.1f %8.2fx  ", r.official_median_ms, r.median_ms / r.official_median_ms);
    std::fflush(stdout);
    if (!o->boot) {
      std::printf("not booted (--no-boot)\n");
      continue;
    }
    Boot b = boot_image(*o, r.dir, s.pds);
    if (b.ok) std::printf("ok: %s after %.1f s\n", b.what.c_str(), b.seconds);
    else std::printf("%s: %s\n", b.what.rfind("not booted", 0) == 0 ? "-" : "FAILED", b.what.c_str());
    if (!b.ok && b.what.rfind("not booted", 0) != 0) ++failures;
    std::fflush(stdout);
  }
  if (failures) std::printf("%d size(s) failed to build or boot: those images do not work\n", failures);
  return failures == 0 ? 0 : 1;
}
