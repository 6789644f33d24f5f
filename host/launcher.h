// The host launcher: plays the seL4 kernel for a system of PD processes.
//
// It reads a host bundle (bundle_format.h), creates one memfd per MR, starts
// one process per PD (the PD's program, linked against the host runtime),
// and then runs a uniprocessor fixed-priority scheduler: exactly one PD runs
// at a time; each PD blocks in its control page (host_abi.h) until the
// launcher hands it an event. Same bundle and inputs -> same interleaving.
//
// Invariants: the launcher never trusts a PD's control page (every request
// is checked against the PD's own channel table and children from the
// bundle); it never blocks forever on a PD (a watchdog bounds each wait).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bundle_format.h"

namespace microkit::host {

struct LaunchOptions {
  std::optional<uint64_t> until_ns;    // virtual-time limit
  double watchdog_s = 10.0;            // real time a PD may run without a kernel entry
  std::optional<std::string> gdb_pd;   // run this PD under gdbserver
  uint16_t gdb_port = 1234;
  std::optional<std::string> serial_input;
  bool free_running = false;           // PDs run concurrently, talk directly (not deterministic)
  bool direct = true;                  // deterministic mode: direct hand-offs between PDs (host_abi.h)
  std::optional<std::string> trace_dump;  // write every PD's trace ring here at the end
  uint64_t profile_hz = 0;                // <profiler frequency>: sample each PD this often
  std::optional<std::string> profile_dump;  // write every PD's samples here at the end
};

// Runs the system to its end and returns the exit status (see
// docs/host-platform.md: 0 pass, 1 fail, 2 set-up error, 3 watchdog, or the
// status a PD gave microkit_host_exit). Prints PD output and the final line.
int launch(const host_bundle::Bundle& bundle, const LaunchOptions& options);

}  // namespace microkit::host
