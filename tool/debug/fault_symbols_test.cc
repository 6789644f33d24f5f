// Tests of fault_symbols (the table the initial task names frames with):
// built from a program with DWARF (fault_symbols_fixture.c), its answers
// must be libdw's (the Symbolizer `microkit symbolize` uses) at every
// address of the program's functions.
#include "debug/fault_symbols.h"

#include <gtest/gtest.h>

#include <cstring>

#include "debug/symbolizer.h"
#include "runtime/shared/fault_symbols.h"
#include "support/diagnostics.h"
#include "support/file_bytes.h"

namespace microkit::debug {
namespace {

namespace fs = microkit::fault_symbols;

elf::ElfFile fixture() {
  auto bytes = read_file_bytes(FAULT_SYMBOLS_FIXTURE);
  EXPECT_TRUE(bytes.has_value());
  Diagnostics d;
  auto elf = elf::parse_elf(bytes.value_or(std::vector<uint8_t>{}), FAULT_SYMBOLS_FIXTURE, d);
  EXPECT_TRUE(elf.has_value());
  return elf.value_or(elf::ElfFile{});
}

const elf::Symbol& symbol(const elf::ElfFile& e, const char* name) {
  const elf::Symbol* s = e.find_symbol(name);
  EXPECT_NE(s, nullptr) << name;
  static const elf::Symbol none;
  return s ? *s : none;
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

TEST(FaultSymbols, AgreesWithLibdwAtEveryAddressOfTheFixturesFunctions) {
  elf::ElfFile e = fixture();
  FaultSymbols t = build_fault_symbols(e);
  ASSERT_EQ(t.content, FaultSymbols::Content::Full);
  Symbolizer sym(FAULT_SYMBOLS_FIXTURE);
  ASSERT_TRUE(sym.ok());
  int lines_seen = 0;
  for (const char* name : {"fixture_leaf", "fixture_middle", "main"}) {
    const elf::Symbol& f = symbol(e, name);
    ASSERT_GT(f.size, 0u) << name;
    for (uint64_t a = f.value; a < f.value + f.size; ++a) {
      fs::Place p = fs::lookup(t.bytes.data(), t.bytes.size(), a);
      SourcePlace want = sym.at(a);
      ASSERT_NE(p.function, nullptr) << name << " +" << (a - f.value);
      EXPECT_STREQ(p.function, name);
      EXPECT_EQ(p.offset, a - f.value);
      if (want.file.empty()) continue;
      ASSERT_NE(p.file, nullptr) << name << " +" << (a - f.value);
      EXPECT_EQ(p.file, base_name(want.file)) << name << " +" << (a - f.value);
      EXPECT_EQ(int(p.line), want.line) << name << " +" << (a - f.value);
      ++lines_seen;
    }
  }
  EXPECT_GT(lines_seen, 10);
}

TEST(FaultSymbols, KnowsTheFixturesSourceLines) {
  elf::ElfFile e = fixture();
  FaultSymbols t = build_fault_symbols(e);
  // fixture_leaf's body starts on line 6 of fault_symbols_fixture.c.
  bool leaf_line = false;
  const elf::Symbol& f = symbol(e, "fixture_leaf");
  for (uint64_t a = f.value; a < f.value + f.size; ++a) {
    fs::Place p = fs::lookup(t.bytes.data(), t.bytes.size(), a);
    if (p.file && std::strcmp(p.file, "fault_symbols_fixture.c") == 0 && (p.line == 6 || p.line == 7))
      leaf_line = true;
  }
  EXPECT_TRUE(leaf_line);
}

TEST(FaultSymbols, OutsideEveryFunctionNamesNothing) {
  elf::ElfFile e = fixture();
  FaultSymbols t = build_fault_symbols(e);
  fs::View v;
  ASSERT_TRUE(fs::open(t.bytes.data(), t.bytes.size(), &v));
  fs::Place below = fs::lookup(t.bytes.data(), t.bytes.size(), v.h.base - 1);
  EXPECT_EQ(below.function, nullptr);
  EXPECT_EQ(below.file, nullptr);
  EXPECT_EQ(fs::lookup(t.bytes.data(), t.bytes.size(), v.h.base + (uint64_t(1) << 33)).function, nullptr);
}

TEST(FaultSymbols, OverTheCapKeepsFunctionsOnlyThenNothing) {
  elf::ElfFile e = fixture();
  FaultSymbols full = build_fault_symbols(e);
  ASSERT_EQ(full.content, FaultSymbols::Content::Full);
  FaultSymbols names = build_fault_symbols(e, full.bytes.size() - 1);
  ASSERT_EQ(names.content, FaultSymbols::Content::FunctionsOnly);
  EXPECT_LT(names.bytes.size(), full.bytes.size());
  EXPECT_EQ(names.full_size, full.bytes.size());
  const elf::Symbol& f = symbol(e, "fixture_leaf");
  fs::Place p = fs::lookup(names.bytes.data(), names.bytes.size(), f.value + 1);
  EXPECT_STREQ(p.function, "fixture_leaf");
  EXPECT_EQ(p.file, nullptr);
  FaultSymbols none = build_fault_symbols(e, 16);
  EXPECT_EQ(none.content, FaultSymbols::Content::None);
  EXPECT_TRUE(none.bytes.empty());
}

TEST(FaultSymbols, ATruncatedTableIsRefused) {
  elf::ElfFile e = fixture();
  FaultSymbols t = build_fault_symbols(e);
  const elf::Symbol& f = symbol(e, "fixture_leaf");
  EXPECT_EQ(fs::lookup(t.bytes.data(), t.bytes.size() / 2, f.value).function, nullptr);
  EXPECT_STREQ(fs::lookup(t.bytes.data(), t.bytes.size(), f.value).function, "fixture_leaf");
}

}  // namespace
}  // namespace microkit::debug
