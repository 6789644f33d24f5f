// symbolizer: an address of a PD's program in words (function, source file
// and line), from the program's ELF symbols and DWARF line table (libdw, from
// elfutils). Works for ELF files of any architecture.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace microkit::debug {

struct SourcePlace {
  std::string function;  // "" when no symbol covers the address
  std::string file;      // "" when the line table has no row for it
  int line = 0;
};

class Symbolizer {
 public:
  // Opens `elf_path`; ok() is false when it cannot be read as ELF.
  explicit Symbolizer(const std::string& elf_path);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  bool ok() const;
  // Where `address` (a link-time address of the program) is.
  SourcePlace at(uint64_t address) const;
  // The start of the function symbol that covers `address`, if any.
  std::optional<uint64_t> function_start(uint64_t address) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "function at file:line", "function", or "??" for a place with nothing known.
std::string describe(const SourcePlace& place);

}  // namespace microkit::debug
