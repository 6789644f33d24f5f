// ElfFile: a bounds-checked, read-only view of a 64-bit ELF file.
//
// Reading validates every header, segment and symbol-table offset against
// the file size before anything is used, so no later code indexes outside
// the bytes. Malformed input is a diagnostic naming the file and what is
// wrong, never a crash (there is a libFuzzer target for this reader).
// Struct layouts come from the C library's <elf.h>.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::elf {

struct Segment {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t offset = 0;   // in the file
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint32_t flags = 0;    // PF_R | PF_W | PF_X
  bool readable() const { return flags & 4; }
  bool writable() const { return flags & 2; }
  bool executable() const { return flags & 1; }
};

struct Symbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;   // STT_*
  uint8_t bind = 0;   // STB_*
  uint16_t section = 0;
};

struct ElfFile {
  std::string path;
  uint16_t machine = 0;  // EM_AARCH64, EM_RISCV, EM_X86_64
  uint16_t type = 0;     // ET_EXEC, ET_DYN
  uint64_t entry = 0;
  std::vector<Segment> segments;  // PT_LOAD only, in file order
  std::vector<Symbol> symbols;    // from .symtab
  std::vector<uint8_t> bytes;     // the whole file
  bool has_interpreter = false;   // a PT_INTERP header: it asks for a dynamic loader
  bool has_dynamic = false;       // a PT_DYNAMIC header: it needs dynamic linking

  const Symbol* find_symbol(std::string_view name) const;
  // The file bytes of a loadable segment (filesz of them).
  std::span<const uint8_t> segment_data(const Segment& s) const;
  // File offset of virtual address `vaddr` spanning `size` bytes inside one
  // segment's file image, if there is one.
  std::optional<uint64_t> file_offset_of(uint64_t vaddr, uint64_t size) const;
};

std::optional<ElfFile> parse_elf(std::vector<uint8_t> bytes, const std::string& path,
                                 Diagnostics& diags);
std::optional<ElfFile> read_elf(const std::string& path, Diagnostics& diags);

}  // namespace microkit::elf
