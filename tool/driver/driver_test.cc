// End-to-end tests of the command line: argv in, exit code and output out,
// with every file the command reads written by the test into a temp folder.
#include "driver/driver.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "driver/driver_test_support.h"

namespace microkit::driver {
namespace {

using namespace test_support;

// Two PDs, a shared region, a prefilled region without size, one channel.
constexpr std::string_view kSystem = R"(<?xml version="1.0" encoding="UTF-8"?>
<system>
  <memory_region name="shared" size="0x1000" />
  <memory_region name="blob" prefill_path="blob.bin" />
  <protection_domain name="alpha" priority="10">
    <program_image path="alpha.elf" />
    <map mr="shared" vaddr="0x4000000" perms="rw" />
    <map mr="blob" vaddr="0x5000000" perms="r" />
  </protection_domain>
  <protection_domain name="beta" priority="20">
    <program_image path="beta.elf" />
    <map mr="shared" vaddr="0x4000000" perms="r" />
  </protection_domain>
  <channel>
    <end pd="alpha" id="1" />
    <end pd="beta" id="2" />
  </channel>
</system>
)";

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

class Cli : public ::testing::Test {
 protected:
  // The system above with its programs (for `machine`) and prefill, in `sub`.
  void write_system(uint16_t machine = EM_X86_64, const std::string& sub = "") {
    dir_.write("s.system", kSystem);
    dir_.write(sub + "alpha.elf", program_elf(machine));
    dir_.write(sub + "beta.elf", program_elf(machine));
    dir_.write(sub + "blob.bin", std::string(5000, 'b'));
  }
  Result run(std::vector<std::string> args) { return run_command(args, env_in(dir_)); }

  TempDir dir_;
};

// ------------------------------------------------------------ help, version, usage

TEST_F(Cli, HelpGoesToStdoutWithExitZero) {
  for (const char* flag : {"-h", "--help"}) {
    Result r = run({flag});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.starts_with("usage: microkit")) << r.out;
    EXPECT_EQ(r.err, "");
  }
}

TEST_F(Cli, HelpHasALineForEveryCommand) {
  std::string out = run({"--help"}).out;
  for (const char* verb : {"check", "run", "diagram", "boards", "headers", "trace", "profile", "symbolize",
                           "coredump"}) {
    std::string usage = "\n       microkit " + std::string(verb);
    EXPECT_TRUE(out.find(usage + " ") != std::string::npos || out.find(usage + "\n") != std::string::npos) << verb;
    EXPECT_NE(out.find("\n  " + std::string(verb) + " "), std::string::npos) << verb;
  }
}

