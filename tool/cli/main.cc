// The `microkit` executable: a thin layer over driver::run_command.
//
// It gathers what the library must not look up itself (the arguments, the
// current directory, where the boards are), runs the command, prints what it
// produced and returns its exit code. This is the only place that catches
// exceptions: the tool reports errors as diagnostics, so reaching the catch
// is a bug, reported as an internal error with exit code 3.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "board/board.h"
#include "driver/driver.h"

namespace {

int run(int argc, char** argv) {
  std::vector<std::string> args;
  if (argc > 1) args.assign(argv + 1, argv + argc);
  microkit::driver::Environment env;
  std::error_code ec;
  env.cwd = std::filesystem::current_path(ec).string();
  if (ec) {
    std::fprintf(stderr, "microkit: error: cannot read the current directory: %s\n",
                 ec.message().c_str());
    return microkit::driver::kExitUserError;
  }
  env.boards_dir = microkit::board::default_boards_dir(argc > 0 ? argv[0] : "microkit");
  microkit::driver::Result result = microkit::driver::run_command(args, env);
  std::fputs(result.out.c_str(), stdout);
  std::fputs(result.err.c_str(), stderr);
  return result.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "microkit: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "microkit: internal error\n");
  }
  std::fputs("  this is a bug in microkit: please report it with the command line\n", stderr);
  return microkit::driver::kExitInternalError;
}
