#include "board/board.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "board/json_text.h"
#include "kernel/test_facts.h"

namespace microkit::board {
namespace {

const char* kMinimal = R"({
  "name": "tiny",
  "arch": "riscv64",
  "page_sizes": ["0x1000", 2097152],
  "user_vaddr": { "start": 0, "end": "0x3ffffff000" },
  "configs": [ { "name": "debug", "debug": true } ]
})";

const Diagnostic* find_id(const Diagnostics& d, std::string_view id) {
  for (const Diagnostic& x : d.all())
    if (x.id == id) return &x;
  return nullptr;
}

TEST(Board, MinimalFileGetsDefaults) {
  Diagnostics d;
  auto b = parse_board(kMinimal, "tiny.json", d);
  ASSERT_TRUE(b) << (d.empty() ? "" : render(d.all()[0]));
  EXPECT_EQ(b->arch, Arch::RiscV64);
  EXPECT_EQ(b->page_sizes, (std::vector<uint64_t>{0x1000, 0x200000}));
  EXPECT_EQ(b->user_vaddr.end, 0x3ffffff000u);
  EXPECT_FALSE(b->loader_address);
  EXPECT_EQ(b->cpu_count, 1u);
  ASSERT_EQ(b->configs.size(), 1u);
  const Config* c = b->find_config("debug");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->debug);
  EXPECT_EQ(c->limits.max_pds, Limits{}.max_pds);
  EXPECT_EQ(c->limits.max_priority, Limits{}.max_priority);
  EXPECT_EQ(b->find_config("release"), nullptr);
}

TEST(Board, UnknownTopLevelKeyIsAnErrorWithItsLocation) {
  std::string text = kMinimal;
  text.insert(text.find("\"arch\""), "\"colour\": 1,\n  ");
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "tiny.json", d));
  const Diagnostic* e = find_id(d, "board-unknown-key");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file, "tiny.json");
  EXPECT_EQ(e->loc, (Loc{3, 3}));
  EXPECT_NE(e->message.find("colour"), std::string::npos);
  EXPECT_NE(e->hint.find("page_sizes"), std::string::npos);
}

TEST(Board, UnknownLimitKeyIsAnError) {
  std::string text = kMinimal;
  text.replace(text.find("\"debug\": true"), 13, R"("limits": { "max_pd": 3 })");
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "tiny.json", d));
  const Diagnostic* e = find_id(d, "board-unknown-key");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->loc.line, 6u);
  EXPECT_NE(e->message.find("max_pd"), std::string::npos);
}

// "loader": the facts the loader is built with, checked against the
// drivers the loader has.
std::string with_loader(const std::string& loader) {
  std::string text = kMinimal;
  text.insert(text.find("\"configs\""), "\"loader_address\": \"0x90000000\", \"loader\": " + loader + ",\n  ");
  return text;
}

TEST(Board, LoaderFactsAreRead) {
  Diagnostics d;
  auto b = parse_board(with_loader(R"({ "uart": "ns16550", "uart_paddr": "0x10000000", "ram_end": "0x100000000" })"),
                       "tiny.json", d);
  ASSERT_TRUE(b) << (d.empty() ? "" : render(d.all()[0]));
  ASSERT_TRUE(b->loader);
  EXPECT_EQ(b->loader->uart, "ns16550");
  EXPECT_EQ(b->loader->uart_paddr, 0x10000000u);
  EXPECT_EQ(b->loader->ram_end, 0x100000000u);
}

// The board `text` is refused with diagnostic `id`, whose message holds `words`.
void expect_refused(const std::string& text, std::string_view id, const std::string& words) {
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "tiny.json", d));
  const Diagnostic* e = find_id(d, id);
  ASSERT_TRUE(e) << "no " << id;
  EXPECT_NE(e->message.find(words), std::string::npos) << e->message;
}

TEST(Board, LoaderUartWithoutADriverIsAnError) {
  std::string text = with_loader(R"({ "uart": "pl011", "uart_paddr": "0x10000000", "ram_end": "0x100000000" })");
  expect_refused(text, "board-bad-value", "'pl011'; the riscv64 loader has a 'ns16550' driver");
  expect_refused(text, "board-bad-value", "runtime/loader/riscv64/pl011.cc");
}

TEST(Board, LoaderRamEndBelowTheLoaderIsAnError) {
  expect_refused(with_loader(R"({ "uart": "ns16550", "uart_paddr": "0x10000000", "ram_end": "0x80000000" })"),
                 "board-bad-value", "ram_end");
}

