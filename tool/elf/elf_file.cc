// ElfFile reading: every offset and size is checked against the file before
// it is used, with overflow-safe arithmetic, so that the rest of the tool can
// index `bytes` through a Segment or Symbol without further checks.

#include "elf/elf_file.h"
#include "support/file_bytes.h"
#include "support/text.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace microkit::elf {

const Symbol* ElfFile::find_symbol(std::string_view name) const {
  // A global definition wins over a local one of the same name (a static
  // variable in another translation unit must not capture a setvar).
  const Symbol* local = nullptr;
  for (const Symbol& s : symbols) {
    if (s.name != name) continue;
    if (s.bind != STB_LOCAL) return &s;
    if (!local) local = &s;
  }
  return local;
}

std::span<const uint8_t> ElfFile::segment_data(const Segment& s) const {
  return std::span<const uint8_t>(bytes).subspan(s.offset, s.filesz);
}

std::optional<uint64_t> ElfFile::file_offset_of(uint64_t vaddr, uint64_t size) const {
  for (const Segment& s : segments) {
    if (vaddr < s.vaddr) continue;
    uint64_t delta = vaddr - s.vaddr;
    if (delta > s.filesz || size > s.filesz - delta) continue;
    return s.offset + delta;
  }
  return std::nullopt;
}

namespace {

// True when [offset, offset + size) lies inside a file of `file_size` bytes.
bool fits(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

// True when count * entry_size does not overflow; stores it in *total.
bool table_size(uint64_t count, uint64_t entry_size, uint64_t* total) {
  return !__builtin_mul_overflow(count, entry_size, total);
}

template <typename T>
T read_struct(const std::vector<uint8_t>& bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));  // unaligned-safe
  return value;
}


// The context of one parse: the file, its name and the diagnostics sink.
struct Reader {
  const std::vector<uint8_t>& bytes;
  const std::string& path;
  Diagnostics& diags;

  void error(std::string id, std::string message, std::string hint = {}) {
    diags.error(std::move(id), path, {}, std::move(message), std::move(hint));
  }
};

bool check_ident(Reader& r) {
  const auto& b = r.bytes;
  if (b.size() < SELFMAG || std::memcmp(b.data(), ELFMAG, SELFMAG) != 0) {
    r.error("elf-bad-magic", "not an ELF file (it does not start with \\x7fELF)",
            "give the linked program (an ELF executable), not a source, object archive or image");
    return false;
  }
  if (b.size() < EI_NIDENT) {
    r.error("elf-truncated", "the file ends inside the ELF identification bytes");
    return false;
  }
  if (b[EI_CLASS] != ELFCLASS64) {
    r.error("elf-unsupported",
            b[EI_CLASS] == ELFCLASS32 ? "32-bit ELF files are not supported"
                                      : "unknown ELF class " + std::to_string(b[EI_CLASS]),
            "build the program for a 64-bit target (aarch64, riscv64 or x86_64)");
    return false;
  }
  if (b[EI_DATA] != ELFDATA2LSB) {
    r.error("elf-unsupported",
            b[EI_DATA] == ELFDATA2MSB ? "big-endian ELF files are not supported"
                                      : "unknown ELF data encoding " + std::to_string(b[EI_DATA]),
            "build the program for a little-endian target");
    return false;
  }
  if (b[EI_VERSION] != EV_CURRENT) {
    r.error("elf-bad-header", "unknown ELF version " + std::to_string(b[EI_VERSION]));
    return false;
  }
  return true;
}

std::optional<Elf64_Ehdr> read_header(Reader& r) {
  if (!check_ident(r)) return std::nullopt;
  if (r.bytes.size() < sizeof(Elf64_Ehdr)) {
    r.error("elf-truncated", "the file ends inside the ELF header (" +
                                 std::to_string(r.bytes.size()) + " bytes)");
    return std::nullopt;
  }
  auto eh = read_struct<Elf64_Ehdr>(r.bytes, 0);
  if (eh.e_version != EV_CURRENT) {
    r.error("elf-bad-header", "unknown ELF version " + std::to_string(eh.e_version));
    return std::nullopt;
  }
  if (eh.e_phnum != 0 && eh.e_phentsize != sizeof(Elf64_Phdr)) {
    r.error("elf-bad-header", "program header entries are " + std::to_string(eh.e_phentsize) +
                                  " bytes; 64-bit ELF needs " + std::to_string(sizeof(Elf64_Phdr)));
    return std::nullopt;
  }
  if (eh.e_phnum == PN_XNUM) {
    r.error("elf-unsupported", "more than 65534 program headers (extended numbering)");
    return std::nullopt;
  }
  return eh;
}

