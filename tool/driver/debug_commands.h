// The debugging verbs `symbolize` and `coredump` (debug_commands.cc,
// docs/debugging.md): they read a serial log, not a system to build, so
// they are dispatched before the build's option parser.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "driver/driver.h"

namespace microkit::driver {

// The exit code when `args` is a debugging verb, else nullopt.
std::optional<int> run_debug_command(const std::vector<std::string>& args, const Environment& env,
                                     Result& result);

}  // namespace microkit::driver
