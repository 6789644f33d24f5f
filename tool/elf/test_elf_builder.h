// TestElfBuilder: lays out a small, valid 64-bit little-endian ELF file in
// memory, for tests and fuzz seeds (the project checks in no binaries).
//
// Layout: ELF header, program headers, each segment's bytes (at an offset
// congruent to its vaddr modulo 16, as a loader expects), .strtab, .symtab,
// .shstrtab, then the section headers [null, .symtab, .strtab, .shstrtab].
// The result is what a linker would give for a static executable; tests then
// damage single fields through the offsets this builder reports.
// Header-only so that tests in any component (and the fuzz seed generator)
// can use it without it being part of the tool library.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace microkit::elf::testing {

struct TestSegment {
  uint64_t vaddr = 0;
  std::vector<uint8_t> data;
  uint64_t memsz = 0;  // 0: the size of data
  uint32_t flags = PF_R;
  uint64_t paddr = ~uint64_t{0};  // ~0: same as vaddr
  uint32_t p_type = PT_LOAD;       // e.g. PT_INTERP, PT_DYNAMIC for a dynamically linked program
};

struct TestSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = STT_OBJECT;
  uint8_t bind = STB_GLOBAL;
  uint16_t section = SHN_ABS;
};

// Where the builder put things, so tests can corrupt them.
struct TestLayout {
  uint64_t phoff = 0;
  std::vector<uint64_t> segment_offsets;
  uint64_t strtab_offset = 0;
  uint64_t symtab_offset = 0;
  uint64_t shoff = 0;
};

class TestElfBuilder {
 public:
  uint16_t machine = EM_AARCH64;
  uint16_t type = ET_EXEC;
  uint64_t entry = 0;
  std::vector<TestSegment> segments;
  std::vector<TestSymbol> symbols;
  bool with_sections = true;

  TestElfBuilder& segment(uint64_t vaddr, std::vector<uint8_t> data, uint64_t memsz = 0,
                          uint32_t flags = PF_R | PF_W) {
    segments.push_back(TestSegment{vaddr, std::move(data), memsz, flags});
    return *this;
  }
  TestElfBuilder& symbol(std::string name, uint64_t value, uint64_t size = 8) {
    symbols.push_back(TestSymbol{std::move(name), value, size});
    return *this;
  }

  std::vector<uint8_t> build(TestLayout* layout_out = nullptr) const {
    std::vector<uint8_t> out(sizeof(Elf64_Ehdr));
    TestLayout layout;
    layout.phoff = out.size();
    out.resize(out.size() + segments.size() * sizeof(Elf64_Phdr));
    for (const TestSegment& s : segments) {
      while (out.size() % 16 != s.vaddr % 16) out.push_back(0);
      layout.segment_offsets.push_back(out.size());
      out.insert(out.end(), s.data.begin(), s.data.end());
    }
    write_phdrs(out, layout);
    if (with_sections) write_sections(out, layout);
    write_ehdr(out, layout);
    if (layout_out) *layout_out = layout;
    return out;
  }

 private:
  template <typename T>
  static void put(std::vector<uint8_t>& out, uint64_t offset, const T& value) {
    std::memcpy(out.data() + offset, &value, sizeof(T));
  }
  template <typename T>
  static uint64_t append(std::vector<uint8_t>& out, const T& value) {
    while (out.size() % 8) out.push_back(0);
    uint64_t at = out.size();
    out.resize(at + sizeof(T));
    put(out, at, value);
    return at;
  }

  void write_phdrs(std::vector<uint8_t>& out, const TestLayout& layout) const {
    for (size_t i = 0; i < segments.size(); ++i) {
      const TestSegment& s = segments[i];
      Elf64_Phdr ph{};
      ph.p_type = s.p_type;
      ph.p_flags = s.flags;
      ph.p_offset = layout.segment_offsets[i];
      ph.p_vaddr = s.vaddr;
      ph.p_paddr = s.paddr == ~uint64_t{0} ? s.vaddr : s.paddr;
      ph.p_filesz = s.data.size();
      ph.p_memsz = s.memsz ? s.memsz : s.data.size();
      ph.p_align = 16;
      put(out, layout.phoff + i * sizeof(Elf64_Phdr), ph);
    }
  }

  void write_sections(std::vector<uint8_t>& out, TestLayout& layout) const {
    std::string strtab(1, '\0');
    std::vector<uint32_t> names;
    for (const TestSymbol& s : symbols) {
      names.push_back(strtab.size());
      strtab += s.name + '\0';
    }
    layout.strtab_offset = out.size();
    out.insert(out.end(), strtab.begin(), strtab.end());
    while (out.size() % 8) out.push_back(0);
    layout.symtab_offset = out.size();
    append(out, Elf64_Sym{});  // symbol 0 is the null symbol
    for (size_t i = 0; i < symbols.size(); ++i) {
      Elf64_Sym sym{};
      sym.st_name = names[i];
      sym.st_info = ELF64_ST_INFO(symbols[i].bind, symbols[i].type);
      sym.st_shndx = symbols[i].section;
      sym.st_value = symbols[i].value;
      sym.st_size = symbols[i].size;
      append(out, sym);
    }
    uint64_t symtab_size = out.size() - layout.symtab_offset;
    const std::string shstrtab = std::string("\0.symtab\0.strtab\0.shstrtab\0", 27);
    uint64_t shstrtab_offset = out.size();
    out.insert(out.end(), shstrtab.begin(), shstrtab.end());
    while (out.size() % 8) out.push_back(0);
    layout.shoff = out.size();
    append(out, Elf64_Shdr{});
    append(out, section(1, SHT_SYMTAB, layout.symtab_offset, symtab_size, 2, sizeof(Elf64_Sym)));
    append(out, section(9, SHT_STRTAB, layout.strtab_offset, strtab.size(), 0, 0));
    append(out, section(17, SHT_STRTAB, shstrtab_offset, shstrtab.size(), 0, 0));
  }

  static Elf64_Shdr section(uint32_t name, uint32_t type, uint64_t offset, uint64_t size,
                            uint32_t link, uint64_t entsize) {
    Elf64_Shdr sh{};
    sh.sh_name = name;
    sh.sh_type = type;
    sh.sh_offset = offset;
    sh.sh_size = size;
    sh.sh_link = link;
    sh.sh_info = 1;  // index of the first non-local symbol (all but the null one are global)
    sh.sh_addralign = 8;
    sh.sh_entsize = entsize;
    return sh;
  }

  void write_ehdr(std::vector<uint8_t>& out, const TestLayout& layout) const {
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = type;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_entry = entry;
    eh.e_phoff = segments.empty() ? 0 : layout.phoff;
    eh.e_shoff = with_sections ? layout.shoff : 0;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = segments.size();
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = with_sections ? 4 : 0;
    eh.e_shstrndx = with_sections ? 3 : SHN_UNDEF;
    put(out, 0, eh);
  }
};

}  // namespace microkit::elf::testing
