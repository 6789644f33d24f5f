// host_run_system: runs `microkit run ARGS...` through the driver library,
// for the host-platform tests (so they do not depend on the CLI binary's
// state). Prints the Result's out/err and returns its exit code.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "driver/driver.h"

int main(int argc, char** argv) {
  std::vector<std::string> args{"run"};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  microkit::driver::Environment env;
  env.cwd = std::filesystem::current_path().string();
  env.boards_dir = MICROKIT_SOURCE_DIR "/boards";
  auto result = microkit::driver::run_command(args, env);
  std::fputs(result.out.c_str(), stdout);
  std::fputs(result.err.c_str(), stderr);
  return result.exit_code;
}
