// SDF cases: every tests/sdf/cases/*.system file is one test.
//
// A case is an SDF whose comments say what the tool must report:
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <!-- board: qemu_virt_aarch64 debug -->    optional; this is the default
//   <!-- expect: duplicate-pd-name 7:5 -->     one line per expected error
//   <!-- expect: ok -->                        or: no error at all
//   <!-- expect-warning: unused-mr 9:3 -->     optional; if any such line
//                                              exists, warnings are compared too
//   <!-- kernel: facts -->                     optional: also apply the limits of
//                                              the kernel package read off a real
//                                              build of the case's board and
//                                              config ($MICROKIT_SHARED_DIR/
//                                              sel4-16.0.0/<board>/<config>)
//   <!-- kernel-cores: 2 -->                   optional: the cores the kernel was
//                                              built for (MAX_NUM_NODES), instead
//                                              of the facts folder's
//   A region's prefill_path names a file of tests/sdf/cases/files/ (guest
//   images for <linux>: their checks read the bytes, as a build does).
//   <!-- kernel-irq-table: 160 -->             optional: the size of the kernel's
//                                              IRQ table (intStateIRQTable), which
//                                              a facts folder has no kernel.elf for
//
// The runner parses the file; when the parse is clean it loads the board
// database (boards/) and validates for the named board and configuration.
// The multiset of (id, line:col) of the errors must equal the expected one.
// On a mismatch it prints every diagnostic, rendered with its source line.
// The folder is read when the test program starts, so a new case needs no
// edit here (only a rebuild, for ctest to discover it).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "board/board.h"
#include "kernel/kernel_limits.h"
#include "sdf/linux_guest.h"
#include "sdf/parse.h"
#include "sdf/validate.h"

namespace microkit {
namespace {

namespace fs = std::filesystem;

const char* const kCasesDir = MICROKIT_SOURCE_DIR "/tests/sdf/cases";
const char* const kBoardsDir = MICROKIT_SOURCE_DIR "/boards";

struct Case {
  std::string board = "qemu_virt_aarch64";
  std::string config = "debug";
  std::vector<std::string> errors;    // "id line:col", sorted
  std::vector<std::string> warnings;  // likewise
  bool kernel_facts = false;
  std::optional<uint64_t> irq_table_entries;
  std::optional<uint32_t> kernel_cores;
  bool said_ok = false;
  bool check_warnings = false;
  std::vector<std::string> problems;  // malformed header lines
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "id line:col" with both numbers present, or "" if malformed.
std::string expectation(std::string_view body) {
  size_t space = body.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view id = body.substr(0, space);
  std::string_view pos = trim(body.substr(space + 1));
  size_t colon = pos.find(':');
  if (id.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == pos.size())
    return {};
  if (pos.find_first_not_of("0123456789:") != std::string_view::npos) return {};
  return std::string(id) + " " + std::string(pos);
}

void read_header_line(std::string_view comment, Case& c) {
  auto take = [&](std::string_view key, std::string_view& rest) {
    if (!comment.starts_with(key)) return false;
    rest = trim(comment.substr(key.size()));
    return true;
  };
  std::string_view rest;
  if (take("board:", rest)) {
    size_t space = rest.find(' ');
    c.board = std::string(rest.substr(0, space));
    if (space != std::string_view::npos) c.config = std::string(trim(rest.substr(space)));
  } else if (take("kernel-irq-table:", rest)) {
    c.irq_table_entries = std::stoull(std::string(rest));
  } else if (take("kernel-cores:", rest)) {
    c.kernel_cores = static_cast<uint32_t>(std::stoul(std::string(rest)));
  } else if (take("kernel:", rest)) {
    if (rest == "facts") c.kernel_facts = true;
    else c.problems.push_back("unknown kernel line: " + std::string(comment));
  } else if (take("expect-warning:", rest)) {
    std::string e = expectation(rest);
    if (e.empty()) c.problems.push_back("malformed expect-warning line: " + std::string(comment));
    c.warnings.push_back(e);
    c.check_warnings = true;
  } else if (take("expect:", rest)) {
    if (rest == "ok") {
      c.said_ok = true;
      return;
    }
    std::string e = expectation(rest);
    if (e.empty()) c.problems.push_back("malformed expect line: " + std::string(comment));
    c.errors.push_back(e);
  }
}

Case read_case(std::string_view text) {
  Case c;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    if (line.starts_with("<!--") && line.ends_with("-->"))
      read_header_line(trim(line.substr(4, line.size() - 7)), c);
    start = end + 1;
  }
  std::sort(c.errors.begin(), c.errors.end());
  std::sort(c.warnings.begin(), c.warnings.end());
  if (!c.said_ok && c.errors.empty())
    c.problems.push_back("no <!-- expect: ... --> line (write `expect: ok` for a valid system)");
  if (c.said_ok && !c.errors.empty()) c.problems.push_back("both `expect: ok` and expected errors");
  return c;
}

std::vector<std::string> found(const Diagnostics& diags, Severity severity) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.all())
    if (d.severity == severity)
      out.push_back(d.id + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column));
  std::sort(out.begin(), out.end());
  return out;
}

const board::BoardDatabase& boards() {
  static Diagnostics diags;
  static const board::BoardDatabase db = board::load_boards(kBoardsDir, diags);
  return db;
}

