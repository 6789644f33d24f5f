#include "driver/inputs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "driver/driver_test_support.h"
#include "sdf/memory_region_rules.h"
#include "sdf/parse.h"

namespace microkit::driver {
namespace {

using namespace test_support;
using Ids = std::vector<std::string>;

board::Board host_board() {
  board::Board b;
  b.name = "host";
  b.arch = board::Arch::Host;
  b.page_sizes = {0x1000, 0x200000};
  b.user_vaddr = {0x10000, 0x500000000000};
  return b;
}

board::Board aarch64_board() {
  board::Board b = host_board();
  b.name = "qemu_virt_aarch64";
  b.arch = board::Arch::AArch64;
  return b;
}

sdf::SystemDescription parse_ok(std::string_view text) {
  Diagnostics diags;
  auto sd = sdf::parse(text, "test.system", diags);
  EXPECT_FALSE(diags.has_errors()) << (diags.empty() ? "" : render(diags.all()[0], text));
  return sd.value_or(sdf::SystemDescription{});
}

std::string one_pd(std::string_view path) {
  return "<system>\n  <protection_domain name=\"a\">\n    <program_image path=\"" +
         std::string(path) + "\" />\n  </protection_domain>\n</system>\n";
}

std::string prefilled_mr(std::string_view attrs) {
  return "<system>\n  <memory_region name=\"blob\" " + std::string(attrs) + " />\n</system>\n";
}

struct Loaded {
  sdf::SystemDescription sd;
  plan::Inputs inputs;
  Diagnostics diags;
};

Loaded load(std::string_view text, const board::Board& board,
            const std::vector<std::string>& dirs) {
  Loaded l;
  l.sd = parse_ok(text);
  l.inputs = load_inputs(l.sd, board, dirs, l.diags);
  return l;
}

// ------------------------------------------------------------ search path

TEST(SearchDirs, UserFoldersFirstRelativeToCwdThenCwd) {
  EXPECT_EQ(search_dirs({"build", "/abs/lib"}, "/work/here"),
            (std::vector<std::string>{"/work/here/build", "/abs/lib", "/work/here"}));
  EXPECT_EQ(search_dirs({}, "/cwd"), std::vector<std::string>{"/cwd"});
}

TEST(ResolvePath, FirstFolderHoldingTheFileWins) {
  TempDir dir;
  dir.write("one/x.elf", "1");
  dir.write("two/x.elf", "2");
  dir.write("two/y.elf", "2");
  std::vector<std::string> dirs = {dir.path() + "/one", dir.path() + "/two"};
  EXPECT_EQ(resolve_path("x.elf", dirs), dir.path() + "/one/x.elf");
  EXPECT_EQ(resolve_path("y.elf", dirs), dir.path() + "/two/y.elf");
  EXPECT_EQ(resolve_path("z.elf", dirs), std::nullopt);
}

TEST(ResolvePath, RelativePathWithFolders) {
  TempDir dir;
  dir.write("build/pd/x.elf", "1");
  EXPECT_EQ(resolve_path("pd/x.elf", {dir.path() + "/build"}), dir.path() + "/build/pd/x.elf");
}

TEST(ResolvePath, AbsolutePathIsUsedAsIs) {
  TempDir dir;
  std::string file = dir.write("abs.elf", "1");
  EXPECT_EQ(resolve_path(file, {"/nonexistent"}), file);
  EXPECT_EQ(resolve_path(dir.path() + "/missing.elf", {dir.path()}), std::nullopt);
}

TEST(ResolvePath, AFolderIsNotAFile) {
  TempDir dir;
  dir.write("x.elf/inner", "1");
  EXPECT_EQ(resolve_path("x.elf", {dir.path()}), std::nullopt);
}

TEST(ElfMachine, PerArchitecture) {
  EXPECT_EQ(elf_machine_for(board::Arch::AArch64), EM_AARCH64);
  EXPECT_EQ(elf_machine_for(board::Arch::RiscV64), EM_RISCV);
  EXPECT_EQ(elf_machine_for(board::Arch::X86_64), EM_X86_64);
#if defined(__x86_64__)
  EXPECT_EQ(elf_machine_for(board::Arch::Host), EM_X86_64);
#endif
}

// ------------------------------------------------------------ programs

TEST(LoadInputs, ProgramFoundThroughTheSearchPath) {
  TempDir dir;
  dir.write("build/a.elf", program_elf());
  Loaded l = load(one_pd("a.elf"), host_board(), search_dirs({"build"}, dir.path()));
  EXPECT_TRUE(l.diags.empty());
  ASSERT_TRUE(l.inputs.programs.contains("a.elf"));
  EXPECT_EQ(l.inputs.programs.at("a.elf").machine, EM_X86_64);
  EXPECT_EQ(l.inputs.resolved_paths.at("a.elf"), dir.path() + "/build/a.elf");
}

TEST(LoadInputs, UserSearchPathComesBeforeTheCurrentDirectory) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  dir.write("build/a.elf", program_elf());
  Loaded l = load(one_pd("a.elf"), host_board(), search_dirs({"build"}, dir.path()));
  EXPECT_EQ(l.inputs.resolved_paths.at("a.elf"), dir.path() + "/build/a.elf");
}

TEST(LoadInputs, CurrentDirectoryIsAlwaysSearched) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  Loaded l = load(one_pd("a.elf"), host_board(), search_dirs({"build"}, dir.path()));
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.inputs.resolved_paths.at("a.elf"), dir.path() + "/a.elf");
}

