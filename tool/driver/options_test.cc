#include "driver/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace microkit::driver {
namespace {

struct Parsed {
  std::optional<Options> opts;
  Diagnostics diags;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  p.opts = parse_options(args, p.diags);
  return p;
}

// The ids of every diagnostic, errors and warnings, in order.
std::vector<std::string> ids(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.all()) out.push_back(d.id);
  return out;
}

using Ids = std::vector<std::string>;

// ------------------------------------------------------------ legacy form

TEST(Options, LegacyFormAsTheOfficialToolTakesIt) {
  Parsed p = parse({"hello.system", "--board", "qemu_virt_aarch64", "--config", "debug", "-o",
                    "out.img", "-r", "out.txt", "--search-path", "build", "lib"});
  ASSERT_TRUE(p.opts) << p.diags.all().at(0).message;
  EXPECT_TRUE(p.diags.empty());
  EXPECT_EQ(p.opts->verb, Verb::Build);
  EXPECT_EQ(p.opts->system, "hello.system");
  EXPECT_EQ(p.opts->board, "qemu_virt_aarch64");
  EXPECT_EQ(p.opts->config, "debug");
  EXPECT_EQ(p.opts->output, "out.img");
  EXPECT_EQ(p.opts->report, "out.txt");
  EXPECT_EQ(p.opts->search_paths, (std::vector<std::string>{"build", "lib"}));
}