TEST(Board, LoaderOnABoardWithoutOneIsAnError) {
  std::string text = with_loader(R"({ "uart": "ns16550", "uart_paddr": "0x10000000", "ram_end": "0x100000000" })");
  text.replace(text.find("riscv64"), 7, "x86_64");
  expect_refused(text, "board-bad-value", "x86_64 boards boot without this project's loader");
}

TEST(Board, LoaderMissingUartAddressIsNamed) {
  expect_refused(with_loader(R"({ "uart": "ns16550", "ram_end": "0x100000000" })"), "board-missing-key",
                 "uart_paddr");
}

TEST(Board, LimitsOverrideOnlyWhatTheyName) {
  std::string text = kMinimal;
  text.replace(text.find("\"debug\": true"), 13, R"("limits": { "max_pds": 1024 })");
  Diagnostics d;
  auto b = parse_board(text, "tiny.json", d);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->configs[0].limits.max_pds, 1024u);
  EXPECT_EQ(b->configs[0].limits.max_channel_id, Limits{}.max_channel_id);
}

TEST(Board, MalformedJsonGivesLineAndColumn) {
  // The missing comma after "riscv64" is detected at the next string.
  std::string text = "{\n  \"name\": \"x\",\n  \"arch\": \"riscv64\"\n  \"page_sizes\": []\n}";
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "bad.json", d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "board-json");
  EXPECT_EQ(d.all()[0].file, "bad.json");
  EXPECT_EQ(d.all()[0].loc, (Loc{4, 3}));
  EXPECT_EQ(d.all()[0].message.find("[json.exception"), std::string::npos);
}

TEST(Board, MalformedJsonAtTheOffendingCharacter) {
  struct Case {
    const char* text;
    Loc loc;
  };
  for (const Case& c : {Case{"{\"a\": 1,, \"b\": 2}", {1, 9}},     // the second comma
                        Case{"{\n  \"a\": \"abc", {2, 8}},             // unterminated string
                        Case{"{\"a\": 1", {1, 7}},                      // end of input: its last character
                        Case{"", {1, 1}}}) {
    Diagnostics d;
    EXPECT_FALSE(parse_board(c.text, "bad.json", d));
    ASSERT_EQ(d.error_count(), 1u) << c.text;
    EXPECT_EQ(d.all()[0].id, "board-json");
    EXPECT_EQ(d.all()[0].loc, c.loc) << c.text << " -> " << d.all()[0].loc.line << ":"
                                     << d.all()[0].loc.column;
  }
}

TEST(Board, MissingKeyIsNamed) {
  std::string text = kMinimal;
  text.erase(text.find("\"arch\""), std::string("\"arch\": \"riscv64\",").size());
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "tiny.json", d));
  const Diagnostic* e = find_id(d, "board-missing-key");
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("'arch'"), std::string::npos);
  EXPECT_EQ(e->loc, (Loc{1, 1}));
}

struct BadValue {
  const char* from;
  const char* to;
  const char* key;  // expected in the message
};

class BoardBadValue : public testing::TestWithParam<BadValue> {};

