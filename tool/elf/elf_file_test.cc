#include "elf/elf_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "elf/test_elf_builder.h"

namespace microkit::elf {
namespace {

using testing::TestElfBuilder;
using testing::TestLayout;

TestElfBuilder sample() {
  TestElfBuilder b;
  b.entry = 0x200000;
  b.segment(0x200000, {0x11, 0x22, 0x33, 0x44}, 0, PF_R | PF_X)
      .segment(0x201008, {1, 2, 3, 4, 5, 6, 7, 8}, 0x1000, PF_R | PF_W)
      .symbol("counter", 0x201008)
      .symbol("_start", 0x200000, 4);
  return b;
}

template <typename T>
void poke(std::vector<uint8_t>& bytes, uint64_t offset, T value) {
  ASSERT_LE(offset + sizeof(T), bytes.size());
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

// Expects parse failure with exactly one error, of `id`, naming the file.
void expect_error(std::vector<uint8_t> bytes, const std::string& id,
                  const std::string& words = {}) {
  Diagnostics d;
  EXPECT_FALSE(parse_elf(std::move(bytes), "pd.elf", d));
  ASSERT_EQ(d.error_count(), 1u) << (d.empty() ? "" : render(d.all()[0]));
  EXPECT_EQ(d.all()[0].id, id) << render(d.all()[0]);
  EXPECT_EQ(d.all()[0].file, "pd.elf");
  EXPECT_NE(d.all()[0].message.find(words), std::string::npos) << d.all()[0].message;
}

TEST(ElfFile, ReadsHeaderSegmentsAndSymbols) {
  Diagnostics d;
  auto f = parse_elf(sample().build(), "pd.elf", d);
  ASSERT_TRUE(f) << render(d.all()[0]);
  EXPECT_EQ(f->machine, EM_AARCH64);
  EXPECT_EQ(f->type, ET_EXEC);
  EXPECT_EQ(f->entry, 0x200000u);
  ASSERT_EQ(f->segments.size(), 2u);
  EXPECT_TRUE(f->segments[0].executable());
  EXPECT_FALSE(f->segments[0].writable());
  EXPECT_TRUE(f->segments[1].writable());
  EXPECT_EQ(f->segments[1].memsz, 0x1000u);
  EXPECT_EQ(f->segments[1].filesz, 8u);
  auto data = f->segment_data(f->segments[0]);
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()),
            (std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44}));
  ASSERT_EQ(f->symbols.size(), 3u);  // with the null symbol
  const Symbol* s = f->find_symbol("counter");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 0x201008u);
  EXPECT_EQ(s->bind, STB_GLOBAL);
  EXPECT_EQ(f->find_symbol("missing"), nullptr);
}

TEST(ElfFile, FileOffsetOfStaysInsideFileBytes) {
  Diagnostics d;
  TestLayout layout;
  auto f = parse_elf(sample().build(&layout), "pd.elf", d);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->file_offset_of(0x201008, 8), layout.segment_offsets[1]);
  EXPECT_EQ(f->file_offset_of(0x20100c, 4), layout.segment_offsets[1] + 4);
  EXPECT_FALSE(f->file_offset_of(0x20100c, 5));   // past filesz, inside memsz
  EXPECT_FALSE(f->file_offset_of(0x201000, 4));   // before the segment
  EXPECT_FALSE(f->file_offset_of(~uint64_t{0}, 2));  // no wrap-around match
}

TEST(ElfFile, GlobalSymbolWinsOverLocal) {
  TestElfBuilder b = sample();
  b.symbols.insert(b.symbols.begin(), testing::TestSymbol{"counter", 0x999, 8, STT_OBJECT, STB_LOCAL});
  Diagnostics d;
  auto f = parse_elf(b.build(), "pd.elf", d);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->find_symbol("counter")->value, 0x201008u);
}

TEST(ElfFile, StrippedFileHasNoSymbols) {
  TestElfBuilder b = sample();
  b.with_sections = false;
  Diagnostics d;
  auto f = parse_elf(b.build(), "pd.elf", d);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->symbols.empty());
  EXPECT_EQ(f->segments.size(), 2u);
}

TEST(ElfFile, BadMagic) {
  expect_error({'M', 'Z', 0, 0}, "elf-bad-magic");
  expect_error({}, "elf-bad-magic");
}

TEST(ElfFile, Rejects32BitAndBigEndian) {
  auto bytes = sample().build();
  bytes[EI_CLASS] = ELFCLASS32;
  expect_error(bytes, "elf-unsupported", "32-bit");
  bytes = sample().build();
  bytes[EI_DATA] = ELFDATA2MSB;
  expect_error(bytes, "elf-unsupported", "big-endian");
}

TEST(ElfFile, TruncatedHeader) {
  auto bytes = sample().build();
  bytes.resize(40);
  expect_error(bytes, "elf-truncated", "ELF header");
  bytes.resize(10);
  expect_error(bytes, "elf-truncated");
}

TEST(ElfFile, BadHeaderFields) {
  auto bytes = sample().build();
  poke<uint16_t>(bytes, offsetof(Elf64_Ehdr, e_phentsize), 32);
  expect_error(bytes, "elf-bad-header", "program header");
  bytes = sample().build();
  poke<uint16_t>(bytes, offsetof(Elf64_Ehdr, e_shentsize), 40);
  expect_error(bytes, "elf-bad-header", "section header");
  bytes = sample().build();
  bytes[EI_VERSION] = 7;
  expect_error(bytes, "elf-bad-header", "version");
}

