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
                           "--override-kernel", "--viper-output"}) {
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
                           "--image-type", "--override-kernel", "--capdl-json", "--viper-output",
                           "--version", "-h, --help", "check", "run", "boards", "exit status"})
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

}  // namespace
}  // namespace microkit::driver