TEST_F(Cli, Version) {
  Result r = run({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.starts_with("microkit ")) << r.out;
  EXPECT_TRUE(r.out.ends_with("\n"));
}

TEST_F(Cli, NoArgumentsIsAUsageError) {
  Result r = run({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(
      r.err.starts_with("microkit: error: the following arguments are required: --board, "
                        "--config, system\n"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "hint: usage: microkit"));
}

TEST_F(Cli, UnknownFlagWithSuggestion) {
  write_system();
  Result r = run({"s.system", "--bord", "host", "--config", "debug"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "microkit: error: unknown option '--bord'\n  hint: did you mean '--board'?\n");
}

TEST_F(Cli, UnknownVerbWithSuggestion) {
  Result r = run({"chek", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "unknown command 'chek'"));
  EXPECT_TRUE(contains(r.err, "did you mean 'check'?"));
}

// ------------------------------------------------------------ boards

TEST_F(Cli, BoardsListsEveryBoardWithItsConfigs) {
  Result r = run({"boards"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  for (const char* line_start :
       {"host ", "qemu_virt_aarch64 ", "qemu_virt_riscv64 ", "x86_64_generic "})
    EXPECT_TRUE(r.out.starts_with(line_start) || contains(r.out, "\n" + std::string(line_start)))
        << line_start << " in\n"
        << r.out;
  EXPECT_TRUE(contains(r.out, "debug, release"));
  EXPECT_TRUE(contains(r.out, "aarch64"));
}

// The line of `board` in the listing, without its newline.
std::string board_line(const std::string& listing, const std::string& board) {
  size_t at = listing.find("\n" + board + " ");
  if (at == std::string::npos) return "";
  size_t end = listing.find('\n', at + 1);
  return listing.substr(at + 1, end - at - 1);
}

TEST_F(Cli, BoardsMarksTheConfigsItCanMakeImagesFor) {
  // A fake SDK with the three files an image of qemu_virt_aarch64/debug needs.
  for (const char* f : {"loader.elf", "initialiser.elf", "sel4.elf"})
    dir_.write(std::string("sdk/board/qemu_virt_aarch64/debug/elf/") + f, "x");
  const char* saved = std::getenv("MICROKIT_SDK");
  std::string saved_value = saved ? saved : "";
  setenv("MICROKIT_SDK", (dir_.path() + "/sdk").c_str(), 1);
  Result r = run({"boards"});
  if (saved) setenv("MICROKIT_SDK", saved_value.c_str(), 1);
  else unsetenv("MICROKIT_SDK");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string aarch64 = board_line(r.out, "qemu_virt_aarch64");
  EXPECT_TRUE(contains(aarch64, "debug*, release, ")) << r.out;
  EXPECT_TRUE(contains(r.out, "host") && contains(r.out, "debug*, release*, benchmark*")) << r.out;
  // Without the loader and initial task, not one riscv64 configuration.
  EXPECT_FALSE(contains(board_line(r.out, "qemu_virt_riscv64"), "*")) << r.out;
  EXPECT_TRUE(contains(r.out, "no images here (debug: ")) << r.out;
}

TEST_F(Cli, BoardsFromAMissingFolder) {
  Result r = run_command({"boards"}, Environment{dir_.path(), dir_.path() + "/no-boards"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "error:"));
}

TEST_F(Cli, BoardsFromAnEmptyFolder) {
  dir_.write("boards/README", "no boards here");
  Result r = run_command({"boards"}, Environment{dir_.path(), dir_.path() + "/boards"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "no boards found"));
}

// ------------------------------------------------------------ check

TEST_F(Cli, CheckPrintsTheSummary) {
  write_system();
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "s.system: ok (2 protection domains, 2 memory regions, 1 channel)\n");
}

TEST_F(Cli, CheckSummaryCountsInTheSingular) {
  dir_.write("one.system", R"(<system>
  <memory_region name="m" size="0x1000" />
  <protection_domain name="alpha"><program_image path="alpha.elf" /></protection_domain>
</system>
)");
  dir_.write("alpha.elf", program_elf());
  Result r = run({"check", "one.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "one.system: ok (1 protection domain, 1 memory region, 0 channels)\n");
}

TEST_F(Cli, CheckWithAnExplicitConfig) {
  write_system();
  Result r = run({"check", "s.system", "--board", "host", "--config", "release"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, CheckFindsProgramsThroughEverySearchPath) {
  dir_.write("s.system", kSystem);
  dir_.write("build/alpha.elf", program_elf());
  dir_.write("other/beta.elf", program_elf());
  dir_.write("data/blob.bin", "x");
  Result r = run({"check", "s.system", "--board", "host", "--search-path", "build", "other",
                  "--search-path", dir_.path() + "/data"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, CheckMissingProgramShowsTheSdfLineAndCaret) {
  write_system();
  std::filesystem::remove(dir_.path() + "/beta.elf");
  Result r = run({"check", "s.system", "--board", "host", "--search-path", "build"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  Loc loc = loc_of(kSystem, "path=\"beta.elf\"");
  EXPECT_TRUE(r.err.starts_with("s.system:" + at(loc) +
                                ": error: cannot find program image "
                                "'beta.elf'; searched: " +
                                dir_.path() + "/build, " + dir_.path() + "\n"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "\n        <program_image path=\"beta.elf\" />\n"));
  EXPECT_TRUE(contains(r.err, "\n                       ^\n"));
  EXPECT_TRUE(contains(r.err,
                       "hint: build it first, or add the folder that holds it with "
                       "--search-path DIR"));
}

TEST_F(Cli, CheckProgramForTheWrongArchitecture) {
  write_system(EM_AARCH64);
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(
      contains(r.err, "s.system:" + at(loc_of(kSystem, "path=\"alpha.elf\"")) + ": error: "));
  EXPECT_TRUE(contains(r.err, "is built for aarch64"));
}

TEST_F(Cli, CheckMalformedElfIsReportedWithoutSdfSource) {
  write_system();
  std::string elf = dir_.write("alpha.elf", "not an elf at all");
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with(elf + ": error: ")) << r.err;
  // The note that points back at the SDF does quote it.
  EXPECT_TRUE(contains(r.err, "note: the program image of protection domain 'alpha'"));
}

TEST_F(Cli, CheckMissingSystemFile) {
  Result r = run({"check", "nope.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(
      r.err.starts_with("microkit: error: cannot read the system description "
                        "'nope.system': No such file or directory\n"))
      << r.err;
}

TEST_F(Cli, CheckSystemThatIsAFolder) {
  dir_.write("folder.system/x", "");
  Result r = run({"check", "folder.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "'folder.system': it is a directory"));
}

TEST_F(Cli, CheckMalformedXmlStopsAfterParsing) {
  dir_.write("s.system", "<system>\n  <protection_domain name=\"a\">\n</system>\n");
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("s.system:3:")) << r.err;
  EXPECT_FALSE(contains(r.err, "program"));  // inputs were not looked for
}

TEST_F(Cli, CheckValidationErrorQuotesTheSdf) {
  write_system();
  std::string text(kSystem);
  text.replace(text.find("mr=\"blob\""), 9, "mr=\"blub\"");
  dir_.write("s.system", text);
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "s.system:" + at(loc_of(text, "mr=\"blub\"")) + ": error: "))
      << r.err;
  EXPECT_TRUE(contains(r.err, "\n        <map mr=\"blub\" vaddr=\"0x5000000\" perms=\"r\" />\n"));
}

TEST_F(Cli, CheckPrefillLargerThanItsRegion) {
  write_system();
  std::string text(kSystem);
  text.replace(text.find("name=\"blob\""), 11, "name=\"blob\" size=\"0x1000\"");
  dir_.write("s.system", text);
  Result r = run({"check", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("s.system:" + at(loc_of(text, "prefill_path")) +
                                ": error: prefill file 'blob.bin' (0x1388 bytes) is larger than "
                                "memory region 'blob' (size 0x1000)"))
      << r.err;
}

TEST_F(Cli, CheckUnknownBoardListsTheBoards) {
  write_system();
  Result r = run({"check", "s.system", "--board", "qemu_virt_arch64"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("microkit: error: unknown board 'qemu_virt_arch64'\n")) << r.err;
  EXPECT_TRUE(contains(r.err, "did you mean 'qemu_virt_aarch64'?"));
  EXPECT_TRUE(contains(r.err, "The boards are: host, qemu_virt_aarch64"));
}

TEST_F(Cli, CheckUnknownConfigListsTheConfigs) {
  write_system();
  Result r = run({"check", "s.system", "--board", "host", "--config", "relase"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("microkit: error: board 'host' has no config 'relase'\n")) << r.err;
  EXPECT_TRUE(contains(r.err, "did you mean 'release'?"));
  EXPECT_TRUE(contains(r.err, "The configs of host are: debug, release"));
}

TEST_F(Cli, CheckWarnsAboutBuildOnlyFlagsButSucceeds) {
  write_system();
  Result r = run({"check", "s.system", "--board", "host", "-o", "x.img"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "microkit: warning: option -o has no effect with 'check'"));
  EXPECT_TRUE(contains(r.out, ": ok ("));
}

TEST_F(Cli, CheckWithAbsoluteSystemPath) {
  write_system();
  Result r = run_command({"check", dir_.path() + "/s.system", "--board", "host"},
                         Environment{"/", boards_dir()});
  // The programs are not in "/": only the SDF's own path is absolute.
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot find program image 'alpha.elf'"));
  Result ok = run_command(
      {"check", dir_.path() + "/s.system", "--board", "host", "--search-path", dir_.path()},
      Environment{"/", boards_dir()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// ------------------------------------------------------------ build (the official form)

TEST_F(Cli, BuildForAnSel4BoardGoesOnToTheSel4BackEnd) {
  // Whether an image comes out depends on the SDK found (docs/sel4-backend.md);
  // what the driver owns is that a system that checks reaches the back end.
  write_system(EM_AARCH64);
  Result r =
      run({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug", "-o", "loader.img"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code;
  EXPECT_FALSE(contains(r.err, "cannot find program image")) << r.err;
  EXPECT_FALSE(contains(r.err, "is built for")) << r.err;
  bool image = std::filesystem::is_regular_file(dir_.path() + "/loader.img");
  EXPECT_EQ(image, r.exit_code == 0) << r.err;
}

TEST_F(Cli, BuildStopsAtInputErrorsBeforeTheBackEnd) {
  write_system(EM_X86_64);
  Result r = run({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "is built for x86_64"));
  EXPECT_FALSE(contains(r.err, "loader"));  // stopped before the back end
}

TEST_F(Cli, BuildNeedsAConfig) {
  write_system();
  Result r = run({"s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "the following arguments are required: --config"));
}

TEST_F(Cli, ImageTypeMustSuitTheArchitecture) {
  write_system(EM_X86_64);
  Result r = run(
      {"s.system", "--board", "x86_64_generic", "--config", "debug", "--image-type", "uimage"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(
      r.err.starts_with("microkit: error: --image-type uimage is not supported for x86_64"))
      << r.err;
}

TEST_F(Cli, UimageIsAcceptedOnAarch64) {
  write_system(EM_AARCH64);
  Result r = run(
      {"s.system", "--board", "qemu_virt_aarch64", "--config", "debug", "--image-type", "uimage"});
  EXPECT_FALSE(contains(r.err, "--image-type uimage is not supported")) << r.err;
}

TEST_F(Cli, UimageIsAcceptedOnRiscv) {
  write_system(EM_RISCV);
  Result r = run(
      {"s.system", "--board", "qemu_virt_riscv64", "--config", "debug", "--image-type", "uimage"});
  EXPECT_FALSE(contains(r.err, "--image-type uimage is not supported")) << r.err;
}

TEST_F(Cli, ViperOutputWarnsWhatIsNotWrittenAndTheBuildGoesOn) {
  write_system(EM_AARCH64);
  Result r = run({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug",
                  "--viper-output", "viper"});
  EXPECT_TRUE(contains(r.err, "microkit: warning: --viper-output: no Viper files are written to "
                              "'viper'"))
      << r.err;
  EXPECT_FALSE(contains(r.err, "not supported yet")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/viper"));
}

TEST_F(Cli, CapdlOutputsAreRefusedWhereThereIsNoSel4BackEnd) {
  write_system(EM_X86_64);
  Result r = run({"s.system", "--board", "host", "--config", "debug", "--capdl-json", "spec.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "--capdl-json and --capdl are not supported yet for host")) << r.err;
}

TEST_F(Cli, OverrideKernelMustExist) {
  write_system(EM_AARCH64);
  Result r = run({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug",
                  "--override-kernel", "my-kernel.elf"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "kernel ELF 'my-kernel.elf' (--override-kernel) does not exist"));
  dir_.write("my-kernel.elf", program_elf(EM_AARCH64));
  Result found = run({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug",
                      "--override-kernel", "my-kernel.elf"});
  EXPECT_FALSE(contains(found.err, "(--override-kernel) does not exist"));
}

TEST_F(Cli, BuildForTheHostBoardWritesTheBundle) {
  write_system();
  Result r = run({"s.system", "--board", "host", "--config", "debug", "-o", "out/system.bundle"});
  // The output folder does not exist: the write must fail cleanly.
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "error:"));
  std::filesystem::create_directories(dir_.path() + "/out");
  Result ok = run({"s.system", "--board", "host", "--config", "debug", "-o", "out/system.bundle"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() + "/out/system.bundle"));
}

TEST_F(Cli, HostBoardTakesNoImageTypeAndIgnoresOverrideKernel) {
  write_system();
  Result typed = run({"s.system", "--board", "host", "--config", "debug", "--image-type", "elf"});
  EXPECT_EQ(typed.exit_code, 1);
  EXPECT_TRUE(contains(typed.err, "--image-type elf is not supported for host"));
  Result kernel = run({"s.system", "--board", "host", "--config", "debug", "--override-kernel",
                       "k.elf", "-o", "s.bundle"});
  EXPECT_EQ(kernel.exit_code, 0) << kernel.err;
  EXPECT_TRUE(contains(kernel.err, "warning: --override-kernel has no effect on the host board"));
}

TEST_F(Cli, HostBoardIgnoresCspaceHeadersWithAWarning) {
  write_system();
  Result r = run({"s.system", "--board", "host", "--config", "debug", "--cspace-headers", "hdr",
                  "-o", "s.bundle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: --cspace-headers has no effect on the host board")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/hdr"));
}

TEST_F(Cli, AuthorityJsonIsWrittenFromThePlan) {
  write_system();
  Result r = run({"s.system", "--board", "host", "--config", "debug", "--authority-json",
                  "authority.json", "-o", "s.bundle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream f(dir_.path() + "/authority.json");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(text, "\"protection_domains\"")) << text;
  EXPECT_TRUE(contains(text, "\"name\": \"alpha\"")) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

TEST_F(Cli, DiagramWritesThePageToOutputOrDiagramHtml) {
  write_system();
  Result r = run({"diagram", "s.system", "--board", "host", "-o", "page.html"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote page.html\n");
  std::string page = read_text(dir_.path() + "/page.html");
  EXPECT_TRUE(contains(page, "data-pd=\"alpha\"")) << page.substr(0, 200);
  EXPECT_TRUE(contains(page, "data-pd=\"beta\""));
  EXPECT_TRUE(contains(page, "data-channel=\"0\""));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/loader.img")) << "a diagram builds no image";
  Result dflt = run({"diagram", "s.system", "--board", "host"});
  EXPECT_EQ(dflt.exit_code, 0) << dflt.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() + "/diagram.html"));
}

TEST_F(Cli, DiagramChecksTheSystemFirst) {
  dir_.write("s.system", kSystem);  // no programs
  Result r = run({"diagram", "s.system", "--board", "host", "-o", "page.html"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot find program image 'alpha.elf'")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/page.html"));
}

TEST_F(Cli, DiagramOptionBesideTheHostBundle) {
  write_system();
  Result r = run({"s.system", "--board", "host", "--config", "debug", "--diagram", "d.html", "-o", "s.bundle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() + "/s.bundle"));
  EXPECT_TRUE(contains(read_text(dir_.path() + "/d.html"), "has no physical memory map"));
}

TEST_F(Cli, OfficialCapdlJsonOfASchedControlGrantIsRefusedAtTheGrantSayingWhy) {
  write_system(EM_AARCH64);
  dir_.write("g.system", R"(<system>
  <protection_domain name="alpha">
    <program_image path="alpha.elf" />
    <cspace>
      <cap_sched_control slot="1" />
    </cspace>
  </protection_domain>
</system>
)");
  Result r = run({"g.system", "--board", "qemu_virt_aarch64", "--config", "debug", "--capdl-json",
                  "spec.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "g.system:5:7: error: protection domain 'alpha' is granted a SchedControl"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "has no SchedControl capability")) << r.err;
  EXPECT_TRUE(contains(r.err, "--capdl")) << r.err;
}

// ------------------------------------------------------------ headers

TEST_F(Cli, HeadersAreWrittenFromTheSdfAloneBeforeAnyProgramExists) {
  dir_.write("g.system", R"(<system>
  <protection_domain name="spawner">
    <program_image path="not-built-yet.elf" />
    <cspace>
      <untyped slot="4" size="0x4000" name="pool" />
      <free_slots count="16" />
    </cspace>
  </protection_domain>
</system>
)");
  Result r = run({"headers", "g.system", "--board", "qemu_virt_aarch64", "--cspace-headers", "inc"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "warning")) << r.err;
  std::ifstream f(dir_.path() + "/inc/spawner_cspace.h");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(text, "#define MICROKIT_CAP_POOL 462u")) << text;
  EXPECT_TRUE(contains(text, "#define MICROKIT_CSPACE_FREE_COUNT 16u")) << text;
}

TEST_F(Cli, HeadersStillValidateTheSystem) {
  dir_.write("g.system", R"(<system>
  <protection_domain name="spawner">
    <program_image path="x.elf" />
    <cspace><untyped slot="4" size="0x3000" /></cspace>
  </protection_domain>
</system>
)");
  Result r = run({"headers", "g.system", "--board", "qemu_virt_aarch64"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "g.system:4:31: error: untyped size 0x3000 is not a power of two")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/spawner_cspace.h"));
}

TEST_F(Cli, HeadersOnTheHostBoardAreAnError) {
  write_system();
  Result r = run({"headers", "s.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "the host board has no capabilities")) << r.err;
}

// ------------------------------------------------------------ run

TEST_F(Cli, RunNeedsABoardFileQemuCommandForAnSel4Board) {
  write_system(EM_X86_64);
  Result r = run({"run", "s.system", "--board", "x86_64_generic_vtx"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("microkit: error: board 'x86_64_generic_vtx' has no QEMU command"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "docs/boards.md")) << r.err;
}

TEST_F(Cli, RunRefusesOptionsOfTheOtherKindOfBoard) {
  write_system(EM_AARCH64);
  Result host_option = run({"run", "s.system", "--board", "qemu_virt_aarch64", "--until", "5"});
  EXPECT_EQ(host_option.exit_code, 1);
  EXPECT_TRUE(contains(host_option.err, "option --until is for the host board")) << host_option.err;
  write_system();
  Result qemu_option = run({"run", "s.system", "--board", "host", "--timeout", "5"});
  EXPECT_EQ(qemu_option.exit_code, 1);
  EXPECT_TRUE(contains(qemu_option.err, "apply to QEMU boards")) << qemu_option.err;
}

// A stand-in for microkit-host that writes its arguments, one a line, to
// args.txt beside it and exits with 5: what `run` passes on, and that the
// launcher's status becomes microkit's.
class RunWithFakeLauncher : public Cli {
 protected:
  void SetUp() override {
    std::string script = dir_.write("fake-host.sh", "#!/bin/sh\nprintf '%s\\n' \"$@\" > " +
                                                        dir_.path() + "/args.txt\nexit 5\n");
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    const char* old = std::getenv("MICROKIT_HOST_LAUNCHER");
    saved_ = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("MICROKIT_HOST_LAUNCHER", script.c_str(), 1);
  }
  void TearDown() override {
    if (saved_)
      setenv("MICROKIT_HOST_LAUNCHER", saved_->c_str(), 1);
    else
      unsetenv("MICROKIT_HOST_LAUNCHER");
  }
  // The launcher's arguments after the bundle.
  std::vector<std::string> launcher_args() {
    std::ifstream in(dir_.path() + "/args.txt");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    EXPECT_FALSE(lines.empty()) << "the launcher did not run";
    if (!lines.empty()) {
      EXPECT_TRUE(lines[0].ends_with("/system.bundle")) << lines[0];
      lines.erase(lines.begin());
    }
    return lines;
  }

  std::optional<std::string> saved_;
};

TEST_F(RunWithFakeLauncher, PassesTheLauncherOptionsOn) {
  write_system();
  Result r = run({"run", "s.system", "--until", "0x1000", "--watchdog", "2", "--gdb", "alpha",
                  "--gdb-port", "4321", "--free-running"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(launcher_args(),
            (std::vector<std::string>{"--until", "4096", "--watchdog", "2", "--gdb", "alpha",
                                      "--gdb-port", "4321", "--free-running"}));
}

TEST_F(RunWithFakeLauncher, PassesNothingWithoutOptions) {
  write_system();
  Result r = run({"run", "s.system"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(launcher_args().empty());
}

TEST_F(RunWithFakeLauncher, SerialInputStartsAtTheCurrentDirectory) {
  // The launcher runs elsewhere: a relative path must reach it made absolute.
  write_system();
  Result r = run({"run", "s.system", "--serial-input", "in/rx.txt"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(launcher_args(),
            (std::vector<std::string>{"--serial-input", dir_.path() + "/in/rx.txt"}));
  Result abs = run({"run", "s.system", "--serial-input", "/tmp/rx.txt"});
  EXPECT_EQ(abs.exit_code, 5) << abs.err;
  EXPECT_EQ(launcher_args(), (std::vector<std::string>{"--serial-input", "/tmp/rx.txt"}));
}

TEST_F(Cli, RunChecksTheSystemFirst) {
  Result r = run({"run", "nope.system"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot read the system description 'nope.system'"));
}

}  // namespace
// ------------------------------------------------------------ the profiler (docs/profiling.md)

std::string with_profiler(const std::string& frequency) {
  return R"(<system>
  <profiler frequency=")" + frequency + R"(" />
  <protection_domain name="alpha"><program_image path="alpha.elf" /></protection_domain>
</system>
)";
}

TEST_F(Cli, ProfilerFrequencyOutOfRangeIsAnErrorAtTheAttribute) {
  dir_.write("p.system", with_profiler("20000"));
  dir_.write("alpha.elf", program_elf());
  Result r = run({"check", "p.system", "--board", "host"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "p.system:2:13: error: <profiler frequency=\"20000\">")) << r.err;
  EXPECT_TRUE(contains(r.err, "[profiler-frequency-out-of-range]") || contains(r.err, "1 to 10000")) << r.err;
}

TEST_F(Cli, ProfilerOnAnSel4BoardOutsideTheBenchmarkConfigIsRefusedAtTheElement) {
  dir_.write("p.system", with_profiler("1000"));
  dir_.write("alpha.elf", program_elf(EM_AARCH64));
  Result r = run({"check", "p.system", "--board", "qemu_virt_aarch64", "--config", "debug"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "p.system:2:3: error: <profiler>: config 'debug' is not the single-core benchmark "
                              "configuration")) << r.err;
}

TEST_F(Cli, GdbStubRefusalIsReportedNotASilentFailure) {
  dir_.write("p.system", R"(<system>
  <protection_domain name="alpha"><program_image path="alpha.elf" /></protection_domain>
</system>
)");
  dir_.write("alpha.elf", program_elf(EM_AARCH64));
  Result r = run({"p.system", "--board", "qemu_virt_aarch64", "--config", "release", "--gdb-stub"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "--gdb-stub: config 'release' is not a single-core debug configuration")) << r.err;
}

}  // namespace microkit::driver