TEST_P(BoardBadValue, IsRejected) {
  std::string text = kMinimal;
  size_t at = text.find(GetParam().from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string(GetParam().from).size(), GetParam().to);
  Diagnostics d;
  EXPECT_FALSE(parse_board(text, "tiny.json", d)) << text;
  const Diagnostic* e = find_id(d, "board-bad-value");
  ASSERT_TRUE(e) << text;
  EXPECT_NE(e->message.find(GetParam().key), std::string::npos) << e->message;
  EXPECT_NE(e->loc.line, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Values, BoardBadValue,
    testing::Values(BadValue{"\"riscv64\"", "\"sparc\"", "arch"},
                    BadValue{"\"0x1000\"", "\"0x1800\"", "page_sizes"},
                    BadValue{"\"0x1000\", 2097152", "2097152, \"0x1000\"", "page_sizes"},
                    BadValue{"\"start\": 0", "\"start\": \"0x3ffffff000\"", "user_vaddr"},
                    BadValue{"\"start\": 0", "\"start\": -4", "start"},
                    BadValue{"\"start\": 0", "\"start\": \"0xzz\"", "start"},
                    BadValue{"\"debug\": true", "\"debug\": 1", "debug"},
                    BadValue{"\"debug\": true", "\"cpus\": 2", "cpus"},
                    BadValue{"\"debug\": true", "\"smp\": true, \"cpus\": 2", "cpus"},
                    BadValue{"{ \"name\": \"debug\", \"debug\": true }",
                             "{ \"name\": \"a\" }, { \"name\": \"a\" }", "configs"},
                    BadValue{"[ { \"name\"", "[ 3, { \"name\"", "configs"}));

TEST(JsonText, HexAndDecimalStrings) {
  using json_text::Json;
  EXPECT_EQ(json_text::to_u64(Json("0x1_0000")), 0x10000u);
  EXPECT_EQ(json_text::to_u64(Json("4096")), 4096u);
  EXPECT_EQ(json_text::to_u64(Json(7)), 7u);
  EXPECT_FALSE(json_text::to_u64(Json("0x")));
  EXPECT_FALSE(json_text::to_u64(Json("0x1g")));
  EXPECT_FALSE(json_text::to_u64(Json("0x10000000000000000")));  // overflows 64 bits
  EXPECT_FALSE(json_text::to_u64(Json(-1)));
  EXPECT_FALSE(json_text::to_u64(Json(1.5)));
}

TEST(JsonText, OffsetToLineColumn) {
  EXPECT_EQ(loc_of_offset("ab\ncd", 0), (Loc{1, 1}));
  EXPECT_EQ(loc_of_offset("ab\ncd", 4), (Loc{2, 2}));
  EXPECT_EQ(json_text::loc_of_key("{\"a\" : 1, \"b\": \"a\"}", "b"), (Loc{1, 11}));
  EXPECT_EQ(json_text::loc_of_key("{\"b\": \"a\"}", "a"), (Loc{}));
}

// The shipped board files: the facts other parts of the tool rely on.
class ShippedBoards : public testing::Test {
 protected:
  void SetUp() override {
    db_ = load_boards(MICROKIT_SOURCE_DIR "/boards", diags_);
    for (const Diagnostic& d : diags_.all()) ADD_FAILURE() << render(d);
  }
  Diagnostics diags_;
  BoardDatabase db_;
};

TEST_F(ShippedBoards, AllLoadInNameOrder) {
  EXPECT_EQ(db_.names(),
            (std::vector<std::string>{"host", "qemu_virt_aarch64", "qemu_virt_aarch64_el1",
                                      "qemu_virt_riscv64", "x86_64_generic", "x86_64_generic_vtx"}));
}

TEST_F(ShippedBoards, QemuVirtAarch64) {
  const Board* b = db_.find("qemu_virt_aarch64");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->arch, Arch::AArch64);
  EXPECT_EQ(b->loader_address, 0x70000000u);
  EXPECT_TRUE(b->hypervisor);
  EXPECT_EQ(b->cpu_count, 4u);
  EXPECT_EQ(b->kernel_platform, "qemu-arm-virt");
  EXPECT_EQ(b->user_vaddr.end, 0xffffffffffu + 1);  // seL4_UserTop is inclusive here
  const Config* smp = b->find_config("smp-debug");
  ASSERT_TRUE(smp);
  EXPECT_TRUE(smp->smp && smp->debug);
  EXPECT_EQ(smp->cpus, 4u);
  EXPECT_FALSE(b->find_config("release")->debug);
  EXPECT_TRUE(b->find_config("benchmark")->benchmark);
}

// The official board for hosts without nested virtualisation: the same
// machine and loader facts, seL4 in EL1 with 48-bit user addresses.
TEST_F(ShippedBoards, QemuVirtAarch64El1) {
  const Board* el1 = db_.find("qemu_virt_aarch64_el1");
  const Board* el2 = db_.find("qemu_virt_aarch64");
  ASSERT_TRUE(el1 && el2);
  EXPECT_FALSE(el1->hypervisor);
  EXPECT_EQ(el1->user_vaddr.end, 0x7fffffffffffu + 1);
  EXPECT_EQ(el1->loader_address, el2->loader_address);
  ASSERT_TRUE(el1->loader && el2->loader);
  EXPECT_EQ(el1->loader->uart, "pl011");
  EXPECT_EQ(el1->loader->uart_paddr, el2->loader->uart_paddr);
  EXPECT_EQ(el1->loader->gicd_paddr, el2->loader->gicd_paddr);
  EXPECT_EQ(el1->configs.size(), el2->configs.size());
}

