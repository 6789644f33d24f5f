// The event timeline on the command line (docs/tracing.md): --trace for a
// build or a host run, and `microkit trace`, which turns a serial log into a
// trace JSON. Kept apart from commands.cc; the verbs there call these.
#pragma once

#include <string>
#include <vector>

#include "driver/check.h"
#include "driver/driver.h"
#include "driver/options.h"
#include "plan/plan.h"
#include "support/diagnostics.h"

namespace microkit::driver {

// With --trace, adds every PD's ring to `plan` (trace/trace_buffers.h);
// refuses boards whose libmicrokit has no trace build. True when there is
// nothing to do or it was done.
bool add_trace_if_asked(const Options& opts, const CheckedSystem& checked, plan::Plan& plan,
                        Diagnostics& diags);

// A fresh temporary file for the host launcher's dump ("" on failure).
std::string make_dump_path();

// Reads the dump at `dump_path` (then removes it) and writes the trace JSON
// to --trace-json (default trace.json, relative to env.cwd).
bool write_trace_json(const Options& opts, const Environment& env, const plan::Plan& plan,
                      const std::string& dump_path, Diagnostics& diags);

// With an SDF <profiler>: the launcher's flags that make it sample each PD
// and dump the samples to `dump_path` (none without a <profiler>).
std::vector<std::string> profile_launcher_args(const sdf::SystemDescription& sd,
                                               const std::string& dump_path);

// Reads the launcher's sample dump (then removes it) and writes
// <--profile-out>.perf and .txt (relative to env.cwd).
bool write_profile(const Options& opts, const Environment& env, const plan::Plan& plan,
                   const std::string& dump_path, Diagnostics& diags);

// `microkit profile SYSTEM --board B --config C --profile-log LOG`: the
// seL4 profiler's samples in a serial log, as <--profile-out>.perf and .txt.
int profile_command(const Options& opts, const Environment& env, Result& result);

// `microkit trace SYSTEM --board B --trace-log LOG [--trace-json OUT]`.
int trace_command(const Options& opts, const Environment& env, Result& result);

}  // namespace microkit::driver