TEST(LoadInputs, AbsoluteProgramPath) {
  TempDir dir;
  std::string file = dir.write("elsewhere/a.elf", program_elf());
  Loaded l = load(one_pd(file), host_board(), search_dirs({}, "/nonexistent"));
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.inputs.resolved_paths.at(file), file);
}

TEST(LoadInputs, MissingProgramIsReportedAtItsPathNamingEveryFolder) {
  TempDir dir;
  std::string text = one_pd("a.elf");
  Loaded l = load(text, host_board(), search_dirs({"build", "/opt/pds"}, dir.path()));
  ASSERT_EQ(errors(l.diags), Ids{"program-not-found " + at(loc_of(text, "path="))});
  const Diagnostic& d = l.diags.all()[0];
  EXPECT_EQ(d.file, "test.system");
  for (const std::string& searched : {dir.path() + "/build", std::string("/opt/pds"), dir.path()})
    EXPECT_NE(d.message.find(searched), std::string::npos) << searched;
  EXPECT_NE(d.hint.find("--search-path"), std::string::npos);
  EXPECT_TRUE(l.inputs.programs.empty());
}

TEST(LoadInputs, MissingAbsoluteProgram) {
  std::string text = one_pd("/nonexistent/a.elf");
  Loaded l = load(text, host_board(), {"/tmp"});
  ASSERT_EQ(errors(l.diags), Ids{"program-not-found " + at(loc_of(text, "path="))});
  EXPECT_NE(l.diags.all()[0].message.find("does not exist"), std::string::npos);
}

TEST(LoadInputs, ProgramForAnotherArchitecture) {
  TempDir dir;
  dir.write("a.elf", program_elf(EM_AARCH64));
  std::string text = one_pd("a.elf");
  Loaded l = load(text, host_board(), {dir.path()});
  ASSERT_EQ(errors(l.diags), Ids{"elf-wrong-arch " + at(loc_of(text, "path="))});
  EXPECT_NE(l.diags.all()[0].message.find("aarch64"), std::string::npos);
  EXPECT_FALSE(l.inputs.programs.contains("a.elf"));
}

