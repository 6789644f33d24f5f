// Test helpers for the driver: a temporary folder that tests fill with the
// files a command reads (SDFs, ELFs built in memory, prefill data), and the
// Environment that points a command at it. Header-only: tests only.
#pragma once

#include <elf.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "driver/driver.h"
#include "elf/test_elf_builder.h"
#include "support/diagnostics.h"

namespace microkit::driver::test_support {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "microkit-driver-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `rel` (creating its folders) and returns its full path.
  std::string write(const std::string& rel, std::string_view content) const {
    fs::path full = fs::path(path_) / rel;
    fs::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary).write(content.data(), content.size());
    return full.string();
  }
  std::string write(const std::string& rel, const std::vector<uint8_t>& bytes) const {
    return write(rel, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }

 private:
  std::string path_;
};

// The project's own board files, so tests see the real boards.
inline std::string boards_dir() { return std::string(MICROKIT_SOURCE_DIR) + "/boards"; }

inline Environment env_in(const TempDir& dir) { return Environment{dir.path(), boards_dir()}; }

// A minimal valid program for `machine` (the host board runs x86-64 ones).
inline std::vector<uint8_t> program_elf(uint16_t machine = EM_X86_64) {
  elf::testing::TestElfBuilder b;
  b.machine = machine;
  b.entry = 0x400000;
  b.segment(0x400000, std::vector<uint8_t>(64, 0x90), 0, PF_R | PF_X);
  b.symbol("microkit_name", 0x400000, 64);  // what makes it a Microkit PD (inputs.cc)
  return b.build();
}

// Where `needle` starts in `text` (1-based line and column), to assert on
// diagnostic locations without hard-coding numbers.
inline Loc loc_of(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return {};
  return loc_of_offset(text, at);
}

// "id line:col" of every error, in the order reported.
inline std::vector<std::string> errors(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.all())
    if (d.severity == Severity::Error)
      out.push_back(d.id + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column));
  return out;
}

inline std::string at(Loc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

}  // namespace microkit::driver::test_support