TEST(Options, OfficialDefaultsForOutputAndReport) {
  Parsed p = parse({"s.system", "--board", "b", "--config", "c"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->output, "loader.img");
  EXPECT_EQ(p.opts->report, "report.txt");
  EXPECT_EQ(p.opts->image_type, ImageType::Unspecified);
  EXPECT_TRUE(p.opts->search_paths.empty());
}

TEST(Options, LongFormsOfOutputAndReport) {
  Parsed p = parse(
      {"--output", "a.img", "--report", "a.txt", "s.system", "--board", "b", "--config", "c"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->output, "a.img");
  EXPECT_EQ(p.opts->report, "a.txt");
  EXPECT_EQ(p.opts->system, "s.system");
}

TEST(Options, EveryOfficialFlagIsAccepted) {
  Parsed p =
      parse({"s.system", "--board", "b", "--config", "c", "--image-type", "elf", "--capdl-json",
             "spec.json", "--override-kernel", "k.elf", "--viper-output", "viper"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->image_type, ImageType::Elf);
  EXPECT_EQ(p.opts->capdl_json, "spec.json");
  EXPECT_EQ(p.opts->override_kernel, "k.elf");
  EXPECT_EQ(p.opts->viper_output, "viper");
  EXPECT_FALSE(p.opts->capdl_text);
}

TEST(Options, CapdlTextIsItsOwnFlagBesideTheJson) {
  Parsed p = parse({"s.system", "--board", "b", "--config", "c", "--capdl", "spec.cdl",
                    "--capdl-json=spec.json"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->capdl_text, "spec.cdl");
  EXPECT_EQ(p.opts->capdl_json, "spec.json");
}

TEST(Options, ImageTypes) {
  for (auto [word, type] :
       {std::pair{"binary", ImageType::Binary}, std::pair{"elf", ImageType::Elf},
        std::pair{"uimage", ImageType::Uimage}}) {
    Parsed p = parse({"s.system", "--board", "b", "--config", "c", "--image-type", word});
    ASSERT_TRUE(p.opts) << word;
    EXPECT_EQ(p.opts->image_type, type);
  }
}

TEST(Options, BadImageTypeListsTheChoices) {
  Parsed p = parse({"s.system", "--board", "b", "--config", "c", "--image-type", "srec"});
  EXPECT_FALSE(p.opts);
  EXPECT_EQ(ids(p.diags), Ids{"cli-invalid-image-type"});
  EXPECT_NE(p.diags.all()[0].hint.find("binary, elf, uimage"), std::string::npos);
}

TEST(Options, SearchPathTakesValuesUpToTheNextFlag) {
  Parsed p = parse({"s.system", "--search-path", "a", "b", "c", "--board", "x", "--config", "y",
                    "--search-path", "d"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->search_paths, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Options, SearchPathWithoutFoldersIsAWarning) {
  Parsed p = parse({"s.system", "--board", "x", "--config", "y", "--search-path"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(ids(p.diags), Ids{"cli-empty-search-path"});
  EXPECT_FALSE(p.diags.has_errors());
  EXPECT_TRUE(p.opts->search_paths.empty());
}

TEST(Options, SearchPathWithEqualsTakesExactlyOne) {
  Parsed p = parse({"--search-path=build", "s.system", "--board", "x", "--config", "y"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->search_paths, (std::vector<std::string>{"build"}));
  EXPECT_EQ(p.opts->system, "s.system");
}

TEST(Options, EqualsFormForValueFlags) {
  Parsed p = parse({"s.system", "--board=x", "--config=y", "--output=o.img"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->board, "x");
  EXPECT_EQ(p.opts->config, "y");
  EXPECT_EQ(p.opts->output, "o.img");
}

TEST(Options, SystemSwallowedBySearchPathGetsAHint) {
  Parsed p = parse({"--board", "x", "--config", "y", "--search-path", "build", "s.system"});
  EXPECT_FALSE(p.opts);
  EXPECT_EQ(ids(p.diags), Ids{"cli-missing-argument"});
  EXPECT_NE(p.diags.all()[0].hint.find("before --search-path"), std::string::npos);
}

TEST(Options, LegacyFormRequiresBoardConfigAndSystem) {
  Parsed p = parse({});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-missing-argument"});
  EXPECT_EQ(p.diags.all()[0].message,
            "the following arguments are required: --board, --config, system");
  EXPECT_EQ(p.diags.all()[0].file, "microkit");
}

TEST(Options, MissingConfigOnly) {
  Parsed p = parse({"s.system", "--board", "x"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-missing-argument"});
  EXPECT_EQ(p.diags.all()[0].message, "the following arguments are required: --config");
}

TEST(Options, FlagWithoutItsValue) {
  for (const char* flag : {"--board", "--config", "-o", "-r", "--image-type", "--capdl-json",
                           "--capdl", "--override-kernel", "--viper-output"}) {
    Parsed p = parse({"s.system", flag});
    EXPECT_FALSE(p.opts) << flag;
    ASSERT_EQ(ids(p.diags), Ids{"cli-missing-value"}) << flag;
    EXPECT_NE(p.diags.all()[0].message.find(flag), std::string::npos);
  }
}

TEST(Options, AFlagIsNotTakenAsTheValueOfAnother) {
  Parsed p = parse({"s.system", "--board", "--config", "debug"});
  EXPECT_FALSE(p.opts);
  EXPECT_EQ(ids(p.diags), Ids{"cli-missing-value"});
}

TEST(Options, UnknownFlagSuggestsTheClosest) {
  Parsed p = parse({"s.system", "--bord", "x", "--config", "y"});
  EXPECT_FALSE(p.opts);
  // Only one error: the mistyped flag's value is not taken for a second SYSTEM.
  ASSERT_EQ(ids(p.diags), Ids{"cli-unknown-option"});
  EXPECT_EQ(p.diags.all()[0].message, "unknown option '--bord'");
  EXPECT_EQ(p.diags.all()[0].hint, "did you mean '--board'?");
}

TEST(Options, UnknownFlagFarFromAnyPointsToHelp) {
  Parsed p = parse({"s.system", "--frobnicate"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-unknown-option"});
  EXPECT_NE(p.diags.all()[0].hint.find("--help"), std::string::npos);
}

TEST(Options, EveryUnknownFlagIsReported) {
  Parsed p = parse({"s.system", "--aaaaaaa", "--bbbbbbb", "--board", "x", "--config", "y"});
  EXPECT_EQ(ids(p.diags), (Ids{"cli-unknown-option", "cli-unknown-option"}));
}

TEST(Options, SecondPositionalIsAnError) {
  Parsed p = parse({"a.system", "b.system", "--board", "x", "--config", "y"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-unexpected-argument"});
  EXPECT_NE(p.diags.all()[0].message.find("b.system"), std::string::npos);
}

TEST(Options, VerbAfterTheSystemSaysVerbsComeFirst) {
  Parsed p = parse({"a.system", "check", "--board", "x"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-unexpected-argument"});
  EXPECT_NE(p.diags.all()[0].hint.find("microkit check SYSTEM"), std::string::npos);
}

// ------------------------------------------------------------ help, version

TEST(Options, HelpWinsWherever) {
  for (std::vector<std::string> args : {std::vector<std::string>{"-h"},
                                        {"--help"},
                                        {"s.system", "--bogus", "--help"},
                                        {"check", "-h"}}) {
    Parsed p = parse(args);
    ASSERT_TRUE(p.opts);
    EXPECT_EQ(p.opts->verb, Verb::Help);
    EXPECT_TRUE(p.diags.empty());
  }
}

TEST(Options, Version) {
  Parsed p = parse({"--version"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->verb, Verb::Version);
}

TEST(Options, HelpTextNamesEveryFlagAndVerb) {
  std::string help = help_text();
  for (const char* word : {"--board", "--config", "--search-path", "-o, --output", "-r, --report",
                           "--image-type", "--override-kernel", "--capdl-json", "--capdl CAPDL_FILE", "--viper-output",
                           "--version", "-h, --help", "check", "run", "boards", "exit status",
                           "--until NS", "--watchdog S", "--gdb PD", "--gdb-port N",
                           "--serial-input FILE", "--free-running"})
    EXPECT_NE(help.find(word), std::string::npos) << word;
}

// ------------------------------------------------------------ verbs

TEST(Options, CheckNeedsBoardButNotConfig) {
  Parsed p = parse({"check", "s.system", "--board", "x", "--search-path", "a"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->verb, Verb::Check);
  EXPECT_EQ(p.opts->system, "s.system");
  EXPECT_EQ(p.opts->board, "x");
  EXPECT_FALSE(p.opts->config);
  EXPECT_EQ(p.opts->search_paths, std::vector<std::string>{"a"});
}

TEST(Options, CheckWithoutBoard) {
  Parsed p = parse({"check", "s.system"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-missing-argument"});
  EXPECT_EQ(p.diags.all()[0].message, "the following arguments are required: --board");
  EXPECT_NE(p.diags.all()[0].hint.find("microkit check SYSTEM"), std::string::npos);
}

TEST(Options, CheckWarnsAboutBuildOnlyFlags) {
  Parsed p = parse({"check", "s.system", "--board", "x", "-o", "i.img", "--image-type", "elf"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(ids(p.diags), (Ids{"cli-ignored-option", "cli-ignored-option"}));
  EXPECT_FALSE(p.diags.has_errors());
  EXPECT_EQ(p.diags.all()[0].message, "option -o has no effect with 'check'");
}

TEST(Options, RunDefaultsToTheHostBoard) {
  Parsed p = parse({"run", "s.system"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->verb, Verb::Run);
  EXPECT_EQ(p.opts->board, "host");
}

TEST(Options, RunTakesAnotherBoardAndConfig) {
  Parsed p = parse({"run", "s.system", "--board", "b", "--config", "release"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->board, "b");
  EXPECT_EQ(p.opts->config, "release");
}

TEST(Options, RunNeedsASystem) {
  Parsed p = parse({"run"});
  EXPECT_FALSE(p.opts);
  EXPECT_EQ(ids(p.diags), Ids{"cli-missing-argument"});
}

// ------------------------------------------------------------ run: the launcher's options

TEST(Options, RunPassesEveryLauncherOptionOnInOrder) {
  Parsed p = parse({"run", "s.system", "--until", "5000000", "--watchdog", "2", "--gdb", "server",
                    "--gdb-port", "4321", "--serial-input", "in.txt", "--free-running"});
  ASSERT_TRUE(p.opts);
  EXPECT_TRUE(p.diags.empty());
  EXPECT_EQ(p.opts->launcher_args,
            (Ids{"--until", "5000000", "--watchdog", "2", "--gdb", "server", "--gdb-port", "4321",
                 "--serial-input", "in.txt", "--free-running"}));
}

TEST(Options, RunWithoutLauncherOptionsPassesNothing) {
  Parsed p = parse({"run", "s.system"});
  ASSERT_TRUE(p.opts);
  EXPECT_TRUE(p.opts->launcher_args.empty());
}

TEST(Options, LauncherOptionsTakeTheEqualsFormToo) {
  Parsed p = parse({"run", "--until=1000", "--gdb=client", "s.system", "--watchdog=0.5"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->system, "s.system");
  EXPECT_EQ(p.opts->launcher_args,
            (Ids{"--until", "1000", "--gdb", "client", "--watchdog", "0.5"}));
}

TEST(Options, UntilTakesAnSdfNumberAndPassesItInDecimal) {
  // The launcher reads "010" as octal; the tool reads numbers as the SDF does.
  for (auto [typed, passed] : {std::pair{"0x1000", "4096"}, std::pair{"1_000_000", "1000000"},
                               std::pair{"010", "10"}}) {
    Parsed p = parse({"run", "s.system", "--until", typed});
    ASSERT_TRUE(p.opts) << typed;
    EXPECT_EQ(p.opts->launcher_args, (Ids{"--until", passed})) << typed;
  }
}

TEST(Options, BadUntilSaysWhatIsWrong) {
  Parsed p = parse({"run", "s.system", "--until", "5ms"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-invalid-number"});
  EXPECT_EQ(p.diags.all()[0].message,
            "invalid --until: '5ms' contains a character that is not a digit");
  EXPECT_NE(p.diags.all()[0].hint.find("nanoseconds"), std::string::npos);
  Parsed big = parse({"run", "s.system", "--until", "0x1_0000_0000_0000_0000"});
  ASSERT_EQ(ids(big.diags), Ids{"cli-invalid-number"});
  EXPECT_NE(big.diags.all()[0].message.find("does not fit in 64 bits"), std::string::npos);
}

TEST(Options, WatchdogMustBeAPositiveNumberOfSeconds) {
  for (const char* bad : {"0", "ten", "2s", "inf", "nan", "1e999", "+1", ""}) {
    Parsed p = parse({"run", "s.system", "--watchdog=" + std::string(bad)});
    EXPECT_FALSE(p.opts) << bad;
    ASSERT_EQ(ids(p.diags), Ids{"cli-invalid-number"}) << bad;
    EXPECT_EQ(p.diags.all()[0].message,
              "invalid --watchdog '" + std::string(bad) + "': not a positive number of seconds");
  }
  Parsed ok = parse({"run", "s.system", "--watchdog", ".25"});
  ASSERT_TRUE(ok.opts);
  EXPECT_EQ(ok.opts->launcher_args, (Ids{"--watchdog", ".25"}));
}

TEST(Options, GdbPortMustBeAPort) {
  for (const char* bad : {"0", "65536", "0x10", "http", "99999999999999999999999"}) {
    Parsed p = parse({"run", "s.system", "--gdb-port", bad});
    EXPECT_FALSE(p.opts) << bad;
    ASSERT_EQ(ids(p.diags), Ids{"cli-invalid-number"}) << bad;
    EXPECT_EQ(p.diags.all()[0].message,
              "invalid --gdb-port '" + std::string(bad) + "': not a port number from 1 to 65535");
  }
  Parsed ok = parse({"run", "s.system", "--gdb-port", "65535"});
  ASSERT_TRUE(ok.opts);
  EXPECT_EQ(ok.opts->launcher_args, (Ids{"--gdb-port", "65535"}));
}

TEST(Options, LauncherOptionWithoutItsValue) {
  for (const char* flag : {"--until", "--watchdog", "--gdb", "--gdb-port", "--serial-input"}) {
    Parsed p = parse({"run", "s.system", flag});
    EXPECT_FALSE(p.opts) << flag;
    ASSERT_EQ(ids(p.diags), Ids{"cli-missing-value"}) << flag;
    EXPECT_EQ(p.diags.all()[0].message, std::string("option ") + flag + " expects a value");
  }
  // The next flag is not taken for the value.
  Parsed p = parse({"run", "s.system", "--gdb", "--free-running"});
  EXPECT_EQ(ids(p.diags), Ids{"cli-missing-value"});
}

TEST(Options, GdbStubIsABuildSwitch) {
  Parsed p = parse({"s.system", "--gdb-stub", "--board", "qemu_virt_aarch64", "--config", "debug"});
  ASSERT_TRUE(p.opts);
  EXPECT_TRUE(p.opts->gdb_stub);
  EXPECT_EQ(p.opts->system, "s.system");
  Parsed v = parse({"s.system", "--gdb-stub=yes", "--board", "qemu_virt_aarch64", "--config", "debug"});
  EXPECT_FALSE(v.opts);
  ASSERT_EQ(ids(v.diags), Ids{"cli-unexpected-value"});
  EXPECT_EQ(v.diags.all()[0].message, "option --gdb-stub takes no value");
  Parsed r = parse({"run", "s.system", "--gdb-stub"});
  EXPECT_EQ(ids(r.diags), Ids{"cli-ignored-option"});  // builds only
}

TEST(Options, NoFaultSymbolsIsABuildSwitch) {
  Parsed d = parse({"s.system", "--board", "qemu_virt_aarch64", "--config", "debug"});
  ASSERT_TRUE(d.opts);
  EXPECT_TRUE(d.opts->fault_symbols);
  Parsed p = parse({"s.system", "--no-fault-symbols", "--board", "qemu_virt_aarch64", "--config", "debug"});
  ASSERT_TRUE(p.opts);
  EXPECT_FALSE(p.opts->fault_symbols);
  EXPECT_EQ(p.opts->system, "s.system");
  Parsed v = parse({"s.system", "--no-fault-symbols=1", "--board", "qemu_virt_aarch64", "--config", "debug"});
  EXPECT_FALSE(v.opts);
  ASSERT_EQ(ids(v.diags), Ids{"cli-unexpected-value"});
  Parsed r = parse({"run", "s.system", "--no-fault-symbols"});
  EXPECT_EQ(ids(r.diags), Ids{"cli-ignored-option"});  // builds only
  EXPECT_NE(help_text().find("--no-fault-symbols"), std::string::npos);
}

TEST(Options, FreeRunningTakesNoValue) {
  Parsed p = parse({"run", "s.system", "--free-running=yes"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-unexpected-value"});
  EXPECT_EQ(p.diags.all()[0].message, "option --free-running takes no value");
  // A word after it is SYSTEM, not its value.
  Parsed q = parse({"run", "--free-running", "s.system"});
  ASSERT_TRUE(q.opts);
  EXPECT_EQ(q.opts->system, "s.system");
  EXPECT_EQ(q.opts->launcher_args, Ids{"--free-running"});
}

TEST(Options, MistypedLauncherOptionSuggestsIt) {
  for (auto [typed, meant] : {std::pair{"--untill", "--until"}, std::pair{"--watchdg", "--watchdog"},
                              std::pair{"--gdb-prot", "--gdb-port"},
                              std::pair{"--serial-inptu", "--serial-input"},
                              std::pair{"--free-runing", "--free-running"}}) {
    Parsed p = parse({"run", "s.system", typed});
    EXPECT_FALSE(p.opts) << typed;
    ASSERT_EQ(ids(p.diags), Ids{"cli-unknown-option"}) << typed;
    EXPECT_EQ(p.diags.all()[0].hint, "did you mean '" + std::string(meant) + "'?") << typed;
  }
  // The value of a mistyped option that takes one is not taken for a second SYSTEM.
  EXPECT_EQ(ids(parse({"run", "s.system", "--untill", "5"}).diags), Ids{"cli-unknown-option"});
}

TEST(Options, LauncherOptionsAreRejectedOutsideRun) {
  Parsed check = parse({"check", "s.system", "--board", "host", "--until", "5", "--free-running"});
  EXPECT_FALSE(check.opts);
  ASSERT_EQ(ids(check.diags), (Ids{"cli-run-only-option", "cli-run-only-option"}));
  EXPECT_EQ(check.diags.all()[0].message,
            "option --until only applies to 'microkit run', not to 'check'");
  EXPECT_EQ(check.diags.all()[0].hint, "run the system on the host: microkit run SYSTEM --until VALUE");
  EXPECT_EQ(check.diags.all()[1].hint, "run the system on the host: microkit run SYSTEM --free-running");
  Parsed build = parse({"s.system", "--board", "host", "--config", "debug", "--gdb", "pd"});
  EXPECT_FALSE(build.opts);
  ASSERT_EQ(ids(build.diags), Ids{"cli-run-only-option"});
  EXPECT_EQ(build.diags.all()[0].message,
            "option --gdb only applies to 'microkit run', not to 'build'");
  Parsed boards = parse({"boards", "--watchdog", "2"});
  EXPECT_FALSE(boards.opts);
  EXPECT_EQ(ids(boards.diags), Ids{"cli-unexpected-argument"});
}

TEST(Options, Boards) {
  Parsed p = parse({"boards"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->verb, Verb::Boards);
}

TEST(Options, BoardsTakesNoArguments) {
  Parsed p = parse({"boards", "extra", "--board", "x"});
  EXPECT_FALSE(p.opts);
  EXPECT_EQ(ids(p.diags), (Ids{"cli-unexpected-argument", "cli-unexpected-argument"}));
}

TEST(Options, MistypedVerbSuggestsTheVerb) {
  Parsed p = parse({"chek", "s.system", "--board", "x"});
  EXPECT_FALSE(p.opts);
  ASSERT_EQ(ids(p.diags), Ids{"cli-unknown-command"});
  EXPECT_EQ(p.diags.all()[0].message, "unknown command 'chek'");
  EXPECT_NE(p.diags.all()[0].hint.find("did you mean 'check'?"), std::string::npos);
}

TEST(Options, AFileNameCloseToAVerbIsStillASystem) {
  // Paths contain '.' or '/', verbs never do: the legacy form is not broken.
  for (const char* path : {"chek.system", "./chek", "run.system"}) {
    Parsed p = parse({path, "--board", "x", "--config", "y"});
    ASSERT_TRUE(p.opts) << path;
    EXPECT_EQ(p.opts->verb, Verb::Build);
    EXPECT_EQ(p.opts->system, path);
  }
}

TEST(Options, ABareWordFarFromAnyVerbIsASystem) {
  Parsed p = parse({"mysystem", "--board", "x", "--config", "y"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->system, "mysystem");
}

// ------------------------------------------------------------ the event timeline

TEST(Options, TraceSwitchAndRingForABuild) {
  Parsed p = parse({"s.system", "--board", "b", "--config", "debug", "--trace-ring", "0x4000"});
  ASSERT_TRUE(p.opts);
  EXPECT_TRUE(p.opts->trace);  // --trace-ring implies --trace
  EXPECT_EQ(p.opts->trace_ring, 0x4000u);
}

TEST(Options, RunWithTraceJsonTraces) {
  Parsed p = parse({"run", "s.system", "--trace-json", "t.json"});
  ASSERT_TRUE(p.opts);
  EXPECT_TRUE(p.opts->trace);
  EXPECT_EQ(p.opts->trace_json, "t.json");
}

TEST(Options, TraceVerbNeedsALog) {
  EXPECT_EQ(ids(parse({"trace", "s.system", "--board", "b"}).diags), Ids{"cli-missing-argument"});
  Parsed p = parse({"trace", "s.system", "--board", "b", "--trace-log", "uart.log"});
  ASSERT_TRUE(p.opts);
  EXPECT_EQ(p.opts->verb, Verb::Trace);
  EXPECT_EQ(p.opts->trace_log, "uart.log");
}

TEST(Options, TraceOptionsWhereTheyDoNotApply) {
  EXPECT_EQ(ids(parse({"check", "s.system", "--board", "b", "--trace-log", "x"}).diags), Ids{"cli-trace-option"});
  EXPECT_EQ(ids(parse({"s.system", "--board", "b", "--config", "c", "--trace-json", "x"}).diags),
            Ids{"cli-trace-option"});
  EXPECT_EQ(ids(parse({"run", "s.system", "--trace=1"}).diags), Ids{"cli-unexpected-value"});
  EXPECT_EQ(ids(parse({"run", "s.system", "--trace-ring", "16"}).diags), Ids{"cli-invalid-number"});
}

}  // namespace
}  // namespace microkit::driver

namespace microkit::driver {
namespace {

TEST(Options, DiagramTakesOutputAsItsPage) {
  Diagnostics d;
  auto o = parse_options({"diagram", "s.system", "--board", "qemu_virt_aarch64", "-o", "p.html"}, d);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->verb, Verb::Diagram);
  EXPECT_EQ(o->diagram, "p.html");
  EXPECT_TRUE(d.empty()) << "-o is the page, not an ignored build option";
  auto dflt = parse_options({"diagram", "s.system", "--board", "host"}, d);
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->diagram, "diagram.html");
}

TEST(Options, DiagramIsABuildOptionToo) {
  Diagnostics d;
  auto o = parse_options({"s.system", "--board", "b", "--config", "debug", "--diagram=d.html"}, d);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->diagram, "d.html");
  Diagnostics w;
  ASSERT_TRUE(parse_options({"check", "s.system", "--board", "b", "--diagram", "d.html"}, w));
  EXPECT_FALSE(w.empty()) << "check draws nothing";
}

TEST(Options, AMistypedDiagramIsAMistypedVerb) {
  Diagnostics d;
  EXPECT_FALSE(parse_options({"diagrm", "s.system", "--board", "host"}, d));
  ASSERT_FALSE(d.all().empty());
  EXPECT_EQ(d.all().front().id, "cli-unknown-command");
  EXPECT_NE(d.all().front().hint.find("did you mean 'diagram'?"), std::string::npos);
}

// ------------------------------------------------------------ run on QEMU boards

TEST(Options, RunTakesATimeoutAnImageAndQemuArguments) {
  Parsed p = parse({"run", "s.system", "--board", "qemu_virt_aarch64", "-o", "keep.img", "--timeout",
                    "2.5", "--", "-m", "4G", "--board"});
  ASSERT_TRUE(p.opts) << p.diags.all().at(0).message;
  EXPECT_TRUE(p.diags.empty()) << p.diags.all().at(0).message;
  EXPECT_EQ(p.opts->qemu_timeout, 2.5);
  EXPECT_TRUE(p.opts->output_given);
  EXPECT_EQ(p.opts->output, "keep.img");
  EXPECT_EQ(p.opts->qemu_args, (std::vector<std::string>{"-m", "4G", "--board"}));
}

TEST(Options, TimeoutAndQemuArgumentsAreOnlyForRun) {
  EXPECT_EQ(ids(parse({"check", "s.system", "--board", "host", "--timeout", "3"}).diags),
            Ids{"cli-run-only-option"});
  EXPECT_EQ(ids(parse({"check", "s.system", "--board", "host", "--", "-m", "1G"}).diags),
            Ids{"cli-unexpected-argument"});
  EXPECT_EQ(ids(parse({"run", "s.system", "--timeout", "0"}).diags), Ids{"cli-invalid-number"});
}

}  // namespace
}  // namespace microkit::driver
