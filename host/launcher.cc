// The host launcher (see launcher.h). Steps of launch():
//   1. check every PD program (exists, x86-64, linked against the host runtime)
//      and every mapping (inside the host board's user range);
//   2. create the MRs (memfds, prefilled) and attach the device models;
//   3. start every PD process and wait until each has mapped its MRs;
//   4. schedule: give the CPU to the best runnable PD, handle its requests
//      until it blocks or is preempted; when nothing is runnable, advance
//      virtual time to the next timer expiry, or stop (quiescent);
//   5. stop every process and print the final PASS/FAIL line.
#include "launcher.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "../runtime/libmicrokit/host/host_abi.h"
#include "../runtime/shared/profile_format.h"
#include "../runtime/shared/trace_format.h"
#include "../tool/support/text.h"  // header-only: hex()
#include "devices.h"

namespace microkit::host {
namespace {

using namespace host_abi;
using host_bundle::Bundle;

constexpr uint64_t kUserStart = 0x10000, kUserEnd = 0x500000000000;

uint64_t msginfo_new(uint64_t label, uint64_t count) { return (label << 12) | (count & 0x7f); }
uint64_t msginfo_count(uint64_t m) { return std::min<uint64_t>(m & 0x7f, kMaxMrs); }

// A message waiting on a PD's endpoint: a PPC or a child's fault.
struct Message {
  bool is_fault = false;
  size_t from = 0;       // the caller or the faulting child
  uint64_t badge = 0;    // callee's channel id, or the child id
  uint64_t msginfo = 0;
  uint64_t mrs[kMaxMrs] = {};
  uint64_t priority = 0;
  uint64_t seq = 0;
};

struct Proc {
  const host_bundle::Pd* pd = nullptr;
  size_t index = 0;
  pid_t pid = -1;
  ControlPage* cp = nullptr;
  int out_fd = -1;
  std::string outbuf;
  uint32_t seen = 0;
  const host_bundle::Channel* slots[64] = {};
  bool maps_device = false;  // maps a device model's registers (polled at requests)
  uint64_t fast_offered = 0;  // the notifications it may take itself (fast_pending)
  // Direct hand-offs (host_abi.h, Link): the channels whose Link it is the
  // low end of, and what the current hand-over offered it.
  uint64_t link_low = 0;
  uint64_t call_offer = 0, notify_offer = 0;

  bool in_recv = false;   // waiting for an event
  bool need_init = true;
  uint64_t pending = 0;   // notification bits
  std::vector<Message> inbox;
  std::optional<std::pair<uint32_t, uint64_t>> resume;  // event to send, arg
  bool calling = false;   // blocked in a PPC
  std::optional<size_t> call_target;
  bool faulted = false, fault_in_handler = false;
  uint64_t fault_label = 0;  // the seL4 fault label of the fault it is parked in
  bool stopped = false, dead = false;
  std::optional<size_t> serving;        // the caller whose PPC it handles
  std::optional<size_t> serving_fault;  // the child whose fault it handles
  const char* entry = "start-up";       // for the watchdog message
  double entry_real_s = 0;              // real time in the current entry, across preemptions
  bool queued = false;
  int64_t seq = 0;
  // Scheduling context, on virtual time (deterministic mode; as seL4 MCS):
  // a run that uses up `left_ns` of the PD's CPU time is preempted and
  // charged its budget; with budget < period the PD then waits for its
  // next period (throttled), else it goes to the back of its priority.
  uint64_t budget_ns = 0, period_ns = 0;
  uint64_t left_ns = 0, period_start = 0;
  std::optional<uint64_t> throttled_until;
  clockid_t cpu_clock{};
  uint64_t cpu_seen = 0;            // its CPU clock when last read
  uint64_t wall_since_seen_ns = 0;  // real time of its runs since then
  uint64_t runs_seen = 0;           // its control page's `runs` then (direct runs since are uncounted)
};

struct IrqLine {
  size_t pd = 0;
  uint64_t ch = 0;
  bool masked = false, level_pending = false;
};

class Launcher {
 public:
  Launcher(const Bundle& b, const LaunchOptions& o) : b_(b), opt_(o) {}
  ~Launcher() { release_spawners(); }
  int run();

 private:
  // set-up
  bool check_programs();
  bool create_mrs();
  bool start(Proc& p);
  void prepare_child(Proc& p, int cfd, int out_w);
  bool start_all();
  void run_on_one_cpu();
  void start_processes(std::vector<std::string>& errors);
  void release_spawners();
  // scheduling
  bool runnable(const Proc& p) const;
  void update(Proc& p);
  void preempt(Proc& p);
  Proc* pick();
  void dispatch(Proc& p);
  void handle(Proc& p);
  void begin_request(Proc& p);
  void queued_notifies(Proc& p);
  bool alone_at_top(const Proc& p) const;
  uint64_t fast_notifications(const Proc& p) const;
  void took_fast_notifications(Proc& p);
  Proc* wait_request(Proc& p, bool preemptible);
  std::vector<Proc*> holders(const Proc& p);
  Proc& runner(Proc& p);
  bool reap(Proc& p, const std::vector<Proc*>& holders);
  bool is_gdb(const Proc& p) const { return opt_.gdb_pd && *opt_.gdb_pd == p.pd->name; }
  // direct hand-offs
  bool create_links();
  bool idle_for_direct(const Proc& s) const;
  bool takes_own(const Proc& p) const;
  void offer_direct(Proc& p);
  void withdraw_offers(Proc& p);
  Proc* direct_peer(Proc& p);
  bool book_direct(Proc& p, Proc& s);
  uint32_t next_event(Proc& p);
  uint64_t cpu_used(Proc& p, uint64_t& begin);
  void refill(Proc& p);
  void budget_expired(Proc& p);
  void time_passed();
  std::optional<uint64_t> next_release() const;
  bool past_limit(uint64_t t);
  // kernel operations
  void signal(size_t pd, uint64_t ch);
  void reply_to_caller(Proc& p);
  void reply_to_fault(Proc& p);
  void ppcall(Proc& p);
  void notify(Proc& p, uint64_t ch);
  void irq_ack(Proc& p, uint64_t ch);
  Proc* child_of(Proc& p, uint64_t id);
  void restart(Proc& c, uint64_t entry);
  void fault(Proc& p, uint64_t label, const uint64_t* mrs, uint64_t count, bool in_handler);
  void cap_fault(Proc& p, uint64_t id);
  void signal_fault(Proc& p);
  void report_orphan_fault(Proc& p, uint64_t label, const uint64_t* mrs);
  void write_core_file(Proc& p);
  void died(Proc& p, int status);
  // free-running mode
  bool create_endpoints();
  int run_free();
  void handle_free(Proc& p);
  bool free_quiescent(uint64_t& last_sum, int& quiet_scans);
  // devices and output
  void poll_devices();
  void raise_irq(uint64_t irq);
  bool idle_step();
  void drain(Proc& p, bool final = false);
  void say(const std::string& line);
  void dump_traces();
  bool create_profile_buffers();
  void dump_profiles();
  int finish(int status, const std::string& reason);

