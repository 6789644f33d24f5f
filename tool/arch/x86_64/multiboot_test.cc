// The x86-64 multiboot files: the kernel as ELF32 (what QEMU's -kernel
// accepts) and the boot module ELF the kernel loads as the initial task.
// Both are parsed back field by field; the real kernel package's kernel is
// converted too when it is installed.
#include "arch/x86_64/multiboot.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "elf/test_elf_builder.h"
#include "kernel/test_facts.h"

namespace microkit::arch::x86_64 {
namespace {

using elf::testing::TestElfBuilder;
using elf::testing::TestSegment;

template <class T>
T read(const std::vector<uint8_t>& b, uint64_t off) {
  T t;
  std::memcpy(&t, b.data() + off, sizeof t);
  return t;
}

// Like seL4's x86-64 kernel: a low identity-mapped multiboot part, then the
// kernel proper linked at 0xffffffff80000000 + its physical address.
elf::ElfFile fake_kernel() {
  TestElfBuilder b;
  b.machine = EM_X86_64;
  b.entry = 0x100361;
  b.segments.push_back(TestSegment{0x100000, std::vector<uint8_t>(0x3af, 0x11), 0x8000, PF_R | PF_W});
  b.segments.push_back(TestSegment{0xffffffff801083af, std::vector<uint8_t>(0x100, 0x22), 0x609b01,
                                   PF_R | PF_W | PF_X, 0x1083af});
  Diagnostics d;
  auto e = elf::parse_elf(b.build(), "kernel.elf", d);
  EXPECT_TRUE(e);
  return e ? *e : elf::ElfFile{};
}

void expect_elf32_of(const elf::ElfFile& kernel, const std::vector<uint8_t>& out) {
  auto eh = read<Elf32_Ehdr>(out, 0);
  EXPECT_EQ(std::memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh.e_ident[EI_CLASS], ELFCLASS32);
  EXPECT_EQ(eh.e_ident[EI_DATA], ELFDATA2LSB);
  EXPECT_EQ(eh.e_machine, EM_386);
  EXPECT_EQ(eh.e_type, ET_EXEC);
  EXPECT_EQ(eh.e_entry, kernel.entry);
  ASSERT_EQ(eh.e_phnum, kernel.segments.size());
  for (size_t i = 0; i < kernel.segments.size(); ++i) {
    SCOPED_TRACE(i);
    const elf::Segment& s = kernel.segments[i];
    auto ph = read<Elf32_Phdr>(out, eh.e_phoff + i * sizeof(Elf32_Phdr));
    EXPECT_EQ(ph.p_type, PT_LOAD);
    EXPECT_EQ(ph.p_paddr, s.paddr);
    EXPECT_EQ(ph.p_vaddr, s.paddr);  // loaded and run with paging off
    EXPECT_EQ(ph.p_filesz, s.filesz);
    EXPECT_EQ(ph.p_memsz, s.memsz);
    EXPECT_EQ(ph.p_offset % 4096, s.paddr % 4096);
    ASSERT_LE(ph.p_offset + ph.p_filesz, out.size());
    auto data = kernel.segment_data(s);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin() + ph.p_offset));
  }
}

TEST(MultibootKernel, Elf32KeepsEntryAndPhysicalSegments) {
  elf::ElfFile kernel = fake_kernel();
  Diagnostics d;
  auto out = kernel_elf32(kernel, d);
  ASSERT_TRUE(out);
  expect_elf32_of(kernel, *out);
}

TEST(MultibootKernel, AddressesAbove4GiBAreRefused) {
  elf::ElfFile kernel = fake_kernel();
  kernel.segments[1].paddr = 0x100000000;
  Diagnostics d;
  EXPECT_FALSE(kernel_elf32(kernel, d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].id, "kernel-not-32-bit-loadable");
  EXPECT_EQ(d.all()[0].file, "kernel.elf");
}

TEST(MultibootKernel, RealKernelPackage) {
  std::string path = kernel::test_support::package_dir("x86_64_generic", "debug") + "/bin/kernel.elf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no x86_64_generic kernel package at " << path;
  Diagnostics d;
  auto kernel = elf::read_elf(path, d);
  ASSERT_TRUE(kernel);
  auto out = kernel_elf32(*kernel, d);
  ASSERT_TRUE(out);
  expect_elf32_of(*kernel, *out);
  // An independent reader agrees: binutils' readelf, when installed.
  if (std::system("readelf --version >/dev/null 2>&1") != 0) return;
  std::string file = testing::TempDir() + "sel4_32.elf";
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(out->data()), std::streamsize(out->size()));
  FILE* p = popen(("readelf -h " + file).c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) text += buf;
  EXPECT_EQ(pclose(p), 0) << text;
  EXPECT_NE(text.find("ELF32"), std::string::npos) << text;
  EXPECT_NE(text.find("Intel 80386"), std::string::npos) << text;
  char entry[64];
  std::snprintf(entry, sizeof entry, "Entry point address:               0x%llx",
                static_cast<unsigned long long>(kernel->entry));
  EXPECT_NE(text.find(entry), std::string::npos) << text;
}

TEST(MultibootModule, OneSegmentHoldsTheUserImage) {
  std::vector<uint8_t> image(0x3000, 0);
  image[0] = 0xeb;
  image[0x1234] = 0x55;  // the rest (past 0x1235) is zero: memsz, not file bytes
  auto out = boot_module_elf(0x400000, 0xa22000, 0x400010, image);
  Diagnostics d;
  auto e = elf::parse_elf(out, "loader.img", d);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->machine, EM_X86_64);
  EXPECT_EQ(e->entry, 0x400010u);
  ASSERT_EQ(e->segments.size(), 1u);
  const elf::Segment& s = e->segments[0];
  EXPECT_EQ(s.vaddr, 0x400000u);
  EXPECT_EQ(s.paddr, 0xa22000u);
  EXPECT_EQ(s.memsz, 0x3000u);
  EXPECT_EQ(s.filesz, 0x1235u);
  EXPECT_EQ(s.offset % 4096, 0u);
  auto data = e->segment_data(s);
  EXPECT_EQ(data[0], 0xeb);
  EXPECT_EQ(data[0x1234], 0x55);
}

}  // namespace
}  // namespace microkit::arch::x86_64