// The prefill files of the case's regions that exist under files/.
std::map<std::string, std::vector<uint8_t>> prefills_of(const sdf::SystemDescription& sd) {
  std::map<std::string, std::vector<uint8_t>> out;
  for (const auto& mr : sd.mrs) {
    if (!mr.prefill_path) continue;
    fs::path path = fs::path(kCasesDir) / "files" / *mr.prefill_path;
    if (!fs::is_regular_file(path)) continue;
    std::string bytes = read_file(path);
    out[*mr.prefill_path] = std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  return out;
}

// Validation for the case's board; kept apart so that the parse-only part of
// the runner stays independent of the board and validator libraries.
void validate_case(const sdf::SystemDescription& sd, const Case& c, Diagnostics& diags) {
  const board::Board* board = boards().find(c.board);
  ASSERT_NE(board, nullptr) << "unknown board `" << c.board << "` in the case's board line";
  const board::Config* config = board->find_config(c.config);
  ASSERT_NE(config, nullptr) << "board `" << c.board << "` has no configuration `" << c.config
                             << "`";
  board::Config with_kernel = *config;
  if (c.kernel_facts) {
    std::string dir = std::string(MICROKIT_SHARED_DIR) + "/sel4-16.0.0/" + c.board + "/" + c.config;
    Diagnostics load;
    auto package = kernel::load_kernel_package(dir, load);
    ASSERT_TRUE(package) << "cannot read the kernel facts in " << dir;
    if (c.irq_table_entries) package->irq_table_entries = c.irq_table_entries;
    if (c.kernel_cores) package->config.max_num_nodes = *c.kernel_cores;
    kernel::apply_kernel_limits(*package, with_kernel.limits);
  }
  sdf::validate(sd, *board, with_kernel, diags);
  if (!diags.has_errors()) sdf::check_linux_guests(sd, prefills_of(sd), diags);
}

std::string listing(const std::vector<std::string>& items) {
  if (items.empty()) return "  (none)\n";
  std::string out;
  for (const std::string& s : items) out += "  " + s + "\n";
  return out;
}

class SdfCase : public testing::TestWithParam<fs::path> {};

TEST_P(SdfCase, ReportsExactlyTheExpectedDiagnostics) {
  const fs::path& path = GetParam();
  const std::string text = read_file(path);
  ASSERT_FALSE(text.empty()) << "cannot read " << path;
  const Case c = read_case(text);
  for (const std::string& p : c.problems) ADD_FAILURE() << path.filename().string() << ": " << p;
  if (!c.problems.empty()) return;

  Diagnostics diags;
  const std::string file = path.filename().string();
  std::optional<sdf::SystemDescription> sd = sdf::parse(text, file, diags);
  if (sd && !diags.has_errors()) validate_case(*sd, c, diags);

  std::vector<std::string> errors = found(diags, Severity::Error);
  std::vector<std::string> warnings = found(diags, Severity::Warning);
  bool ok = errors == c.errors && (!c.check_warnings || warnings == c.warnings);
  if (ok) return;
  std::string rendered;
  for (const Diagnostic& d : diags.all()) rendered += render(d, text);
  ADD_FAILURE() << file << ": diagnostics differ\nexpected errors:\n"
                << listing(c.errors) << "reported errors:\n"
                << listing(errors)
                << (c.check_warnings ? "expected warnings:\n" + listing(c.warnings) +
                                           "reported warnings:\n" + listing(warnings)
                                     : std::string())
                << "all diagnostics:\n"
                << rendered;
}

std::vector<fs::path> case_files() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCasesDir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".system")
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// parse-unknown-element.system -> parse_unknown_element
std::string test_name(const testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.stem().string();
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, SdfCase, testing::ValuesIn(case_files()), test_name);

// A moved or empty case folder must fail the suite, not run zero cases.
TEST(SdfCaseFiles, TheCaseFolderHoldsCases) {
  ASSERT_TRUE(fs::is_directory(kCasesDir)) << kCasesDir << " is missing";
  EXPECT_FALSE(case_files().empty()) << "no .system case files in " << kCasesDir;
}

// The runner's own reading of the case format.
TEST(SdfCaseFormat, ReadsBoardAndExpectations) {
  Case c = read_case(
      "<?xml version=\"1.0\"?>\n"
      "<!-- board: x86_64_generic smp-debug -->\r\n"
      "  <!-- expect: b-id 7:5 -->\n"
      "<!-- expect: a-id 10:12 -->\n"
      "<!-- expect-warning: w-id 1:1 -->\n"
      "<!-- an ordinary comment -->\n");
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(c.board, "x86_64_generic");
  EXPECT_EQ(c.config, "smp-debug");
  EXPECT_EQ(c.errors, (std::vector<std::string>{"a-id 10:12", "b-id 7:5"}));
  EXPECT_EQ(c.warnings, (std::vector<std::string>{"w-id 1:1"}));
  EXPECT_TRUE(c.check_warnings);
}

TEST(SdfCaseFormat, DefaultsAndOk) {
  Case c = read_case("<!-- expect: ok -->\n<system/>");
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(c.board, "qemu_virt_aarch64");
  EXPECT_EQ(c.config, "debug");
  EXPECT_TRUE(c.errors.empty());
  EXPECT_FALSE(c.check_warnings);
}

TEST(SdfCaseFormat, RejectsCasesThatExpectNothing) {
  EXPECT_FALSE(read_case("<system/>").problems.empty());
  EXPECT_FALSE(read_case("<!-- expect: some-id -->").problems.empty());
  EXPECT_FALSE(read_case("<!-- expect: some-id 3 -->").problems.empty());
  EXPECT_FALSE(read_case("<!-- expect: ok -->\n<!-- expect: x 1:1 -->").problems.empty());
}

}  // namespace
}  // namespace microkit