  const Bundle& b_;
  LaunchOptions opt_;
  std::vector<Proc> procs_;
  std::vector<int> mr_fd_, mr_ro_fd_;
  std::vector<int> ep_fd_;              // free-running: one Endpoint memfd per PD
  std::map<std::pair<size_t, uint64_t>, int> link_fd_;  // (PD, channel id) -> its Link memfd
  std::vector<int> profile_fd_;         // --profile-hz: one sample buffer per PD
  std::vector<Endpoint*> eps_;
  std::map<uint64_t, IrqLine> irqs_;
  Devices dev_;
  uint64_t now_ = 0;
  int64_t head_ = 0, tail_ = 1;
  uint64_t msg_seq_ = 0;
  int unhandled_ = 0;
  std::optional<int> end_status_;
  std::string end_reason_;
  // The threads that helped start the PDs (start_processes), parked until the run ends.
  std::vector<std::thread> spawners_;
  std::mutex spawn_mu_;
  std::condition_variable spawn_cv_;
  size_t spawners_busy_ = 0;
  bool spawners_released_ = false;
};

void Launcher::say(const std::string& line) {
  std::fputs(("microkit-host: " + line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

uint64_t cpu_ns(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

// ---- 1. checks -------------------------------------------------------------

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream f(path, std::ios::binary);
  ok = bool(f);
  std::ostringstream bytes;
  if (ok) bytes << f.rdbuf();
  return bytes.str();
}

// Why `bytes` is not a host PD program, or "" when it is one.
std::string host_program_problem(const std::string& bytes) {
  if (bytes.size() < sizeof(Elf64_Ehdr) || memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return "is not an ELF file";
  Elf64_Ehdr eh;
  memcpy(&eh, bytes.data(), sizeof eh);
  if (bytes[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
    return "is not an x86-64 ELF (e_machine " + std::to_string(eh.e_machine) +
           "): it was built for another platform";
  uint64_t end = eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr);
  if (eh.e_shoff == 0 || end > bytes.size() || eh.e_shstrndx >= eh.e_shnum)
    return "has no section headers";
  auto shdr = [&](size_t i) {
    Elf64_Shdr s;
    memcpy(&s, bytes.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof s);
    return s;
  };
  Elf64_Shdr strtab = shdr(eh.e_shstrndx);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    uint64_t off = strtab.sh_offset + shdr(i).sh_name;
    if (off < bytes.size() && strcmp(bytes.c_str() + off, ".microkit_host") == 0) return "";
  }
  return "is not linked against the host libmicrokit (no .microkit_host section): build it "
         "with microkit_host_pd() or link it with microkit_host_runtime";
}

bool Launcher::check_programs() {
  bool ok = true;
  std::map<std::string, std::string> problems;  // each program file is read once
  for (const auto& pd : b_.pds) {
    auto known = problems.find(pd.program);
    if (known == problems.end()) {
      bool found = false;
      std::string bytes = read_file(pd.program, found);
      std::string problem = found ? host_program_problem(bytes) : "does not exist";
      known = problems.emplace(pd.program, problem).first;
    }
    const std::string& problem = known->second;
    if (!problem.empty()) {
      say("error: PD '" + pd.name + "': program '" + pd.program + "' " + problem);
      ok = false;
    }
    for (const auto& m : pd.maps) {
      if (m.vaddr >= kUserStart && m.vaddr + m.size <= kUserEnd && m.vaddr + m.size > m.vaddr)
        continue;
      say("error: PD '" + pd.name + "': cannot map MR '" + b_.mrs[m.mr].name + "' at vaddr " +
          hex(m.vaddr) + " (size " + hex(m.size) + "): the host platform maps PD memory in " +
          hex(kUserStart) + ".." + hex(kUserEnd));
      ok = false;
    }
  }
  return ok;
}

// ---- 2. memory regions ------------------------------------------------------

bool Launcher::create_mrs() {
  for (const auto& mr : b_.mrs) {
    int fd = memfd_create(mr.name.c_str(), MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)mr.size) != 0) {
      say("error: cannot create memory region '" + mr.name + "': " + strerror(errno));
      return false;
    }
    if (!mr.prefill.empty()) {
      bool found = false;
      std::string data = read_file(mr.prefill, found);
      if (!found) {
        say("error: memory region '" + mr.name + "': prefill file '" + mr.prefill + "' not found");
        return false;
      }
      if (pwrite(fd, data.data(), std::min<size_t>(data.size(), mr.size), 0) < 0) return false;
    }
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    int ro = open(self.c_str(), O_RDONLY | O_CLOEXEC);
    if (ro < 0) {
      say("error: cannot reopen memory region '" + mr.name + "' read-only");
      return false;
    }
    mr_fd_.push_back(fd);
    mr_ro_fd_.push_back(ro);
    dev_.attach(mr.paddr, fd);
  }
  return true;
}

// ---- 3. processes -----------------------------------------------------------

void fill_control_page(ControlPage* cp, const host_bundle::Pd& pd, const Bundle& b) {
  memset(cp, 0, sizeof *cp);
  cp->magic = kMagic;
  cp->version = kAbiVersion;
  snprintf(cp->name, sizeof cp->name, "%s", pd.name.c_str());
  cp->stack_size = pd.stack_size;
  cp->map_count = std::min<size_t>(pd.maps.size(), kMaxMaps);
  for (size_t i = 0; i < cp->map_count; ++i) {
    const auto& m = pd.maps[i];
    cp->maps[i] = MapEntry{m.vaddr, m.size, -1,
                           (uint32_t)((m.r ? PROT_READ : 0) | (m.w ? PROT_WRITE : 0) |
                                      (m.x ? PROT_EXEC : 0))};
  }
  for (const auto& c : pd.channels)
    if (!c.irq && c.id < 64)
      cp->channels[c.id] = ChannelEntry{1, (c.notify ? kChNotify : 0u) | (c.pp ? kChPpcall : 0u),
                                        c.peer_id, -1, 0};
  for (const auto& c : pd.channels) {
    if (c.id >= 64) continue;
    uint64_t bit = 1ull << c.id;
    if (c.irq) cp->irq_mask |= bit;
    if (!c.irq && c.notify) cp->notify_mask |= bit;
    if (!c.irq && c.notify && b.pds[c.peer].priority <= pd.priority) cp->quiet_notify_mask |= bit;
    if (!c.irq && c.pp) cp->pp_mask |= bit;
  }
  cp->own_ep_fd = -1;
  cp->patch_count = std::min<size_t>(pd.patches.size(), kMaxPatches);
  for (size_t i = 0; i < cp->patch_count; ++i)
    cp->patches[i] = PatchEntry{pd.patches[i].vaddr, pd.patches[i].size, pd.patches[i].value};
}

// A PD's environment: the launcher's, with the control page's descriptor
// (and, for --gdb without gdbserver, the request to wait for gdb).
class Environment {
 public:
  Environment(int control_fd, bool wait_for_gdb, int profile_fd, uint64_t profile_hz) {
    for (char** e = environ; *e; ++e)
      if (strncmp(*e, "MICROKIT_HOST_", 14) != 0) strings_.push_back(*e);
    strings_.push_back(std::string(kControlFdEnv) + "=" + std::to_string(control_fd));
    if (wait_for_gdb) strings_.push_back("MICROKIT_HOST_STOP_FOR_GDB=1");
    if (profile_fd >= 0) {
      strings_.push_back(std::string(profile::kFdEnv) + "=" + std::to_string(profile_fd));
      strings_.push_back(std::string(profile::kHzEnv) + "=" + std::to_string(profile_hz));
    }
    for (auto& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  char* const* pointers() { return pointers_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

// In the child, before exec (system calls only: it shares the launcher's
// memory): no ASLR, killed with the launcher, its own process group (a
// terminal's Ctrl-C reaches the launcher, which ends the run), stdin
// /dev/null, stdout and stderr the launcher's pipe, and no descriptor of the
// launcher's but the ones it is given here (the runtime closes those once
// mapped).
void Launcher::prepare_child(Proc& p, int cfd, int out_w) {
  const auto& pd = *p.pd;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // crash_dump: gdb (started by the launcher, not an ancestor) may attach
  // to write its core file where Yama restricts ptrace to ancestors.
  if (pd.crash_dump) prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  personality(ADDR_NO_RANDOMIZE);
  setpgid(0, 0);
  syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  int devnull = open("/dev/null", O_RDONLY);
  dup2(devnull, 0);
  dup2(out_w, 1);
  dup2(out_w, 2);
  for (size_t i = 0; i < p.cp->map_count; ++i) {
    const auto& m = pd.maps[i];
    p.cp->maps[i].fd = dup(m.w ? mr_fd_[m.mr] : mr_ro_fd_[m.mr]);
  }
  for (const auto& c : pd.channels) {
    auto link = link_fd_.find({p.index, c.id});
    if (link == link_fd_.end()) continue;
    p.cp->channels[c.id].ep_fd = dup(link->second);
    p.cp->channels[c.id].link_role = b_.pds[c.peer].priority > pd.priority ? kLinkLow : kLinkHigh;
  }
  if (opt_.free_running) {
    p.cp->free_running = 1;
    p.cp->own_ep_fd = dup(ep_fd_[p.index]);
    for (const auto& c : pd.channels)
      if (!c.irq && c.id < 64) p.cp->channels[c.id].ep_fd = dup(ep_fd_[c.peer]);
  }
  fcntl(cfd, F_SETFD, 0);  // the one descriptor exec keeps as it is
  if (!profile_fd_.empty()) fcntl(profile_fd_[p.index], F_SETFD, 0);  // and the sample buffer
}

bool Launcher::start(Proc& p) {
  const auto& pd = *p.pd;
  int cfd = memfd_create(("control:" + pd.name).c_str(), MFD_CLOEXEC);
  if (cfd < 0 || ftruncate(cfd, kControlPageSize) != 0) return false;
  void* page = mmap(nullptr, kControlPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
  if (page == MAP_FAILED) return false;
  p.cp = (ControlPage*)page;
  fill_control_page(p.cp, pd, b_);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return false;
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  bool gdb = opt_.gdb_pd && *opt_.gdb_pd == pd.name;
  std::string port = ":" + std::to_string(opt_.gdb_port);
  // Everything the child needs is made here: between vfork and exec it
  // shares the launcher's memory and may only make system calls.
  int profile_fd = profile_fd_.empty() ? -1 : profile_fd_[p.index];
  Environment env(cfd, false, profile_fd, opt_.profile_hz), env_gdb_wait(cfd, true, profile_fd, opt_.profile_hz);
  char* const gdb_argv[] = {(char*)"gdbserver", (char*)"--once", port.data(),
                            (char*)pd.program.c_str(), nullptr};
  pid_t pid = vfork();
  if (pid == 0) {
    prepare_child(p, cfd, out[1]);
    if (gdb) {
      execvpe("gdbserver", gdb_argv, env.pointers());
      // No gdbserver: the runtime waits at start-up for `gdb -p`.
      execle(pd.program.c_str(), pd.program.c_str(), (char*)nullptr, env_gdb_wait.pointers());
    }
    execle(pd.program.c_str(), pd.program.c_str(), (char*)nullptr, env.pointers());
    dprintf(2, "cannot execute %s: %s\n", pd.program.c_str(), strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(cfd);
  if (pid < 0) return false;
  p.pid = pid;
  p.out_fd = out[0];
  if (gdb && system("command -v gdbserver > /dev/null 2>&1") == 0)
    say("PD '" + pd.name + "' waits for gdb: gdb " + pd.program + " -ex 'target remote " + port +
        "'");
  else if (gdb)
    say("PD '" + pd.name + "' waits for gdb (no gdbserver): gdb -p " + std::to_string(pid) + " " +
        pd.program + " -ex 'set var microkit_host_gdb_wait=0' -ex 'break init' -ex continue");
  return true;
}

// Deterministic mode: a Link page for every channel on which the lower-
// priority end may call or notify the higher one (host_abi.h).
bool Launcher::create_links() {
  for (const auto& pd : b_.pds) {
    size_t me = (size_t)(&pd - b_.pds.data());
    for (const auto& c : pd.channels) {
      if (c.irq || c.id >= 64 || c.peer_id >= 64 || !(c.pp || c.notify)) continue;
      if (b_.pds[c.peer].priority <= pd.priority) continue;
      int fd = memfd_create(("link:" + pd.name).c_str(), MFD_CLOEXEC);
      if (fd < 0 || ftruncate(fd, 4096) != 0) return false;
      link_fd_[{me, c.id}] = fd;
      link_fd_[{c.peer, c.peer_id}] = fd;
      procs_[me].link_low |= 1ull << c.id;
    }
  }
  return true;
}

bool Launcher::create_endpoints() {
  for (const auto& pd : b_.pds) {
    int fd = memfd_create(("endpoint:" + pd.name).c_str(), MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return false;
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED) return false;
    ep_fd_.push_back(fd);
    eps_.push_back((Endpoint*)page);
  }
  return true;
}

// Starting a PD is mostly the kernel's work for its exec, and vfork holds
// only the calling thread until the child has exec'd: so a few threads
// start PDs side by side (one, in PD order, with --gdb, whose messages
// name the PDs). The helpers stay parked until the run ends, because a
// child's PR_SET_PDEATHSIG fires when the thread that started it exits.
void Launcher::start_processes(std::vector<std::string>& errors) {
  constexpr size_t kThreads = 4, kPdsPerThread = 8;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < procs_.size();) {
      Proc& p = procs_[i];
      if (!start(p) || clock_getcpuclockid(p.pid, &p.cpu_clock) != 0) errors[i] = strerror(errno);
    }
  };
  size_t helpers = opt_.gdb_pd ? 0 : std::min(kThreads - 1, procs_.size() / kPdsPerThread);
  spawners_busy_ = helpers;
  for (size_t t = 0; t < helpers; ++t)
    spawners_.emplace_back([this, work] {
      work();
      std::unique_lock lock(spawn_mu_);
      --spawners_busy_;
      spawn_cv_.notify_all();
      spawn_cv_.wait(lock, [this] { return spawners_released_; });
    });
  work();
  std::unique_lock lock(spawn_mu_);
  spawn_cv_.wait(lock, [this] { return spawners_busy_ == 0; });
}

void Launcher::release_spawners() {
  {
    std::lock_guard lock(spawn_mu_);
    spawners_released_ = true;
  }
  spawn_cv_.notify_all();
  for (auto& t : spawners_) t.join();
  spawners_.clear();
}

bool Launcher::start_all() {
  procs_.resize(b_.pds.size());
  if (opt_.free_running && !create_endpoints()) {
    say(std::string("error: cannot create endpoint pages: ") + strerror(errno));
    return false;
  }
  for (size_t i = 0; i < b_.pds.size(); ++i) {
    Proc& p = procs_[i];
    p.pd = &b_.pds[i];
    p.index = i;
    for (const auto& c : p.pd->channels)
      if (c.id < 64) p.slots[c.id] = &c;
    for (const auto& c : p.pd->channels)
      if (c.irq) irqs_[c.irq_number] = IrqLine{i, c.id};
    for (const auto& m : p.pd->maps) {
      uint64_t paddr = b_.mrs[m.mr].paddr;
      p.maps_device = p.maps_device || paddr == kTimerPaddr || paddr == kSerialPaddr;
    }
    p.budget_ns = p.left_ns = p.pd->budget_us * 1000;
    p.period_ns = std::max(p.pd->period_us, p.pd->budget_us) * 1000;
  }
  if (!opt_.free_running && !create_links()) {
    say(std::string("error: cannot create link pages: ") + strerror(errno));
    return false;
  }
  std::vector<std::string> errors(procs_.size());
  start_processes(errors);
  for (size_t i = 0; i < procs_.size(); ++i) {
    if (errors[i].empty()) continue;
    say("error: cannot start PD '" + procs_[i].pd->name + "': " + errors[i]);
    return false;
  }
  for (auto& p : procs_) {
    if (wait_request(p, false) != &p || p.cp->req != kReqReady) {
      drain(p, true);
      say("error: PD '" + p.pd->name + "' did not start (see its output above)");
      return false;
    }
    p.in_recv = true;
    p.cpu_seen = cpu_ns(p.cpu_clock);  // start-up is no run's
    update(p);
  }
  if (!opt_.free_running) run_on_one_cpu();
  return true;
}

// Deterministic mode runs one PD at a time, as a one-core seL4 does: on one
// CPU each hand-off wakes a task where the last one slept, where spread
// over CPUs it waited for an idle CPU to wake (4-6x the futex floor on a
// quiet 2-CPU VM, 1.6x pinned). Best effort: a refusal leaves them unpinned.
void Launcher::run_on_one_cpu() {
  int cpu = sched_getcpu();
  if (cpu < 0) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  sched_setaffinity(0, sizeof one, &one);
  for (const Proc& p : procs_) sched_setaffinity(p.pid, sizeof one, &one);
}

// How much CPU time the PD has used in this run, at least. Its CPU clock
// (a system call to read) is read only once a run has lasted its budget in
// real time. The clock's value when the run began is not known exactly, but
// it is at most the last reading plus the real time of the runs since
// (a process uses no more CPU time than real time) and at most the first
// reading in this run; so the result never makes a run look longer than it
// was: a preemption can come late (by at most one budget), never early.
// Runs the PD began without the launcher (direct hand-offs) are not in
// that real time: after one, the first reading in this run is the begin.
constexpr uint64_t kNotRead = ~0ull;  // a run's begin on the CPU clock, before the first reading

uint64_t Launcher::cpu_used(Proc& p, uint64_t& begin) {
  uint64_t now = cpu_ns(p.cpu_clock);
  uint64_t runs = __atomic_load_n(&p.cp->runs, __ATOMIC_ACQUIRE);
  if (begin == kNotRead) begin = runs == p.runs_seen ? std::min(p.cpu_seen + p.wall_since_seen_ns, now) : now;
  p.runs_seen = runs;
  p.cpu_seen = now;
  p.wall_since_seen_ns = 0;
  return now - begin;
}

// The PDs that may hand the page back while p holds the CPU: p, and the
// peers it was offered to enter directly.
std::vector<Proc*> Launcher::holders(const Proc& p) {
  std::vector<Proc*> out{&procs_[p.index]};
  uint64_t offered = p.call_offer | p.notify_offer;
  for (unsigned ch = 0; ch < 64; ++ch) {
    if (!((offered >> ch) & 1u)) continue;
    Proc* s = &procs_[p.slots[ch]->peer];
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

// The peer p has handed the CPU to directly right now (its control page
// says so, for a channel it was offered), or nullptr.
Proc* Launcher::direct_peer(Proc& p) {
  if (!__atomic_load_n(&p.cp->direct_active, __ATOMIC_ACQUIRE)) return nullptr;
  uint64_t ch = p.cp->direct_ch, kind = p.cp->direct_kind;
  uint64_t offered = kind == kDirectCall ? p.call_offer : kind == kDirectNotify ? p.notify_offer : 0;
  if (ch >= 64 || !((offered >> ch) & 1u)) return nullptr;
  return &procs_[p.slots[ch]->peer];
}

// Who runs while p holds the CPU: p, or the peer it entered directly.
Proc& Launcher::runner(Proc& p) {
  Proc* s = direct_peer(p);
  return s ? *s : p;
}

// True if one of the holders died (it is then reported; a peer entered
// directly is booked first, as the launcher would have entered it).
bool Launcher::reap(Proc& p, const std::vector<Proc*>& holders) {
  for (Proc* q : holders) {
    int status = 0;
    if (waitpid(q->pid, &status, WNOHANG) != q->pid) continue;
    if (q != &p && direct_peer(p) == q) book_direct(p, *q);
    died(*q, status);
    return true;
  }
  return false;
}

// Waits until p, or a peer p entered directly, hands the page back; returns
// which, or nullptr if one died or the watchdog fired. A preemptible run
// that uses up the running PD's budget of CPU time is sent kPreemptSignal;
// the PD then hands the page back with kReqPreempted. A run begins at the
// hand-over or at a direct hand-off (the runner or its `runs` moves on).
Proc* Launcher::wait_request(Proc& p, bool preemptible) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) {
    return (uint64_t)std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
  };
  std::vector<Proc*> who = holders(p);
  std::vector<futex_waitv> words(who.size());
  Proc* r = &p;
  uint64_t runs = p.cp->runs;
  auto start = Clock::now(), last_reading = start;
  uint64_t cpu_begin = kNotRead;
  for (;;) {
    for (Proc* q : who) {
      uint32_t v = __atomic_load_n(&q->cp->to_launcher, __ATOMIC_ACQUIRE);
      if (v == q->seen) continue;
      q->seen = v;
      if (q == r) q->wall_since_seen_ns += since(last_reading);
      // The watchdog counts a whole entry, across the preemptions in it.
      double waited = since(start) / 1e9;
      q->entry_real_s = q == r && q->cp->req == kReqPreempted ? q->entry_real_s + waited : 0;
      return q;
    }
    Proc& now = runner(p);
    if (&now != r || now.cp->runs != runs) {  // a new run began without the launcher
      r->wall_since_seen_ns += since(last_reading);
      if (&now != &p) now.entry_real_s = 0;
      r = &now;
      runs = now.cp->runs;
      start = last_reading = Clock::now();
      cpu_begin = kNotRead;
    }
    bool enforce = preemptible && !is_gdb(*r);
    uint64_t slice = enforce ? std::min<uint64_t>(r->left_ns, 20000000) : 20000000;
    if (enforce && since(start) >= r->left_ns) {
      // Sent again every millisecond until it lands outside the PD's handover.
      uint64_t used = cpu_used(*r, cpu_begin);
      last_reading = Clock::now();
      if (used >= r->left_ns) kill(r->pid, kPreemptSignal);
      slice = used >= r->left_ns ? 1000000 : std::min<uint64_t>(r->left_ns - used, 20000000);
    }
    timespec deadline{};
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += (long)slice;
    deadline.tv_sec += deadline.tv_nsec / 1000000000;
    deadline.tv_nsec %= 1000000000;
    for (size_t i = 0; i < who.size(); ++i) words[i] = waiter(&who[i]->cp->to_launcher, who[i]->seen);
    sleep_while_any(words.data(), (unsigned)words.size(), &deadline);
    bool moved = false;
    for (Proc* q : who) moved = moved || __atomic_load_n(&q->cp->to_launcher, __ATOMIC_ACQUIRE) != q->seen;
    if (moved) continue;
    for (Proc* q : who) drain(*q);
    if (reap(p, who)) return nullptr;
    if (!is_gdb(*r) && r->entry_real_s + since(start) / 1e9 > opt_.watchdog_s) {
      const char* entry = r == &p ? r->entry : p.cp->direct_kind == kDirectCall ? "protected()" : "notified()";
      char buf[256];
      snprintf(buf, sizeof buf, "watchdog: PD '%s' did not return from %s within %g s",
               r->pd->name.c_str(), entry, opt_.watchdog_s);
      end_status_ = 3;
      end_reason_ = buf;
      return nullptr;
    }
  }
}

void Launcher::died(Proc& p, int status) {
  drain(p, true);
  p.dead = true;
  p.queued = false;
  ++unhandled_;
  if (WIFSIGNALED(status))
    say("PD '" + p.pd->name + "' was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
        strsignal(WTERMSIG(status)) + ")");
  else
    say("PD '" + p.pd->name + "' exited with status " + std::to_string(WEXITSTATUS(status)) +
        " (PD programs must not exit; use microkit_host_exit to end the run)");
}

// ---- 4. scheduling ----------------------------------------------------------

bool Launcher::runnable(const Proc& p) const {
  if (p.dead || p.stopped || p.faulted) return false;
  if (p.throttled_until) return false;
  if (p.resume) return true;
  return p.in_recv && (p.need_init || p.pending || !p.inbox.empty());
}

// Keeps the ready queue: a PD that becomes runnable joins the tail of its priority.
void Launcher::update(Proc& p) {
  bool r = runnable(p);
  if (r && !p.queued) p.seq = tail_++;
  p.queued = r;
}

// A PD that was running and is still runnable goes to the head (as seL4 does).
void Launcher::preempt(Proc& p) {
  p.resume = std::make_pair((uint32_t)kEvContinue, uint64_t{0});
  p.seq = head_--;
  p.queued = true;
}

Proc* Launcher::pick() {
  Proc* best = nullptr;
  for (auto& p : procs_) {
    if (!p.queued || !runnable(p)) continue;
    if (!best || p.pd->priority > best->pd->priority ||
        (p.pd->priority == best->pd->priority && p.seq < best->seq))
      best = &p;
  }
  return best;
}

// Takes p's next event off its state (as the hand-over will deliver it)
// and returns its kind; the event's arguments go to p's page only in dispatch.
uint32_t Launcher::next_event(Proc& p) {
  p.queued = false;
  p.in_recv = false;
  refill(p);
  if (p.resume) return p.resume->first;
  if (p.need_init) {
    p.need_init = false;
    p.entry = "init()";
    return kEvInit;
  }
  if (p.pending) {
    p.entry = "notified()";
    return kEvNotified;
  }
  const Message& m = p.inbox.front();
  if (m.is_fault) p.serving_fault = m.from;
  else p.serving = m.from;
  p.entry = m.is_fault ? "fault()" : "protected()";
  return m.is_fault ? kEvFault : kEvProtected;
}

// Hands `p` the CPU with its next event, then handles its requests (its
// own, or those of a peer it entered directly, after booking that entry).
void Launcher::dispatch(Proc& p) {
  ControlPage* cp = p.cp;
  cp->ev = next_event(p);
  if (cp->ev == kEvContinue || cp->ev == kEvRestart || cp->ev == kEvResume) {
    cp->ev_arg0 = p.resume->second;
    p.resume.reset();
  } else if (cp->ev == kEvNotified) {
    cp->ev_arg0 = p.pending;
    p.pending = 0;
  } else if (cp->ev == kEvProtected || cp->ev == kEvFault) {
    Message m = p.inbox.front();
    p.inbox.erase(p.inbox.begin());
    cp->ev_arg0 = m.badge;
    cp->msginfo = m.msginfo;
    memcpy(cp->mrs, m.mrs, sizeof m.mrs);
  }
  p.fast_offered = cp->fast_pending = fast_notifications(p);
  offer_direct(p);
  cp->time_ns = now_;
  dev_.set_now(now_);
  hand_over(&cp->to_pd);
  Proc* q = wait_request(p, true);
  if (!q) withdraw_offers(p);
  if (!q || (q != &p && !book_direct(p, *q))) return;
  drain(*q);
  poll_devices();
  handle(*q);
}

// ---- direct hand-offs (host_abi.h, Link) --------------------------------------

// s would be entered at once by a call or notify from a lower priority, and
// entering it changes nothing the launcher keeps but what the entry undoes:
// it waits with nothing pending, queued or owed, and no new period begins.
bool Launcher::idle_for_direct(const Proc& s) const {
  if (!s.in_recv || s.need_init || s.resume || s.pending || !s.inbox.empty()) return false;
  if (s.stopped || s.faulted || s.dead || s.throttled_until || s.maps_device) return false;
  if (s.serving || s.serving_fault || is_gdb(s)) return false;
  return now_ < s.period_start + s.period_ns;
}

// What p may hand to peers directly in the run it is handed now. A call
// also needs p alone at the top: the reply must make the launcher choose p.
// A PD that maps a device may not: its register writes take effect when it
// enters the launcher.
void Launcher::offer_direct(Proc& p) {
  p.call_offer = p.notify_offer = 0;
  bool alone = alone_at_top(p);
  bool may = opt_.direct && !is_gdb(p) && !p.maps_device;
  for (unsigned ch = 0; ch < 64 && may; ++ch) {
    if (!((p.link_low >> ch) & 1u)) continue;
    Proc& s = procs_[p.slots[ch]->peer];
    if (!idle_for_direct(s)) continue;
    uint64_t at_s = 1ull << p.slots[ch]->peer_id;
    if (p.slots[ch]->pp && alone) p.call_offer |= 1ull << ch, s.cp->enter_call_mask |= at_s;
    if (p.slots[ch]->notify) p.notify_offer |= 1ull << ch, s.cp->enter_notify_mask |= at_s;
    s.cp->time_ns = now_;  // what the launcher would tell it at that entry
  }
  p.cp->direct_call_mask = p.call_offer;
  p.cp->direct_notify_mask = p.notify_offer;
  p.cp->may_take_own = takes_own(p) ? 1 : 0;
  p.cp->direct_active = 0;
}

void Launcher::withdraw_offers(Proc& p) {
  for (unsigned ch = 0; ch < 64; ++ch) {
    if (!(((p.call_offer | p.notify_offer) >> ch) & 1u)) continue;
    ControlPage* s = procs_[p.slots[ch]->peer].cp;
    s->enter_call_mask &= ~(1ull << p.slots[ch]->peer_id);
    s->enter_notify_mask &= ~(1ull << p.slots[ch]->peer_id);
  }
  p.call_offer = p.notify_offer = 0;
  p.cp->direct_call_mask = p.cp->direct_notify_mask = 0;
  p.cp->may_take_own = 0;
}

// s made a request while p held the CPU: p had entered it directly. Book
// that hand-off as the request it stands for (a PPC, or a notify that
// preempts p) and s's entry as its dispatch, so that s's request is handled
// as if the launcher had seen every step. False if p offered no such entry.
bool Launcher::book_direct(Proc& p, Proc& s) {
  if (direct_peer(p) != &s) {
    say("PD '" + s.pd->name + "' made a request while '" + p.pd->name + "' held the CPU");
    cap_fault(s, 0);
    return false;
  }
  ControlPage* cp = p.cp;
  uint64_t ch = cp->direct_ch;
  bool call = cp->direct_kind == kDirectCall;
  begin_request(p);
  if (p.faulted) return false;
  cp->arg0 = ch;
  if (call) {
    ppcall(p);
  } else {
    notify(p, ch);
    if (!p.faulted) preempt(p);
  }
  uint32_t ev = next_event(s);
  if (ev == kEvNotified) s.pending = 0;
  if (ev == kEvProtected) s.inbox.erase(s.inbox.begin());
  return true;
}

// The notifies the PD queued since its last request (quiet_notify_mask).
void Launcher::queued_notifies(Proc& p) {
  uint32_t n = std::min(p.cp->queued_notify_count, kMaxQueuedNotifies);
  p.cp->queued_notify_count = 0;
  for (uint32_t i = 0; i < n && !p.faulted; ++i) notify(p, p.cp->queued_notify[i]);
}

// True if no other runnable PD has p's priority or above: were p to return
// now with notifications pending, pick() would choose p again.
bool Launcher::alone_at_top(const Proc& p) const {
  for (const auto& q : procs_)
    if (&q != &p && q.queued && runnable(q) && q.pd->priority >= p.pd->priority) return false;
  return true;
}

// The notifications p may take itself at its next return (host_abi.h,
// `fast_pending`): exactly when that return would make the launcher hand
// them straight back to p. A reply (PPC or fault) can wake another PD, and a
// device register write takes effect only at a request, so neither may skip it.
uint64_t Launcher::fast_notifications(const Proc& p) const {
  return p.pending && takes_own(p) ? p.pending : 0;
}

// p may run notified() itself for bits it is handed, at its return.
bool Launcher::takes_own(const Proc& p) const {
  return !p.serving && !p.serving_fault && !p.maps_device && alone_at_top(p);
}

// p took its notifications without a hand-over: book that return and that
// dispatch (kEvNotified) as if they had come through here.
void Launcher::took_fast_notifications(Proc& p) {
  p.cp->fast_taken = 0;
  p.pending &= ~p.fast_offered;
  p.entry = "notified()";
}

// What every request of p begins with: book what p did without the
// launcher since it was handed the CPU (notifications it took itself, those
// peers handed back to it and it did not take, its queued notifies), and
// withdraw the offers of that hand-over.
void Launcher::begin_request(Proc& p) {
  ControlPage* cp = p.cp;
  if (cp->fast_taken) took_fast_notifications(p);
  p.fast_offered = cp->fast_pending = 0;
  withdraw_offers(p);
  p.pending |= cp->direct_pending & p.link_low;
  cp->direct_pending = 0;
  queued_notifies(p);
}

void Launcher::handle(Proc& p) {
  ControlPage* cp = p.cp;
  begin_request(p);
  if (p.faulted) return;
  switch (cp->req) {
    case kReqRecv: {
      // As libmicrokit on seL4: the deferred operation first, then the reply.
      uint64_t kind = cp->arg0, ch = cp->arg1;
      if (kind == kDeferNotify) notify(p, ch);
      else if (kind == kDeferIrqAck) irq_ack(p, ch);
      if (p.faulted) return;
      reply_to_caller(p);
      reply_to_fault(p);
      p.in_recv = true;
      update(p);
      return;
    }
    case kReqNotify: notify(p, cp->arg0); break;
    case kReqIrqAck: irq_ack(p, cp->arg0); break;
    case kReqPpcall: ppcall(p); return;
    case kReqPdRestart:
    case kReqPdStop:
    case kReqPdResume: {
      Proc* c = child_of(p, cp->arg0);
      if (!c) return cap_fault(p, cp->arg0);
      if (cp->req == kReqPdRestart) restart(*c, cp->arg1);
      else c->stopped = cp->req == kReqPdStop;
      update(*c);
      break;
    }
    case kReqFault: return signal_fault(p);
    case kReqIllegal: return cap_fault(p, cp->arg1);
    case kReqPreempted: return budget_expired(p);
    case kReqExit: {
      int status = (int)(int32_t)cp->arg0;
      end_status_ = status;
      end_reason_ = "microkit_host_exit(" + std::to_string(status) + ") by '" + p.pd->name + "'";
      return;
    }
    default:
      return cap_fault(p, cp->req);
  }
  if (!p.faulted) preempt(p);
}

// ---- budgets and periods (virtual time) -------------------------------------
// A run costs no virtual time unless it uses up the PD's budget: then the
// clock moves on by what was left of the budget. So well-behaved systems
// keep exact, repeatable times, and a spinner is preempted as on seL4.

// A new period has begun since the PD last ran: its budget is whole again.
void Launcher::refill(Proc& p) {
  if (now_ < p.period_start + p.period_ns) return;
  p.period_start = now_;
  p.left_ns = p.budget_ns;
}

// As seL4 MCS: a round-robin PD (budget = period) goes to the back of its
// priority with a fresh budget; any other waits for its next period.
void Launcher::budget_expired(Proc& p) {
  if (past_limit(now_ + p.left_ns)) return;
  now_ += p.left_ns;
  p.left_ns = 0;
  p.resume = std::make_pair((uint32_t)kEvContinue, uint64_t{0});
  if (p.budget_ns >= p.period_ns) {
    p.period_start = now_;
    p.left_ns = p.budget_ns;
  } else {
    p.throttled_until = p.period_start + p.period_ns;
  }
  p.queued = false;
  time_passed();
  update(p);
}

// Virtual time moved on: release the throttled PDs whose period began, and
// fire the timer if its expiry has passed (expiries in between merge).
void Launcher::time_passed() {
  for (auto& p : procs_) {
    if (!p.throttled_until || *p.throttled_until > now_) continue;
    p.throttled_until.reset();
    refill(p);
    update(p);
  }
  auto next = dev_.next_expiry();
  bool fired = false;
  while (next && *next <= now_ && dev_.fire(*next)) {
    fired = true;
    next = dev_.next_expiry();
  }
  if (fired) raise_irq(kTimerIrq);
}

std::optional<uint64_t> Launcher::next_release() const {
  std::optional<uint64_t> first;
  for (const auto& p : procs_)
    if (p.throttled_until && !p.dead && (!first || *p.throttled_until < *first))
      first = p.throttled_until;
  return first;
}

// ---- kernel operations ------------------------------------------------------

void Launcher::signal(size_t pd, uint64_t ch) {
  procs_[pd].pending |= 1ull << ch;
  update(procs_[pd]);
}

void Launcher::notify(Proc& p, uint64_t ch) {
  const auto* s = ch < 64 ? p.slots[ch] : nullptr;
  if (!s || s->irq || !s->notify) return cap_fault(p, ch);
  signal(s->peer, s->peer_id);
}

void Launcher::irq_ack(Proc& p, uint64_t ch) {
  const auto* s = ch < 64 ? p.slots[ch] : nullptr;
  if (!s || !s->irq) return cap_fault(p, ch);
  IrqLine& line = irqs_[s->irq_number];
  line.masked = false;
  if (line.level_pending) {
    line.level_pending = false;
    line.masked = true;
    signal(line.pd, line.ch);
  }
}

void Launcher::ppcall(Proc& p) {
  uint64_t ch = p.cp->arg0;
  const auto* s = ch < 64 ? p.slots[ch] : nullptr;
  if (!s || s->irq || !s->pp || b_.pds[s->peer].priority <= p.pd->priority)
    return cap_fault(p, ch);
  Proc& callee = procs_[s->peer];
  Message m;
  m.from = p.index;
  m.badge = s->peer_id;
  m.msginfo = p.cp->msginfo;
  memcpy(m.mrs, p.cp->mrs, msginfo_count(m.msginfo) * 8);
  m.priority = p.pd->priority;
  m.seq = msg_seq_++;
  // Endpoint queues are ordered by priority (MCS), FIFO among equals.
  auto at = std::find_if(callee.inbox.begin(), callee.inbox.end(),
                         [&](const Message& o) { return o.priority < m.priority; });
  callee.inbox.insert(at, m);
  p.calling = true;
  p.call_target = callee.index;
  p.entry = "a PPC";
  update(callee);
  update(p);
}

void Launcher::reply_to_caller(Proc& p) {
  if (!p.serving) return;
  Proc& c = procs_[*p.serving];
  p.serving.reset();
  if (!p.cp->reply_valid || !c.calling || c.call_target != p.index) return;
  uint64_t info = p.cp->reply_msginfo;
  c.cp->msginfo = info;
  memcpy(c.cp->mrs, p.cp->mrs, msginfo_count(info) * 8);
  c.calling = false;
  c.call_target.reset();
  c.resume = std::make_pair((uint32_t)kEvContinue, uint64_t{0});
  update(c);
}

// The registers a fault reply of this kind sets, in message order
// (FaultRegister slots; seL4 x86-64's fault reply layouts).
std::vector<uint32_t> reply_registers(uint64_t fault_label) {
  if (fault_label == 3 /* seL4_Fault_UserException: FaultIP, SP, FLAGS */)
    return {kRegPc, kRegSp, kRegFlags};
  if (fault_label != 2 /* seL4_Fault_UnknownSyscall: RAX..R15, FaultIP, SP, FLAGS */) return {};
  std::vector<uint32_t> all;
  for (uint32_t r = kRegRax; r < kRegCount; ++r) all.push_back(r);
  return all;
}

uint64_t* fault_register(ControlPage* cp, uint32_t slot) {
  if (slot == kRegPc) return &cp->fault_pc;
  if (slot == kRegSp) return &cp->fault_sp;
  if (slot == kRegFlags) return &cp->fault_flags;
  return &cp->fault_gpr[slot];
}

// As seL4 does with a fault reply (handleFaultReply): VM and cap faults
// retry as they were; a user exception or unknown syscall takes its
// registers from the reply's message registers (as many as the reply's
// length says) and resumes only if the reply's label is 0 (else the child
// stays stopped, as the kernel leaves it inactive).
void Launcher::reply_to_fault(Proc& p) {
  if (!p.serving_fault) return;
  Proc& c = procs_[*p.serving_fault];
  p.serving_fault.reset();
  if (!p.cp->reply_valid || !c.faulted) return;
  uint64_t info = p.cp->reply_msginfo;
  auto regs = reply_registers(c.fault_label);
  if (!regs.empty() && (info >> 12) != 0) return;
  uint64_t set = 0;
  for (size_t i = 0; i < regs.size() && i < msginfo_count(info); ++i) {
    *fault_register(c.cp, regs[i]) = p.cp->mrs[i];
    set |= 1ull << regs[i];
  }
  c.faulted = false;
  c.resume = std::make_pair((uint32_t)(c.fault_in_handler ? kEvResume : kEvContinue), set);
  update(c);
}

Proc* Launcher::child_of(Proc& p, uint64_t id) {
  for (auto& c : procs_)
    if (c.pd->parent && *c.pd->parent == p.index && c.pd->child_id == id) return &c;
  return nullptr;
}

// Restart keeps the process and its memory; whatever the child was doing
// (running an entry, waiting on a PPC, parked in a fault) is abandoned.
void Launcher::restart(Proc& c, uint64_t entry) {
  for (auto& o : procs_) {
    auto& in = o.inbox;
    in.erase(std::remove_if(in.begin(), in.end(), [&](const Message& m) { return m.from == c.index; }),
             in.end());
    if (o.serving == c.index) o.serving.reset();
    if (o.serving_fault == c.index) o.serving_fault.reset();
  }
  c.faulted = c.calling = c.stopped = c.in_recv = false;
  c.call_target.reset();
  c.need_init = false;
  c.entry = "a restart";
  c.resume = std::make_pair((uint32_t)kEvRestart, entry);
}

void Launcher::fault(Proc& p, uint64_t label, const uint64_t* mrs, uint64_t count,
                     bool in_handler) {
  p.faulted = true;
  p.fault_in_handler = in_handler;
  p.fault_label = label;
  p.resume.reset();
  p.in_recv = false;
  p.queued = false;
  if (!p.pd->parent) return report_orphan_fault(p, label, mrs);
  Proc& parent = procs_[*p.pd->parent];
  Message m;
  m.is_fault = true;
  m.from = p.index;
  m.badge = p.pd->child_id;
  m.msginfo = msginfo_new(label, count);
  memcpy(m.mrs, mrs, count * 8);
  m.priority = p.pd->priority;
  m.seq = msg_seq_++;
  auto at = std::find_if(parent.inbox.begin(), parent.inbox.end(),
                         [&](const Message& o) { return o.priority < m.priority; });
  parent.inbox.insert(at, m);
  update(parent);
}

void Launcher::cap_fault(Proc& p, uint64_t id) {
  uint64_t mrs[4] = {p.cp->fault_pc, id, 0, 1};
  p.cp->backtrace_count = 0;
  fault(p, 1 /* seL4_Fault_CapFault */, mrs, 4, false);
}

// seL4 x86-64's UnknownSyscall message: RAX..R15, FaultIP, SP, FLAGS, Syscall.
void unknown_syscall_message(const ControlPage* cp, uint64_t* mrs) {
  for (uint32_t r = kRegRax; r < kRegCount; ++r)
    mrs[r] = *fault_register(const_cast<ControlPage*>(cp), r);
  mrs[kRegCount] = cp->fault_trapno;
}

void Launcher::signal_fault(Proc& p) {
  const ControlPage* cp = p.cp;
  if (cp->fault_signal == SIGSYS) {
    uint64_t mrs[kRegCount + 1];
    unknown_syscall_message(cp, mrs);
    return fault(p, 2 /* seL4_Fault_UnknownSyscall */, mrs, kRegCount + 1, true);
  }
  if (cp->fault_signal == SIGSEGV || cp->fault_signal == SIGBUS) {
    uint64_t mrs[4] = {cp->fault_pc, cp->fault_addr, (cp->fault_err & 0x10) ? 1u : 0u,
                       cp->fault_err};
    return fault(p, 6 /* seL4_Fault_VMFault */, mrs, 4, true);
  }
  uint64_t mrs[5] = {cp->fault_pc, cp->fault_sp, cp->fault_flags, cp->fault_trapno,
                     cp->fault_err};
  fault(p, 3 /* seL4_Fault_UserException */, mrs, 5, true);
}

struct Region {
  uint64_t start, end, offset;
  std::string file;
};

std::vector<Region> file_regions(pid_t pid) {
  std::vector<Region> out;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream l(line);
    std::string range, perms, offset, dev, inode, file;
    l >> range >> perms >> offset >> dev >> inode >> file;
    if (file.empty() || file[0] != '/') continue;
    size_t dash = range.find('-');
    out.push_back({std::stoull(range.substr(0, dash), nullptr, 16),
                   std::stoull(range.substr(dash + 1), nullptr, 16),
                   std::stoull(offset, nullptr, 16), file});
  }
  return out;
}

// "function at file:line" for `addr`, from the ELF file mapped there.
std::string symbolise_one(const std::vector<Region>& regions, uint64_t addr) {
  for (const auto& r : regions) {
    if (addr < r.start || addr >= r.end) continue;
    uint64_t base = r.start - r.offset;  // where the file's offset 0 is mapped
    for (const auto& o : regions)
      if (o.file == r.file) base = std::min(base, o.start - o.offset);
    std::string offset = hex(addr - base);
    std::string cmd = "addr2line -f -C -p -e '" + r.file + "' " + offset + " 2>/dev/null";
    std::string out;
    if (FILE* f = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, f)) out += buf;
      pclose(f);
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    if (out.empty() || out.rfind("??", 0) == 0) out = "?? in " + r.file + " +" + offset;
    return out;
  }
  return "??";
}

// The fault pc, then the frames the runtime recorded below it (return
// addresses, so one byte back to land inside the call).
std::string symbolise(const Proc& p, uint64_t pc, const uint64_t* bt, uint64_t n) {
  auto regions = file_regions(p.pid);
  std::vector<uint64_t> addrs{pc};
  bool after = false;
  for (uint64_t i = 0; i < n; ++i) {
    if (after && bt[i]) addrs.push_back(bt[i] - 1);
    if (bt[i] == pc) after = true;
  }
  std::string out;
  for (size_t i = 0; i < addrs.size(); ++i)
    out += "  #" + std::to_string(i) + " " + symbolise_one(regions, addrs[i]) + "\n";
  return out;
}

// "openat (257)": the name libseccomp knows for a Linux system call number.
std::string syscall_name(uint64_t nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
  std::string out = std::string(name ? name : "?") + " (" + std::to_string(nr) + ")";
  free(name);
  return out;
}

void Launcher::report_orphan_fault(Proc& p, uint64_t label, const uint64_t* mrs) {
  ++unhandled_;
  const char* kind = label == 6   ? "VM fault"
                     : label == 3 ? "user exception"
                     : label == 2 ? "forbidden system call"
                                  : "cap fault";
  char buf[300];
  if (label == 2)
    snprintf(buf, sizeof buf, "fault in PD '%s': %s %s pc=0x%llx (the host sandbox allows "
             "only what the SDF grants)", p.pd->name.c_str(), kind,
             syscall_name(p.cp->fault_trapno).c_str(), (unsigned long long)p.cp->fault_pc);
  else if (label == 1)
    snprintf(buf, sizeof buf, "fault in PD '%s': %s (illegal libmicrokit call on id %llu) pc=0x%llx",
             p.pd->name.c_str(), kind, (unsigned long long)mrs[1], (unsigned long long)mrs[0]);
  else
    snprintf(buf, sizeof buf, "fault in PD '%s': %s (signal %llu) address=0x%llx pc=0x%llx",
             p.pd->name.c_str(), kind, (unsigned long long)p.cp->fault_signal,
             (unsigned long long)p.cp->fault_addr, (unsigned long long)p.cp->fault_pc);
  say(std::string(buf) + "; it has no parent, so it stays stopped");
  uint64_t pc = label == 2 ? p.cp->fault_pc : mrs[0];  // an unknown syscall's MR0 is RAX
  std::string bt = symbolise(p, pc, p.cp->backtrace, p.cp->backtrace_count);
  if (!bt.empty()) std::fputs(bt.c_str(), stdout), std::fflush(stdout);
  if (p.pd->crash_dump) write_core_file(p);
}

// crash_dump on the host: the stopped PD process (parked in its fault
// handler) is written as a native core file by gdb's gcore, which the
// launcher may attach to as the PD's parent: <name>.core in the current
// folder, for `gdb PROGRAM <name>.core` (docs/debugging.md).
// Bytes of the process's readable mappings: what gcore would write.
uint64_t readable_bytes(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  uint64_t total = 0;
  std::string line;
  while (std::getline(maps, line)) {
    uint64_t lo = 0, hi = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) == 3 && perms[0] == 'r') total += hi - lo;
  }
  return total;
}

// A core file that big is an AddressSanitizer build's shadow and allocator
// space (tens of GiB on disk, a minute of gcore): not written.
constexpr uint64_t kMaxCoreBytes = uint64_t{1} << 30;

void Launcher::write_core_file(Proc& p) {
  std::string core = p.pd->name + ".core";
  if (uint64_t bytes = readable_bytes(p.pid); bytes > kMaxCoreBytes) {
    say("PD '" + p.pd->name + "': no core file: the process maps " + std::to_string(bytes >> 30) +
        " GiB (a sanitizer build?); core files are written for PDs mapping at most 1 GiB");
    return;
  }
  std::string cmd = "gdb --batch --nx -p " + std::to_string(p.pid) + " -ex 'gcore " + core +
                    "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) == 0 && access(core.c_str(), R_OK) == 0)
    say("PD '" + p.pd->name + "': core file " + core + " written (gdb " + p.pd->program + " " + core + ")");
  else
    say("PD '" + p.pd->name + "': no core file: gdb could not attach to the PD (is gdb installed?)");
}

// ---- devices and output -----------------------------------------------------

void Launcher::poll_devices() {
  dev_.poll(now_, [](const std::string& line) {
    std::fputs(("[serial] " + line + "\n").c_str(), stdout);
    std::fflush(stdout);
  });
}

void Launcher::raise_irq(uint64_t irq) {
  auto it = irqs_.find(irq);
  if (it == irqs_.end()) return;
  IrqLine& line = it->second;
  if (line.masked) {
    line.level_pending = true;
    return;
  }
  line.masked = true;
  signal(line.pd, line.ch);
}

// Nothing runnable: feed serial input, or advance virtual time to the next
// timer expiry. False when nothing will ever happen again (or the limit).
bool Launcher::idle_step() {
  if (dev_.feed_serial_input()) {
    raise_irq(kSerialIrq);
    return true;
  }
  auto next = dev_.next_expiry();
  // An expiry whose IRQ is masked with one already pending changes nothing a
  // PD can see until some PD runs, and none can: it does not count.
  auto line = irqs_.find(kTimerIrq);
  if (line == irqs_.end() || (line->second.masked && line->second.level_pending)) next.reset();
  auto release = next_release();
  if (release && (!next || *release < *next)) next = release;
  if (!next) return false;
  if (past_limit(*next)) return false;
  now_ = *next;
  time_passed();
  return true;
}

// True (and the run ends) if virtual time would pass --until.
bool Launcher::past_limit(uint64_t t) {
  if (!opt_.until_ns || t <= *opt_.until_ns) return false;
  now_ = *opt_.until_ns;
  end_status_ = unhandled_ ? 1 : 0;
  end_reason_ = "time limit " + std::to_string(now_) + " ns reached";
  return true;
}

void Launcher::drain(Proc& p, bool final) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(p.out_fd, buf, sizeof buf);
    if (n <= 0) break;
    p.outbuf.append(buf, (size_t)n);
  }
  size_t nl;
  while ((nl = p.outbuf.find('\n')) != std::string::npos) {
    std::string line = "[" + p.pd->name + "] " + p.outbuf.substr(0, nl + 1);
    std::fputs(line.c_str(), stdout);
    p.outbuf.erase(0, nl + 1);
  }
  if (final && !p.outbuf.empty()) {
    std::fputs(("[" + p.pd->name + "] " + p.outbuf + "\n").c_str(), stdout);
    p.outbuf.clear();
  }
  std::fflush(stdout);
}

// --trace-dump: every PD's ring (an MR named trace_format.h's kRingMrPrefix
// + the PD's name), in the dump format the seL4 trace library prints.
void Launcher::dump_traces() {
  if (!opt_.trace_dump) return;
  std::ofstream out(*opt_.trace_dump, std::ios::binary | std::ios::trunc);
  std::string_view prefix = trace::kRingMrPrefix;
  for (size_t i = 0; i < b_.mrs.size() && i < mr_fd_.size(); ++i) {
    const auto& mr = b_.mrs[i];
    if (!mr.name.starts_with(prefix)) continue;
    void* at = mmap(nullptr, mr.size, PROT_READ | PROT_WRITE, MAP_SHARED, mr_fd_[i], 0);
    if (at == MAP_FAILED) continue;
    std::string pd = mr.name.substr(prefix.size());
    trace::dump_new_records(static_cast<trace::TraceHeader*>(at), pd.c_str(), [&](char c) { out.put(c); });
    munmap(at, mr.size);
  }
  if (!out.flush()) say("cannot write the trace dump '" + *opt_.trace_dump + "'");
}

// ---- the profiler: a sample buffer per PD (profile_format.h) ---------------

bool Launcher::create_profile_buffers() {
  if (opt_.profile_hz == 0) return true;
  for (const auto& pd : b_.pds) {
    int fd = memfd_create(("profile:" + pd.name).c_str(), MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)profile::kBufferBytes) != 0) return false;
    profile_fd_.push_back(fd);
  }
  return true;
}

std::string hex_word(uint64_t v) {
  char text[20];
  snprintf(text, sizeof text, "%llx", (unsigned long long)v);
  return text;
}

// --profile-dump: every PD's samples, in profile_format.h's text.
void Launcher::dump_profiles() {
  if (!opt_.profile_dump || profile_fd_.empty()) return;
  std::ofstream out(*opt_.profile_dump, std::ios::binary | std::ios::trunc);
  for (size_t i = 0; i < profile_fd_.size() && i < b_.pds.size(); ++i) {
    void* at = mmap(nullptr, profile::kBufferBytes, PROT_READ, MAP_SHARED, profile_fd_[i], 0);
    if (at == MAP_FAILED) continue;
    auto* h = static_cast<const profile::ProfileHeader*>(at);
    auto* samples = reinterpret_cast<const profile::Sample*>(h + 1);
    std::string line = std::string(profile::kLinePrefix) + b_.pds[i].name + " ";
    if (h->magic == profile::kMagic) {
      out << line << "hz " << h->hz << "\n" << line << "bias " << hex_word(h->load_bias) << "\n";
      for (uint64_t n = 0; n < std::min(h->count, h->capacity); ++n) {
        out << line << "s " << samples[n].time;
        for (uint32_t d = 0; d < samples[n].depth && d < profile::kMaxDepth; ++d) out << ' ' << hex_word(samples[n].pcs[d]);
        out << "\n";
      }
      if (h->dropped) out << line << "dropped " << h->dropped << "\n";
    }
    munmap(at, profile::kBufferBytes);
  }
  if (!out.flush()) say("cannot write the profile dump '" + *opt_.profile_dump + "'");
}

int Launcher::finish(int status, const std::string& reason) {
  for (auto& p : procs_)
    if (p.pid > 0) {
      drain(p, true);
      kill(p.pid, SIGKILL);
    }
  for (auto& p : procs_)
    if (p.pid > 0) waitpid(p.pid, nullptr, 0);
  release_spawners();
  dump_traces();
  dump_profiles();
  say(std::string(status == 0 ? "PASS " : "FAIL ") + reason);
  return status;
}

// ---- free-running mode ------------------------------------------------------
// Every PD runs init() at once; PDs then notify and call each other directly
// (host_abi.h). The launcher only watches: it prints output, reports faults
// (to no parent: fault() is not called in this mode), ends the run at
// microkit_host_exit or when every PD is idle and no event moved for two
// scans, and gives up when nothing moves for --watchdog seconds.

void Launcher::handle_free(Proc& p) {
  ControlPage* cp = p.cp;
  switch (cp->req) {
    case kReqExit:
      end_status_ = (int)(int32_t)cp->arg0;
      end_reason_ = "microkit_host_exit(" + std::to_string(*end_status_) + ") by '" + p.pd->name + "'";
      return;
    case kReqFault: {
      p.faulted = true;
      bool vm = cp->fault_signal == SIGSEGV || cp->fault_signal == SIGBUS;
      uint64_t mrs[2] = {cp->fault_pc, cp->fault_addr};
      return report_orphan_fault(p, cp->fault_signal == SIGSYS ? 2 : vm ? 6 : 3, mrs);
    }
    case kReqIllegal: {
      p.faulted = true;
      uint64_t mrs[2] = {cp->fault_pc, cp->arg1};
      return report_orphan_fault(p, 1, mrs);
    }
    default:
      say("PD '" + p.pd->name + "': request " + std::to_string(cp->req) +
          " is not supported in free-running mode; ignored");
      cp->ev = kEvContinue;
      hand_over(&cp->to_pd);
  }
}

bool Launcher::free_quiescent(uint64_t& last_sum, int& quiet_scans) {
  uint64_t sum = 0;
  bool idle = true;
  for (auto& p : procs_) {
    if (p.dead || p.faulted) continue;
    const Endpoint* e = eps_[p.index];
    sum += __atomic_load_n(&e->wake, __ATOMIC_ACQUIRE);
    if (!__atomic_load_n(&e->idle, __ATOMIC_ACQUIRE) || e->pending || e->call_state) idle = false;
  }
  quiet_scans = (idle && sum == last_sum) ? quiet_scans + 1 : 0;
  last_sum = sum;
  return quiet_scans >= 2;
}

int Launcher::run_free() {
  for (auto& p : procs_) {
    p.cp->ev = kEvInit;
    p.entry = "init()";
    hand_over(&p.cp->to_pd);
  }
  uint64_t last_sum = ~0ull, moved_sum = ~0ull;
  int quiet_scans = 0;
  auto moved = std::chrono::steady_clock::now();
  while (!end_status_) {
    timespec ts{0, 1000 * 1000};
    nanosleep(&ts, nullptr);
    for (auto& p : procs_) {
      if (p.dead) continue;
      drain(p);
      uint32_t v = __atomic_load_n(&p.cp->to_launcher, __ATOMIC_ACQUIRE);
      if (v != p.seen) {
        p.seen = v;
        handle_free(p);
      }
      int status = 0;
      if (waitpid(p.pid, &status, WNOHANG) == p.pid) died(p, status);
    }
    if (end_status_ || free_quiescent(last_sum, quiet_scans)) break;
    if (last_sum != moved_sum) {
      moved_sum = last_sum;
      moved = std::chrono::steady_clock::now();
    } else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - moved).count() >
               opt_.watchdog_s) {
      end_status_ = 3;
      end_reason_ = "watchdog: no PD made progress for " + std::to_string((int)opt_.watchdog_s) +
                    " s (free-running)";
    }
  }
  if (!end_status_) {
    end_status_ = unhandled_ ? 1 : 0;
    end_reason_ = "quiescent (free-running)";
  }
  std::string reason = end_reason_;
  if (unhandled_ && *end_status_ != 3)
    reason += " (" + std::to_string(unhandled_) + " unhandled fault" + (unhandled_ > 1 ? "s" : "") + ")";
  return finish(*end_status_, reason);
}

int Launcher::run() {
  if (!check_programs() || !create_mrs() || !create_profile_buffers())
    return finish(2, "the system could not be set up");
  dev_.load_serial_input(opt_.serial_input);
  if (!start_all()) return finish(2, "the system could not be started");
  if (opt_.free_running) return run_free();
  for (;;) {
    if (end_status_) break;
    Proc* p = pick();
    if (p) {
      dispatch(*p);
      continue;
    }
    if (!idle_step()) break;
  }
  if (!end_status_) {
    end_status_ = unhandled_ ? 1 : 0;
    end_reason_ = "quiescent at t=" + std::to_string(now_) + " ns";
  }
  std::string reason = end_reason_;
  if (unhandled_ && *end_status_ != 3)
    reason += " (" + std::to_string(unhandled_) + " unhandled fault" + (unhandled_ > 1 ? "s" : "") + ")";
  return finish(*end_status_, reason);
}

}  // namespace

int launch(const host_bundle::Bundle& bundle, const LaunchOptions& options) {
  Launcher l(bundle, options);
  return l.run();
}

}  // namespace microkit::host