TEST_F(ShippedBoards, RiscvAndX86) {
  const Board* rv = db_.find("qemu_virt_riscv64");
  ASSERT_TRUE(rv);
  EXPECT_EQ(rv->user_vaddr.end, 0x3ffffff000u);
  EXPECT_EQ(rv->loader_address, 0x90000000u);
  EXPECT_FALSE(rv->hypervisor);
  ASSERT_TRUE(rv->loader);
  EXPECT_EQ(rv->loader->uart, "ns16550");
  EXPECT_EQ(rv->loader->uart_paddr, 0x10000000u);
  EXPECT_FALSE(rv->loader->gicd_paddr);
  const Board* x86 = db_.find("x86_64_generic");
  ASSERT_TRUE(x86);
  EXPECT_FALSE(x86->loader_address);
  EXPECT_FALSE(x86->hypervisor);
  EXPECT_EQ(x86->user_vaddr.end, 0x7ffffffff000u);
  EXPECT_EQ(x86->find_config("smp-release")->cpus, 16u);
}

TEST_F(ShippedBoards, Host) {
  const Board* b = db_.find("host");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->arch, Arch::Host);
  EXPECT_STREQ(arch_name(b->arch), "host");
  EXPECT_EQ(b->cpu_count, 1u);
  EXPECT_EQ(b->largest_page_size(), 0x200000u);
  EXPECT_EQ(b->user_vaddr.start, 0x10000u);
  for (const char* name : {"debug", "release", "benchmark"}) {
    const Config* c = b->find_config(name);
    ASSERT_TRUE(c) << name;
    EXPECT_EQ(c->limits.max_pds, 1024u);
  }
  EXPECT_FALSE(b->find_config("smp-debug"));
}

// The user vaddr tops agree with the kernel builds' seL4_UserTop.
TEST_F(ShippedBoards, UserTopMatchesSharedKernelFacts) {
  for (const char* name : {"qemu_virt_aarch64", "qemu_virt_aarch64_el1", "qemu_virt_riscv64", "x86_64_generic"}) {
    std::string path = kernel::test_support::facts_dir(name) + "/object_sizes.json";
    ASSERT_TRUE(std::filesystem::exists(path)) << "no kernel facts at " << path;
    Diagnostics d;
    auto text = json_text::read_file(path, "io", d);
    ASSERT_TRUE(text);
    auto j = json_text::parse(*text, path, "json", d);
    ASSERT_TRUE(j);
    uint64_t user_top = (*j)["values"]["user_top"].get<uint64_t>();
    const Board* b = db_.find(name);
    ASSERT_TRUE(b);
    // AArch64's seL4_UserTop is the last usable address; the others' the first past it.
    uint64_t end = b->arch == Arch::AArch64 ? user_top + 1 : user_top;
    EXPECT_EQ(b->user_vaddr.end, end) << name;
  }
}

// ------------------------------------------------------------ qemu

std::string with_qemu(const std::string& qemu_object) {
  std::string text = kMinimal;
  text.insert(text.find("\"configs\""), "\"qemu\": " + qemu_object + ",\n  ");
  return text;
}

TEST(Board, QemuCommandIsFilledInAndSmpArgsAddedForSmpConfigs) {
  std::string text = with_qemu(
      R"({ "command": ["qemu-system-riscv64", "-kernel", "{image}", "-append", "x={cpus}"],
           "smp": ["-smp", "{cpus}"] })");
  text.replace(text.find("[ { \"name\": \"debug\""), 1,
               "[ { \"name\": \"smp-debug\", \"smp\": true, \"cpus\": 2 },");
  text.replace(text.find("\"arch\""), 0, "\"cpu_count\": 4, ");
  Diagnostics d;
  auto b = parse_board(text, "tiny.json", d);
  ASSERT_TRUE(b) << (d.empty() ? "" : render(d.all()[0]));
  ASSERT_TRUE(b->qemu);
  EXPECT_EQ(qemu_command(*b, *b->find_config("debug"), "/t/loader.img", "/t/k32"),
            (std::vector<std::string>{"qemu-system-riscv64", "-kernel", "/t/loader.img", "-append", "x=1"}));
  EXPECT_EQ(qemu_command(*b, *b->find_config("smp-debug"), "/i", "/k"),
            (std::vector<std::string>{"qemu-system-riscv64", "-kernel", "/i", "-append", "x=2", "-smp", "2"}));
}

TEST(Board, NoQemuObjectMeansNoCommand) {
  Diagnostics d;
  auto b = parse_board(kMinimal, "tiny.json", d);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->qemu);
  EXPECT_TRUE(qemu_command(*b, b->configs[0], "/i", "/k").empty());
}

