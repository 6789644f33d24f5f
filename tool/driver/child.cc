#include "driver/child.h"

#include <signal.h>
#include <sys/wait.h>
#include <cerrno>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace microkit::driver {

namespace {

volatile sig_atomic_t g_child = 0;  // the pid signals are passed on to

void pass_on(int sig) {
  if (g_child > 0) kill(g_child, sig);
}

double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Waits for `pid`, polling so that the time limit can be kept.
int wait_for(pid_t pid, double timeout_seconds, bool& timed_out) {
  double deadline = now_seconds() + timeout_seconds;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, timeout_seconds > 0 ? WNOHANG : 0);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return status;
    if (timeout_seconds > 0 && !timed_out && now_seconds() >= deadline) {
      timed_out = true;
      kill(pid, SIGTERM);
      timeout_seconds = 0;  // now wait without a limit
      continue;
    }
    if (timeout_seconds > 0) usleep(20 * 1000);
  }
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& args, double timeout_seconds) {
  ChildResult result;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return result;
  if (pid == 0) {
    execvp(argv[0], argv.data());
    _exit(127);
  }
  g_child = pid;
  struct sigaction sa{};
  sa.sa_handler = pass_on;
  struct sigaction old[3];
  const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; ++i) sigaction(sigs[i], &sa, &old[i]);
  int status = wait_for(pid, timeout_seconds, result.timed_out);
  for (int i = 0; i < 3; ++i) sigaction(sigs[i], &old[i], nullptr);
  g_child = 0;
  result.started = !(WIFEXITED(status) && WEXITSTATUS(status) == 127);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace microkit::driver
