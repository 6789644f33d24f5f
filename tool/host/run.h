// The host back end: Plan -> host bundle -> the launcher (host/).
//
// make_bundle() turns a Plan for `--board host` into what the launcher needs
// (host/bundle_format.h): it gives every MR without a fixed physical address
// a fake but stable one (so <setvar region_paddr> has a value) and fills the
// setvar values that depend on it. run() writes the bundle to a temporary
// folder and runs the launcher on it, returning the launcher's exit status
// (docs/host-platform.md: 0 PASS, 1 FAIL, 2 set-up error, 3 watchdog, or the
// status given to microkit_host_exit). Output goes straight to stdout.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../../host/bundle_format.h"
#include "plan/plan.h"
#include "support/diagnostics.h"

namespace microkit::host {

struct RunOptions {
  std::string system_file;                 // the SDF, for messages
  std::vector<std::string> launcher_args;  // passed on: --until NS, --watchdog S, --gdb PD,
                                           // --gdb-port N, --serial-input FILE
  std::string launcher;                    // path of microkit-host; empty: found automatically
};

// Where fake physical addresses for host MRs start (above the device models).
inline constexpr uint64_t kFakePaddrBase = 0x100000000000ull;

host_bundle::Bundle make_bundle(const plan::Plan& plan, const std::string& system_file);

// Writes the bundle for `plan` to `path` (for `microkit SYSTEM --board host -o PATH`).
bool write_bundle(const plan::Plan& plan, const std::string& system_file, const std::string& path,
                  Diagnostics& diags);

// The launcher executable: $MICROKIT_HOST_LAUNCHER, else microkit-host next to
// this executable, else the one this build made.
std::string find_launcher();

int run(const plan::Plan& plan, const RunOptions& options, Diagnostics& diags);

}  // namespace microkit::host