TEST(LoadInputs, ProgramForTheBoardsArchitecture) {
  TempDir dir;
  dir.write("a.elf", program_elf(EM_AARCH64));
  Loaded l = load(one_pd("a.elf"), aarch64_board(), {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_TRUE(l.inputs.programs.contains("a.elf"));
}

TEST(LoadInputs, X86ProgramOnAnAArch64Board) {
  TempDir dir;
  dir.write("a.elf", program_elf(EM_X86_64));
  Loaded l = load(one_pd("a.elf"), aarch64_board(), {dir.path()});
  ASSERT_EQ(l.diags.error_count(), 1u);
  EXPECT_EQ(l.diags.all()[0].id, "elf-wrong-arch");
}

// ---- is it a Microkit PD for this board? (seL4 boards) ----

std::vector<uint8_t> aarch64_pd(void (*change)(elf::testing::TestElfBuilder&)) {
  elf::testing::TestElfBuilder b;
  b.machine = EM_AARCH64;
  b.entry = 0x200000;
  b.segment(0x200000, std::vector<uint8_t>(64, 0), 0, PF_R | PF_X);
  b.symbol("microkit_name", 0x200010, 64);
  change(b);
  return b.build();
}

Ids program_errors(std::vector<uint8_t> elf, const board::Board& board, std::string& text) {
  TempDir dir;
  dir.write("a.elf", elf);
  text = one_pd("a.elf");
  Loaded l = load(text, board, {dir.path()});
  return errors(l.diags);
}

TEST(LoadInputs, AMicrokitPdIsAccepted) {
  std::string text;
  EXPECT_EQ(program_errors(aarch64_pd([](auto&) {}), aarch64_board(), text), Ids{});
}

TEST(LoadInputs, ProgramsThatAreNotMicrokitPdsAreRefusedAtTheAttribute) {
  using Builder = elf::testing::TestElfBuilder;
  struct Bad {
    const char* what;
    void (*change)(Builder&);
  };
  const Bad bad[] = {
      {"interpreter", [](Builder& b) { b.segments.push_back({0x200100, {'/', 'l', 'd', 0}, 0, PF_R, ~uint64_t{0}, PT_INTERP}); }},
      {"dynamic", [](Builder& b) { b.segments.push_back({0x200100, std::vector<uint8_t>(16, 0), 0, PF_R, ~uint64_t{0}, PT_DYNAMIC}); }},
      {"position-independent", [](Builder& b) { b.type = ET_DYN; }},
      {"no libmicrokit", [](Builder& b) { b.symbols.clear(); }},
  };
  for (const Bad& c : bad) {
    std::string text;
    Ids got = program_errors(aarch64_pd(c.change), aarch64_board(), text);
    EXPECT_EQ(got, Ids{"program-not-a-microkit-pd " + at(loc_of(text, "path="))}) << c.what;
  }
}

TEST(LoadInputs, TheHostBoardRunsOrdinaryExecutables) {
  // Host PDs are position-independent Linux executables.
  std::string text;
  auto pie = aarch64_pd([](elf::testing::TestElfBuilder& b) {
    b.type = ET_DYN;
    b.machine = elf_machine_for(board::Arch::Host);
  });
  EXPECT_EQ(program_errors(pie, host_board(), text), Ids{});
}

TEST(LoadInputs, A32BitElfIsRefusedAtTheAttribute) {
  std::vector<uint8_t> elf = aarch64_pd([](auto&) {});
  elf[EI_CLASS] = ELFCLASS32;
  std::string text;
  Ids got = program_errors(elf, aarch64_board(), text);
  EXPECT_EQ(got, Ids{"elf-wrong-class " + at(loc_of(text, "path="))});
}

TEST(LoadInputs, AProgramLoadedOverTheStackIsRefused) {
  board::Board board = aarch64_board();
  board.user_vaddr = {0, 0x10000000000};
  // The stack and IPC buffer take the top of the address space (docs/sel4-abi.md).
  uint64_t reserved = sdf::pd_reserved_start(0x2000, board);
  std::string text;
  auto high = [](elf::testing::TestElfBuilder& b) { b.segments[0].vaddr = 0xfffffff000 - 0x2000; };
  Ids got = program_errors(aarch64_pd(high), board, text);
  EXPECT_EQ(got, Ids{"program-in-reserved-range " + at(loc_of(text, "path="))}) << std::hex << reserved;
}

TEST(LoadInputs, AMapOverTheProgramIsRefusedAtTheMapsVaddr) {
  TempDir dir;
  dir.write("a.elf", aarch64_pd([](auto&) {}));
  std::string text =
      "<system>\n  <memory_region name=\"m\" size=\"0x1000\" />\n"
      "  <protection_domain name=\"a\">\n    <program_image path=\"a.elf\" />\n"
      "    <map mr=\"m\" vaddr=\"0x200000\" />\n    <map mr=\"m\" vaddr=\"0x4000000\" />\n"
      "  </protection_domain>\n</system>\n";
  Loaded l = load(text, aarch64_board(), {dir.path()});
  EXPECT_EQ(errors(l.diags), Ids{"map-overlaps-program " + at(loc_of(text, "vaddr=\"0x200000"))});
}

TEST(LoadInputs, MalformedElfIsReportedAgainstTheElfWithANoteAtTheSdf) {
  TempDir dir;
  std::string file = dir.write("a.elf", "this is not an ELF file");
  std::string text = one_pd("a.elf");
  Loaded l = load(text, host_board(), {dir.path()});
  ASSERT_TRUE(l.diags.has_errors());
  EXPECT_EQ(l.diags.all()[0].file, file);
  EXPECT_EQ(l.diags.all().back().severity, Severity::Note);
  EXPECT_EQ(l.diags.all().back().loc, loc_of(text, "path="));
}

TEST(LoadInputs, OneProgramForManyPdsIsReadOnceAndReportedOnce) {
  std::string text =
      "<system>\n"
      "  <protection_domain name=\"a\"><program_image path=\"same.elf\" /></protection_domain>\n"
      "  <protection_domain name=\"b\"><program_image path=\"same.elf\" /></protection_domain>\n"
      "</system>\n";
  Loaded l = load(text, host_board(), {"/nonexistent"});
  EXPECT_EQ(l.diags.error_count(), 1u);
  TempDir dir;
  dir.write("same.elf", program_elf());
  Loaded ok = load(text, host_board(), {dir.path()});
  EXPECT_TRUE(ok.diags.empty());
  EXPECT_EQ(ok.inputs.programs.size(), 1u);
}

TEST(LoadInputs, PathForSymbolsIsLoadedToo) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  dir.write("a.debug.elf", program_elf());
  std::string text =
      "<system>\n  <protection_domain name=\"a\">\n"
      "    <program_image path=\"a.elf\" path_for_symbols=\"a.debug.elf\" />\n"
      "  </protection_domain>\n</system>\n";
  Loaded l = load(text, host_board(), {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_TRUE(l.inputs.programs.contains("a.debug.elf"));
  std::filesystem::remove(dir.path() + "/a.debug.elf");
  Loaded missing = load(text, host_board(), {dir.path()});
  ASSERT_EQ(errors(missing.diags),
            Ids{"program-not-found " + at(loc_of(text, "path_for_symbols="))});
}

// ------------------------------------------------------------ prefill

TEST(LoadInputs, PrefillSizesARegionWithoutSizeToTheSmallestPage) {
  TempDir dir;
  dir.write("data.bin", std::string(5000, 'x'));
  Loaded l = load(prefilled_mr("prefill_path=\"data.bin\""), host_board(), {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x2000u);
  EXPECT_EQ(l.inputs.prefills.at("data.bin").size(), 5000u);
  EXPECT_EQ(l.inputs.resolved_paths.at("data.bin"), dir.path() + "/data.bin");
}

TEST(LoadInputs, PrefillOfExactlyOnePage) {
  TempDir dir;
  dir.write("data.bin", std::string(0x1000, 'x'));
  Loaded l = load(prefilled_mr("prefill_path=\"data.bin\""), host_board(), {dir.path()});
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x1000u);
}

TEST(LoadInputs, PrefillSizesToTheRegionsOwnPageSize) {
  TempDir dir;
  dir.write("data.bin", std::string(5000, 'x'));
  Loaded l = load(prefilled_mr("prefill_path=\"data.bin\" page_size=\"0x200000\""), host_board(),
                  {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x200000u);
}

TEST(LoadInputs, ExplicitSizeIsKept) {
  TempDir dir;
  dir.write("data.bin", std::string(100, 'x'));
  Loaded l =
      load(prefilled_mr("size=\"0x3000\" prefill_path=\"data.bin\""), host_board(), {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x3000u);
}

TEST(LoadInputs, PrefillLargerThanTheRegion) {
  TempDir dir;
  dir.write("data.bin", std::string(0x1001, 'x'));
  std::string text = prefilled_mr("size=\"0x1000\" prefill_path=\"data.bin\"");
  Loaded l = load(text, host_board(), {dir.path()});
  ASSERT_EQ(errors(l.diags), Ids{"prefill-too-large " + at(loc_of(text, "prefill_path="))});
  EXPECT_NE(l.diags.all()[0].message.find("0x1001"), std::string::npos);
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x1000u);
}

TEST(LoadInputs, MissingPrefill) {
  TempDir dir;
  std::string text = prefilled_mr("prefill_path=\"data.bin\"");
  Loaded l = load(text, host_board(), search_dirs({"in"}, dir.path()));
  ASSERT_EQ(errors(l.diags), Ids{"prefill-not-found " + at(loc_of(text, "prefill_path="))});
  EXPECT_NE(l.diags.all()[0].message.find(dir.path() + "/in"), std::string::npos);
  EXPECT_FALSE(l.sd.mrs.at(0).size);
}

TEST(LoadInputs, EmptyPrefill) {
  TempDir dir;
  dir.write("data.bin", "");
  std::string text = prefilled_mr("prefill_path=\"data.bin\"");
  Loaded l = load(text, host_board(), {dir.path()});
  ASSERT_EQ(errors(l.diags), Ids{"prefill-empty " + at(loc_of(text, "prefill_path="))});
}

TEST(LoadInputs, PrefillFoundThroughTheSearchPath) {
  TempDir dir;
  dir.write("assets/data.bin", "abc");
  Loaded l = load(prefilled_mr("prefill_path=\"data.bin\""), host_board(),
                  search_dirs({"assets"}, dir.path()));
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.inputs.prefills.at("data.bin"), (std::vector<uint8_t>{'a', 'b', 'c'}));
}

TEST(LoadInputs, OnePrefillForTwoRegionsSizesBoth) {
  TempDir dir;
  dir.write("data.bin", std::string(0x1800, 'x'));
  std::string text =
      "<system>\n"
      "  <memory_region name=\"a\" prefill_path=\"data.bin\" />\n"
      "  <memory_region name=\"b\" size=\"0x1000\" prefill_path=\"data.bin\" />\n"
      "</system>\n";
  Loaded l = load(text, host_board(), {dir.path()});
  EXPECT_EQ(l.sd.mrs.at(0).size, 0x2000u);
  ASSERT_EQ(errors(l.diags), Ids{"prefill-too-large 3:41"});  // b's prefill_path
}

TEST(LoadInputs, AFileCanBeBothAProgramAndAPrefill) {
  TempDir dir;
  dir.write("a.elf", program_elf());
  std::string text =
      "<system>\n"
      "  <memory_region name=\"copy\" prefill_path=\"a.elf\" />\n"
      "  <protection_domain name=\"a\"><program_image path=\"a.elf\" /></protection_domain>\n"
      "</system>\n";
  Loaded l = load(text, host_board(), {dir.path()});
  EXPECT_TRUE(l.diags.empty());
  EXPECT_TRUE(l.inputs.programs.contains("a.elf"));
  EXPECT_TRUE(l.inputs.prefills.contains("a.elf"));
  EXPECT_TRUE(l.sd.mrs.at(0).size.has_value());
}

}  // namespace
}  // namespace microkit::driver