TEST(Board, QemuCommandMustLoadTheImageAndKnowItsPlaceholders) {
  for (const char* bad : {R"({ "command": ["qemu-system-riscv64", "-kernel", "loader.img"] })",
                          R"({ "command": ["qemu-system-riscv64", "-kernel", "{image}", "{imgae}"] })",
                          R"({ "command": "qemu-system-riscv64 -kernel {image}" })",
                          R"({ "command": ["q", "{image}"], "cores": 4 })", R"({ "smp": [] })"}) {
    Diagnostics d;
    EXPECT_FALSE(parse_board(with_qemu(bad), "tiny.json", d)) << bad;
    EXPECT_TRUE(d.has_errors()) << bad;
  }
}

TEST_F(ShippedBoards, EveryQemuBoardHasACommandThatLoadsItsImage) {
  for (const char* name : {"qemu_virt_aarch64", "qemu_virt_aarch64_el1", "qemu_virt_riscv64", "x86_64_generic"}) {
    const Board* b = db_.find(name);
    ASSERT_TRUE(b && b->qemu) << name;
    auto argv = qemu_command(*b, *b->find_config("debug"), "/i/loader.img", "/i/sel4_32.elf");
    ASSERT_FALSE(argv.empty());
    EXPECT_EQ(argv.front().rfind("qemu-system-", 0), 0u) << name;
    std::string line;
    for (const auto& w : argv) line += w + " ";
    EXPECT_NE(line.find("/i/loader.img"), std::string::npos) << name;
    EXPECT_EQ(line.find('{'), std::string::npos) << name << ": a placeholder is left: " << line;
    EXPECT_EQ(line.find("-smp"), std::string::npos) << name;
    auto smp = qemu_command(*b, *b->find_config("smp-debug"), "/i/loader.img", "/i/sel4_32.elf");
    EXPECT_EQ(smp.size(), argv.size() + 2) << name;
  }
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("boards_test_" + std::to_string(::getpid()) + "_" +
             testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(LoadBoards, FileNameMustMatchBoardName) {
  TempDir dir;
  dir.write("tiny.json", kMinimal);
  dir.write("other.json", kMinimal);
  dir.write("README.md", "not a board");
  Diagnostics d;
  BoardDatabase db = load_boards(dir.str(), d);
  EXPECT_EQ(db.names(), std::vector<std::string>{"tiny"});
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "board-name-mismatch");
  EXPECT_EQ(d.all()[0].loc.line, 2u);
}

TEST(LoadBoards, OnlyTheNamedBoardWhenItsFileExists) {
  TempDir dir;
  dir.write("tiny.json", kMinimal);
  dir.write("broken.json", "{ not json");
  Diagnostics d;
  BoardDatabase db = load_boards(dir.str(), d, std::string("tiny"));
  EXPECT_EQ(db.names(), std::vector<std::string>{"tiny"});
  EXPECT_TRUE(d.empty());  // broken.json was not read
  // An unknown name reads them all, so the caller can suggest one.
  Diagnostics all;
  BoardDatabase every = load_boards(dir.str(), all, std::string("tinny"));
  EXPECT_EQ(every.names(), std::vector<std::string>{"tiny"});
  EXPECT_EQ(all.error_count(), 1u);
}

TEST(LoadBoards, MissingFolderIsAnError) {
  Diagnostics d;
  BoardDatabase db = load_boards("/nonexistent/boards", d);
  EXPECT_TRUE(db.boards.empty());
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "board-dir");
}

TEST(DefaultBoardsDir, EnvironmentWins) {
  const char* old = std::getenv("MICROKIT_BOARDS");
  std::string saved = old ? old : "";
  setenv("MICROKIT_BOARDS", "/somewhere/boards", 1);
  EXPECT_EQ(default_boards_dir("/usr/bin/microkit"), "/somewhere/boards");
  if (old) setenv("MICROKIT_BOARDS", saved.c_str(), 1);
  else unsetenv("MICROKIT_BOARDS");
}

TEST(DefaultBoardsDir, InstalledLayoutThenSourceTree) {
  const char* old = std::getenv("MICROKIT_BOARDS");
  std::string saved = old ? old : "";
  unsetenv("MICROKIT_BOARDS");
  TempDir prefix;
  std::filesystem::create_directories(prefix.str() + "/bin");
  EXPECT_EQ(default_boards_dir(prefix.str() + "/bin/microkit"),
            std::string(MICROKIT_SOURCE_DIR) + "/boards");
  std::filesystem::create_directories(prefix.str() + "/share/microkit/boards");
  EXPECT_EQ(default_boards_dir(prefix.str() + "/bin/microkit"),
            std::filesystem::weakly_canonical(prefix.str() + "/share/microkit/boards").string());
  if (old) setenv("MICROKIT_BOARDS", saved.c_str(), 1);
}

}  // namespace
}  // namespace microkit::board