bool read_segments(Reader& r, const Elf64_Ehdr& eh, ElfFile& out) {
  uint64_t table = 0;
  if (!table_size(eh.e_phnum, sizeof(Elf64_Phdr), &table) ||
      !fits(eh.e_phoff, table, r.bytes.size())) {
    r.error("elf-truncated", "the program header table (" + std::to_string(eh.e_phnum) +
                                 " entries at offset " + hex(eh.e_phoff) +
                                 ") runs past the end of the file");
    return false;
  }
  bool ok = true;
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    auto ph = read_struct<Elf64_Phdr>(r.bytes, eh.e_phoff + uint64_t{i} * sizeof(Elf64_Phdr));
    if (ph.p_type == PT_INTERP) out.has_interpreter = true;
    if (ph.p_type == PT_DYNAMIC) out.has_dynamic = true;
    if (ph.p_type != PT_LOAD) continue;
    std::string which = "loadable segment " + std::to_string(i);
    if (!fits(ph.p_offset, ph.p_filesz, r.bytes.size())) {
      r.error("elf-truncated", which + " (" + hex(ph.p_filesz) + " bytes at offset " +
                                   hex(ph.p_offset) + ") runs past the end of the file");
      ok = false;
      continue;
    }
    if (ph.p_filesz > ph.p_memsz) {
      r.error("elf-bad-segment", which + " has more file bytes (" + hex(ph.p_filesz) +
                                     ") than memory bytes (" + hex(ph.p_memsz) + ")");
      ok = false;
      continue;
    }
    uint64_t end = 0;
    if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &end) ||
        __builtin_add_overflow(ph.p_paddr, ph.p_memsz, &end)) {
      r.error("elf-bad-segment", which + " at " + hex(ph.p_vaddr) + " wraps around the address space");
      ok = false;
      continue;
    }
    out.segments.push_back(Segment{ph.p_vaddr, ph.p_paddr, ph.p_offset, ph.p_filesz, ph.p_memsz,
                                   ph.p_flags});
  }
  return ok;
}

// The section header table, or nothing when the file has none.
std::optional<std::vector<Elf64_Shdr>> read_sections(Reader& r, const Elf64_Ehdr& eh) {
  std::vector<Elf64_Shdr> sections;
  if (eh.e_shoff == 0) return sections;
  if (eh.e_shentsize != sizeof(Elf64_Shdr)) {
    r.error("elf-bad-header", "section header entries are " + std::to_string(eh.e_shentsize) +
                                  " bytes; 64-bit ELF needs " + std::to_string(sizeof(Elf64_Shdr)));
    return std::nullopt;
  }
  if (!fits(eh.e_shoff, sizeof(Elf64_Shdr), r.bytes.size())) {
    r.error("elf-truncated", "the section header table at offset " + hex(eh.e_shoff) +
                                 " runs past the end of the file");
    return std::nullopt;
  }
  // With 0xff00 or more sections, e_shnum is 0 and section 0 holds the count.
  uint64_t count = eh.e_shnum;
  if (count == 0) count = read_struct<Elf64_Shdr>(r.bytes, eh.e_shoff).sh_size;
  uint64_t table = 0;
  if (!table_size(count, sizeof(Elf64_Shdr), &table) || !fits(eh.e_shoff, table, r.bytes.size())) {
    r.error("elf-truncated", "the section header table (" + std::to_string(count) +
                                 " entries at offset " + hex(eh.e_shoff) +
                                 ") runs past the end of the file");
    return std::nullopt;
  }
  sections.reserve(count);
  for (uint64_t i = 0; i < count; ++i)
    sections.push_back(read_struct<Elf64_Shdr>(r.bytes, eh.e_shoff + i * sizeof(Elf64_Shdr)));
  return sections;
}