TEST(ElfFile, ProgramHeaderTableOutsideFile) {
  auto bytes = sample().build();
  poke<uint64_t>(bytes, offsetof(Elf64_Ehdr, e_phoff), bytes.size() - 8);
  expect_error(bytes, "elf-truncated", "program header table");
  // An offset near 2^64 must not wrap around into the file.
  poke<uint64_t>(bytes, offsetof(Elf64_Ehdr, e_phoff), ~uint64_t{0} - 8);
  expect_error(bytes, "elf-truncated", "program header table");
}

TEST(ElfFile, SegmentOutsideFile) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  uint64_t ph1 = layout.phoff + sizeof(Elf64_Phdr);
  poke<uint64_t>(bytes, ph1 + offsetof(Elf64_Phdr, p_filesz), bytes.size());
  poke<uint64_t>(bytes, ph1 + offsetof(Elf64_Phdr, p_memsz), bytes.size());
  expect_error(bytes, "elf-truncated", "segment 1");
  poke<uint64_t>(bytes, ph1 + offsetof(Elf64_Phdr, p_offset), ~uint64_t{0});
  poke<uint64_t>(bytes, ph1 + offsetof(Elf64_Phdr, p_filesz), 2);
  expect_error(bytes, "elf-truncated", "segment 1");
}

TEST(ElfFile, SegmentFileSizeAboveMemorySize) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  poke<uint64_t>(bytes, layout.phoff + offsetof(Elf64_Phdr, p_memsz), 2);
  expect_error(bytes, "elf-bad-segment", "segment 0");
}

TEST(ElfFile, SegmentWrappingAddressSpace) {
  TestElfBuilder b;
  b.segment(~uint64_t{0} - 0xf, {1, 2, 3}, 0x100);
  expect_error(b.build(), "elf-bad-segment", "wraps");
}

TEST(ElfFile, SectionTableOutsideFile) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  poke<uint16_t>(bytes, offsetof(Elf64_Ehdr, e_shnum), 60000);
  expect_error(bytes, "elf-truncated", "section header table");
}

TEST(ElfFile, SymbolTableOutsideFile) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  uint64_t symtab_sh = layout.shoff + sizeof(Elf64_Shdr);
  poke<uint64_t>(bytes, symtab_sh + offsetof(Elf64_Shdr, sh_size), 0x100000 * sizeof(Elf64_Sym));
  expect_error(bytes, "elf-truncated", "symbol table");
}

TEST(ElfFile, SymbolTableWithWrongEntrySize) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  uint64_t symtab_sh = layout.shoff + sizeof(Elf64_Shdr);
  poke<uint64_t>(bytes, symtab_sh + offsetof(Elf64_Shdr, sh_entsize), 16);
  expect_error(bytes, "elf-bad-symtab", "entries");
}

TEST(ElfFile, SymbolTableLinkNotAStringTable) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  uint64_t symtab_sh = layout.shoff + sizeof(Elf64_Shdr);
  poke<uint32_t>(bytes, symtab_sh + offsetof(Elf64_Shdr, sh_link), 1);  // itself
  expect_error(bytes, "elf-bad-symtab", "string table");
  poke<uint32_t>(bytes, symtab_sh + offsetof(Elf64_Shdr, sh_link), 99);
  expect_error(bytes, "elf-bad-symtab", "string table");
}

TEST(ElfFile, SymbolNameOutsideStringTable) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  poke<uint32_t>(bytes, layout.symtab_offset + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_name),
                 100000);
  expect_error(bytes, "elf-bad-symtab", "symbol 1");
}

TEST(ElfFile, SymbolNameWithoutTerminator) {
  TestLayout layout;
  auto bytes = sample().build(&layout);
  // Remove the last NUL of the string table: "_start" then runs off its end.
  uint64_t strtab_sh = layout.shoff + 2 * sizeof(Elf64_Shdr);
  uint64_t size = 0;
  std::memcpy(&size, bytes.data() + strtab_sh + offsetof(Elf64_Shdr, sh_size), 8);
  poke<uint64_t>(bytes, strtab_sh + offsetof(Elf64_Shdr, sh_size), size - 1);
  expect_error(bytes, "elf-bad-symtab", "symbol 2");
}

// Every truncation of a valid file is an error, never a crash or a read
// past the end (ASan builds check the latter).
TEST(ElfFile, EveryTruncationIsRejectedCleanly) {
  auto full = sample().build();
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> bytes(full.begin(), full.begin() + n);
    Diagnostics d;
    auto f = parse_elf(bytes, "pd.elf", d);
    EXPECT_EQ(f.has_value(), !d.has_errors()) << n;
    if (!f) continue;
    for (const Segment& s : f->segments) EXPECT_LE(s.offset + s.filesz, n);
  }
}

TEST(ElfFile, ReadsARealExecutable) {
  Diagnostics d;
  auto f = read_elf("/proc/self/exe", d);
  ASSERT_TRUE(f) << render(d.all()[0]);
  EXPECT_TRUE(f->type == ET_EXEC || f->type == ET_DYN);
#if defined(__x86_64__)
  EXPECT_EQ(f->machine, EM_X86_64);
#elif defined(__aarch64__)
  EXPECT_EQ(f->machine, EM_AARCH64);
#endif
  EXPECT_FALSE(f->segments.empty());
  bool executable = false;
  for (const Segment& s : f->segments) executable |= s.executable();
  EXPECT_TRUE(executable);
  // Test binaries are not stripped: main is in the symbol table.
  const Symbol* main_sym = f->find_symbol("main");
  ASSERT_TRUE(main_sym);
  EXPECT_EQ(main_sym->type, STT_FUNC);
}

TEST(ElfFile, MissingFile) {
  Diagnostics d;
  EXPECT_FALSE(read_elf("/nonexistent/pd.elf", d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all()[0].id, "elf-io");
  EXPECT_EQ(d.all()[0].file, "/nonexistent/pd.elf");
}

}  // namespace
}  // namespace microkit::elf
