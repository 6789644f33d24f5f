#include "arch/x86_64/multiboot.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "support/text.h"

namespace microkit::arch::x86_64 {
namespace {

constexpr uint64_t kPage = 4096;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

template <class T>
void put(std::vector<uint8_t>& out, uint64_t offset, const T& v) {
  std::memcpy(out.data() + offset, &v, sizeof v);
}

void set_ident(unsigned char* ident, unsigned char elf_class) {
  std::memcpy(ident, ELFMAG, SELFMAG);
  ident[EI_CLASS] = elf_class;
  ident[EI_DATA] = ELFDATA2LSB;
  ident[EI_VERSION] = EV_CURRENT;
  ident[EI_OSABI] = ELFOSABI_SYSV;
}

bool fits_32(uint64_t v) { return v <= UINT32_MAX; }

}  // namespace

std::vector<uint8_t> boot_module_elf(uint64_t vaddr, uint64_t paddr, uint64_t entry,
                                     const std::vector<uint8_t>& bytes) {
  uint64_t filesz = bytes.size();
  while (filesz > 0 && bytes[filesz - 1] == 0) --filesz;
  Elf64_Ehdr eh{};
  set_ident(eh.e_ident, ELFCLASS64);
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_W | PF_X;
  ph.p_offset = kPage;  // page-aligned data: offset and vaddr agree modulo the page
  ph.p_vaddr = vaddr;
  ph.p_paddr = paddr;
  ph.p_filesz = filesz;
  ph.p_memsz = bytes.size();
  ph.p_align = kPage;
  std::vector<uint8_t> out(kPage + filesz, 0);
  put(out, 0, eh);
  put(out, eh.e_phoff, ph);
  std::copy_n(bytes.begin(), filesz, out.begin() + kPage);
  return out;
}

std::optional<std::vector<uint8_t>> kernel_elf32(const elf::ElfFile& kernel, Diagnostics& diags) {
  auto refuse = [&](const std::string& what) {
    diags.error("kernel-not-32-bit-loadable", kernel.path, {},
                "the kernel cannot be written as the ELF32 file a multiboot loader needs: " + what,
                "use an x86-64 seL4 kernel built for the pc99 platform (loaded below 4 GiB)");
    return std::nullopt;
  };
  if (!fits_32(kernel.entry)) return refuse("its entry point " + hex(kernel.entry) + " is above 4 GiB");
  Elf32_Ehdr eh{};
  set_ident(eh.e_ident, ELFCLASS32);
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_386;
  eh.e_version = EV_CURRENT;
  eh.e_entry = uint32_t(kernel.entry);
  eh.e_phoff = sizeof(Elf32_Ehdr);
  eh.e_ehsize = sizeof(Elf32_Ehdr);
  eh.e_phentsize = sizeof(Elf32_Phdr);
  eh.e_phnum = uint16_t(kernel.segments.size());
  // Size first: each segment's data at an offset congruent to its address
  // modulo the page, after the headers.
  std::vector<Elf32_Phdr> phdrs;
  uint64_t at = eh.e_phoff + kernel.segments.size() * sizeof(Elf32_Phdr);
  for (const elf::Segment& s : kernel.segments) {
    if (!fits_32(s.paddr + s.memsz)) return refuse("a segment at " + hex(s.paddr) + " ends above 4 GiB");
    at = align_up(at, kPage) + s.paddr % kPage;
    Elf32_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = uint32_t(at);
    ph.p_vaddr = ph.p_paddr = uint32_t(s.paddr);
    ph.p_filesz = uint32_t(s.filesz);
    ph.p_memsz = uint32_t(s.memsz);
    ph.p_flags = s.flags;
    ph.p_align = kPage;
    phdrs.push_back(ph);
    at += s.filesz;
  }
  if (!fits_32(at)) return refuse("it is larger than 4 GiB");
  // Then write.
  std::vector<uint8_t> out(at, 0);
  put(out, 0, eh);
  for (size_t i = 0; i < phdrs.size(); ++i) {
    put(out, eh.e_phoff + i * sizeof(Elf32_Phdr), phdrs[i]);
    auto data = kernel.segment_data(kernel.segments[i]);
    std::copy(data.begin(), data.end(), out.begin() + phdrs[i].p_offset);
  }
  return out;
}

}  // namespace microkit::arch::x86_64