// A string table section's bytes, checked to lie inside the file.
std::optional<std::string_view> string_table(Reader& r, const std::vector<Elf64_Shdr>& sections,
                                             uint64_t index) {
  if (index >= sections.size() || sections[index].sh_type != SHT_STRTAB) {
    r.error("elf-bad-symtab", "the symbol table's string table (section " +
                                  std::to_string(index) + ") is not a string table");
    return std::nullopt;
  }
  const Elf64_Shdr& s = sections[index];
  if (!fits(s.sh_offset, s.sh_size, r.bytes.size())) {
    r.error("elf-truncated", "the string table (section " + std::to_string(index) +
                                 ") runs past the end of the file");
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(r.bytes.data()) + s.sh_offset, s.sh_size);
}

// The NUL-terminated name at `offset`, if it ends inside the table.
std::optional<std::string> name_at(std::string_view strtab, uint64_t offset) {
  if (offset >= strtab.size()) return std::nullopt;
  size_t end = strtab.find('\0', offset);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(strtab.substr(offset, end - offset));
}

bool read_symbols(Reader& r, const std::vector<Elf64_Shdr>& sections, ElfFile& out) {
  const Elf64_Shdr* symtab = nullptr;
  for (const Elf64_Shdr& s : sections)
    if (s.sh_type == SHT_SYMTAB) { symtab = &s; break; }
  if (!symtab) return true;  // stripped: callers that need a symbol say so
  if (symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_size % sizeof(Elf64_Sym) != 0) {
    r.error("elf-bad-symtab", "symbol table entries are " + std::to_string(symtab->sh_entsize) +
                                  " bytes; 64-bit ELF needs " + std::to_string(sizeof(Elf64_Sym)));
    return false;
  }
  if (!fits(symtab->sh_offset, symtab->sh_size, r.bytes.size())) {
    r.error("elf-truncated", "the symbol table (" + hex(symtab->sh_size) + " bytes at offset " +
                                 hex(symtab->sh_offset) + ") runs past the end of the file");
    return false;
  }
  auto strtab = string_table(r, sections, symtab->sh_link);
  if (!strtab) return false;
  uint64_t count = symtab->sh_size / sizeof(Elf64_Sym);
  out.symbols.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    auto sym = read_struct<Elf64_Sym>(r.bytes, symtab->sh_offset + i * sizeof(Elf64_Sym));
    auto name = name_at(*strtab, sym.st_name);
    if (!name) {
      r.error("elf-bad-symtab", "symbol " + std::to_string(i) + " has a name at offset " +
                                    hex(sym.st_name) + " that is not a terminated string of the string table");
      return false;
    }
    out.symbols.push_back(Symbol{std::move(*name), sym.st_value, sym.st_size,
                                 static_cast<uint8_t>(ELF64_ST_TYPE(sym.st_info)),
                                 static_cast<uint8_t>(ELF64_ST_BIND(sym.st_info)), sym.st_shndx});
  }
  return true;
}

}  // namespace

std::optional<ElfFile> parse_elf(std::vector<uint8_t> bytes, const std::string& path,
                                 Diagnostics& diags) {
  // 1. identification and header; 2. loadable segments; 3. section headers;
  // 4. the symbol table and its strings. Each step only reads what the
  // previous ones proved to be inside the file.
  Reader r{bytes, path, diags};
  auto eh = read_header(r);
  if (!eh) return std::nullopt;
  ElfFile out;
  out.path = path;
  out.machine = eh->e_machine;
  out.type = eh->e_type;
  out.entry = eh->e_entry;
  bool ok = read_segments(r, *eh, out);
  auto sections = read_sections(r, *eh);
  ok = sections && read_symbols(r, *sections, out) && ok;
  if (!ok) return std::nullopt;
  out.bytes = std::move(bytes);
  return out;
}

std::optional<ElfFile> read_elf(const std::string& path, Diagnostics& diags) {
  auto bytes = read_file_bytes(path);
  if (!bytes) {
    diags.error("elf-io", path, {}, "cannot read the ELF file",
                "check that the file exists, is a regular file and is readable");
    return std::nullopt;
  }
  return parse_elf(std::move(*bytes), path, diags);
}

}  // namespace microkit::elf
