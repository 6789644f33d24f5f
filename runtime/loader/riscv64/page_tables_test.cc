// Host tests of the Sv39 boot page table (runtime/loader/riscv64/page_tables.h)
// with the QEMU virt RISC-V / seL4 16.0.0 numbers: kernel ELF at physical
// 0x8020_0000, virtual 0xffff_ffff_8020_0000; loader at 0x9000_0000;
// NS16550 at 0x1000_0000.
#include "runtime/loader/riscv64/page_tables.h"

#include <gtest/gtest.h>

#include <memory>

namespace microkit::loader::riscv64 {
namespace {

MapRequest qemu_virt() {
  MapRequest m;
  m.identity_memory = {0x90000000, 0x90400000};
  m.identity_device = {0x10000000, 0x10001000};
  m.kernel = {0x80200000, 0x80238000};
  m.kernel_virt_offset = 0xffffffff00000000;
  return m;
}

TEST(Sv39Tables, QemuVirt) {
  auto t = std::make_unique<BootTables>();
  ASSERT_EQ(build_boot_tables(*t, qemu_virt()), nullptr);
  // The kernel window: VPN[2] of 0xffffffff80200000 is 510, mapping GiB 2.
  EXPECT_EQ(root_index(0xffffffff80200000), 510u);
  EXPECT_EQ(t->root[510], gigapage(0x80000000, kMemoryLeaf));
  // The image's GiB (2) identity-mapped, executable; the UART's (0) not.
  EXPECT_EQ(t->root[2], gigapage(0x80000000, kMemoryLeaf));
  EXPECT_EQ(t->root[0], gigapage(0, kDeviceLeaf));
  EXPECT_EQ(t->root[0] & kPteX, 0u);
  int used = 0;
  for (uint64_t e : t->root) used += e != 0;
  EXPECT_EQ(used, 3);
}

TEST(Sv39Tables, LeafEncoding) {
  // PPN of 0x80000000 is 0x80000, at bit 10: 0x20000000, plus V R W X A D.
  EXPECT_EQ(gigapage(0x80000000, kMemoryLeaf), 0x200000cfull);
  EXPECT_EQ(leaf_paddr(gigapage(0xc0000000, kDeviceLeaf)), 0xc0000000u);
  EXPECT_EQ(satp_for(0x90003000), (8ull << 60) | 0x90003);
}

TEST(Sv39Tables, Canonical) {
  EXPECT_TRUE(is_canonical(0xffffffff80200000));
  EXPECT_TRUE(is_canonical(0x0000003fffffffff));
  EXPECT_FALSE(is_canonical(0x0000004000000000));
  EXPECT_FALSE(is_canonical(0xffff800000000000));
}

TEST(Sv39Tables, KernelAcrossTwoGiB) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel = {0xbff00000, 0xc0100000};
  ASSERT_EQ(build_boot_tables(*t, m), nullptr);
  EXPECT_EQ(t->root[510], gigapage(0x80000000, kMemoryLeaf));
  EXPECT_EQ(t->root[511], gigapage(0xc0000000, kMemoryLeaf));
}

TEST(Sv39Tables, RefusesUnalignedWindow) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel_virt_offset += 0x200000;
  EXPECT_STREQ(build_boot_tables(*t, m), "the kernel window offset is not a multiple of 1 GiB");
}

TEST(Sv39Tables, RefusesNonCanonicalWindow) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel_virt_offset = 0x0000100000000000;
  EXPECT_STREQ(build_boot_tables(*t, m), "the kernel window is not a valid Sv39 address range");
}

TEST(Sv39Tables, RefusesWindowOnIdentitySlot) {
  // A window whose slot is the image's GiB but maps another GiB.
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel = {0x40000000, 0x40100000};
  m.kernel_virt_offset = 0x40000000;  // virtual GiB 2, physical GiB 1
  EXPECT_STREQ(build_boot_tables(*t, m),
               "the kernel window and an identity mapping need the same 1 GiB slot");
}

TEST(Sv39Tables, RefusesIdentityAboveLowerHalf) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.identity_memory = {0x4000000000, 0x4000001000};
  EXPECT_STREQ(build_boot_tables(*t, m),
               "an identity-mapped range lies above 256 GiB (outside Sv39's lower half)");
}

}  // namespace
}  // namespace microkit::loader::riscv64
