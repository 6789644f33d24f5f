// libFuzzer target: bytes -> elf::parse_elf -> use every accessor.
//
// parse_elf promises that a file it accepts can be indexed through its
// segments and symbols without further checks; this target relies on that
// promise (ASan reports any read outside the bytes).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "elf/elf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  microkit::Diagnostics diags;
  auto elf = microkit::elf::parse_elf(std::vector<uint8_t>(data, data + size), "fuzz.elf", diags);
  if (!elf) {
    if (!diags.has_errors()) __builtin_trap();  // a rejection must say why
    return 0;
  }
  uint64_t sum = 0;
  for (const microkit::elf::Segment& s : elf->segments) {
    for (uint8_t b : elf->segment_data(s)) sum += b;
    auto off = elf->file_offset_of(s.vaddr, s.filesz);
    if (!off || *off > elf->bytes.size() || s.filesz > elf->bytes.size() - *off) __builtin_trap();
  }
  for (const microkit::elf::Symbol& sym : elf->symbols) {
    if (elf->find_symbol(sym.name) == nullptr) __builtin_trap();  // every symbol is findable
    auto off = elf->file_offset_of(sym.value, sym.size);
    if (off && (*off > elf->bytes.size() || sym.size > elf->bytes.size() - *off)) __builtin_trap();
  }
  return sum == UINT64_MAX ? -1 : 0;  // keeps the reads from being optimised away
}
