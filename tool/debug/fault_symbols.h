// fault_symbols: the compact per-PD symbol table the initial task names
// backtrace frames with (runtime/shared/fault_symbols.h), built from a PD's
// ELF: its function symbols (.symtab) and its DWARF line table (libdw),
// reduced to one row per address range with a changed (file, line), file
// names without their directories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "elf/elf_file.h"

namespace microkit::debug {

// Bytes a PD's table may take in the boot image (docs/debugging.md).
inline constexpr size_t kFaultSymbolsCap = 64 * 1024;

struct FaultSymbols {
  enum class Content { Full, FunctionsOnly, None };
  std::vector<uint8_t> bytes;  // the table; empty for Content::None
  Content content = Content::None;
  size_t full_size = 0;        // bytes the full table would take
};

// The table for `elf`, at most `cap` bytes: with line rows if they fit, else
// functions only, else nothing (the caller warns).
FaultSymbols build_fault_symbols(const elf::ElfFile& elf, size_t cap = kFaultSymbolsCap);

}  // namespace microkit::debug
