// Running a program the user watches (QEMU for `microkit run`): a child
// process on this terminal, with an optional time limit.
#pragma once

#include <string>
#include <vector>

namespace microkit::driver {

struct ChildResult {
  bool started = false;    // false: the program could not be run (not found)
  bool timed_out = false;  // stopped by us after the time limit
  int status = 0;          // its exit status (128 + signal when killed)
};

// Runs argv[0] (looked up in PATH) with this process's standard streams and
// waits for it. After `timeout_seconds` (0: no limit) it is sent SIGTERM.
// SIGINT, SIGTERM and SIGHUP sent to this process are passed on to it, so
// that stopping `microkit run` stops QEMU too.
ChildResult run_child(const std::vector<std::string>& argv, double timeout_seconds);

}  // namespace microkit::driver
