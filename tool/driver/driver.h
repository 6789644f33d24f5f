// The `microkit` command as a library: argv in, exit code and output out.
//
// cli/main.cc only turns argv into a vector, calls run_command and prints the
// Result. Everything the command needs from the outside world that is not a
// file it names (the current directory, where the boards live) comes in an
// Environment, so tests run commands with their own folders and capture all
// output, with no global state and no chdir.
//
// Exit codes: 0 success; 1 a problem with the input or the command line,
// reported as diagnostics on `err`. (3, an internal error, is main's alone.)
#pragma once

#include <string>
#include <vector>

namespace microkit::driver {

struct Environment {
  std::string cwd;         // relative paths on the command line start here
  std::string boards_dir;  // the folder of <board>.json files
};

struct Result {
  int exit_code = 0;
  std::string out;  // what goes to stdout
  std::string err;  // what goes to stderr
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitUserError = 1;
inline constexpr int kExitInternalError = 3;

// Runs one command line (`args` without the program name).
Result run_command(const std::vector<std::string>& args, const Environment& env);

}  // namespace microkit::driver
