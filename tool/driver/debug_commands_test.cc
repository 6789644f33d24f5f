// Tests of `microkit symbolize` and `microkit coredump` as commands: their
// command lines, the logs they refuse, and the files coredump writes.
#include <gtest/gtest.h>

#include <filesystem>

#include "driver/driver_test_support.h"

namespace microkit::driver {
namespace {

using test_support::env_in;
using test_support::TempDir;

constexpr const char* kReport =
    "mk-fault pd worker arch aarch64\n"
    "mk-fault what vm access read address 0x0000000000000008 pc 0x0000000000200010\n"
    "mk-fault regs pc=0x0000000000200010 sp=0x000000ffffffdff0 x29=0x0\n"
    "mk-fault frame 0 0x0000000000200010\n"
    "mk-fault end\n";

TEST(DebugCommands, SymbolizeWithoutProgramsStillPrintsTheReport) {
  TempDir dir;
  dir.write("boot.log", kReport);
  Result r = run_command({"symbolize", "boot.log"}, env_in(dir));
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("PD 'worker' (aarch64, log line 1): VM fault, read at address 0x8, pc 0x200010"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("#0 0x200010 in ??"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no program for PD 'worker'"), std::string::npos) << r.err;
}

TEST(DebugCommands, ALogWithoutReportsIsAnError) {
  TempDir dir;
  dir.write("boot.log", "hello: hi\n");
  Result r = run_command({"symbolize", "boot.log"}, env_in(dir));
  EXPECT_EQ(r.exit_code, kExitUserError);
  EXPECT_NE(r.err.find("holds no fault report"), std::string::npos) << r.err;
}

TEST(DebugCommands, BadCommandLines) {
  TempDir dir;
  EXPECT_EQ(run_command({"symbolize"}, env_in(dir)).exit_code, kExitUserError);
  Result bad_elf = run_command({"symbolize", "x.log", "--elf", "worker"}, env_in(dir));
  EXPECT_EQ(bad_elf.exit_code, kExitUserError);
  EXPECT_NE(bad_elf.err.find("is not PD=FILE"), std::string::npos) << bad_elf.err;
  Result missing = run_command({"coredump", "nope.log"}, env_in(dir));
  EXPECT_EQ(missing.exit_code, kExitUserError);
  EXPECT_NE(missing.err.find("cannot read the log nope.log"), std::string::npos) << missing.err;
  EXPECT_EQ(run_command({"coredump", "a.log", "--frobnicate"}, env_in(dir)).exit_code, kExitUserError);
}

TEST(DebugCommands, CoredumpWritesOneCorePerFault) {
  TempDir dir;
  dir.write("boot.log", std::string(kReport) + kReport);
  std::filesystem::create_directories(dir.path() + "/cores");
  Result r = run_command({"coredump", "boot.log", "-o", "cores"}, env_in(dir));
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() + "/cores/worker.core"));
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() + "/cores/worker.2.core"));
}

}  // namespace
}  // namespace microkit::driver
