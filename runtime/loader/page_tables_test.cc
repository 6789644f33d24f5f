// Host tests of the boot page tables (runtime/loader/aarch64/page_tables.h),
// with the QEMU virt / hypervisor seL4 16.0.0 numbers.
#include "runtime/loader/aarch64/page_tables.h"

#include <gtest/gtest.h>

#include <memory>

namespace microkit::loader {
namespace {

constexpr uint64_t kTables = 0x70010000;  // pretend physical address

MapRequest qemu_virt() {
  MapRequest m{};
  m.identity_normal = {0x70000000, 0x70400000};
  m.identity_device = {0x09000000, 0x09001000};
  m.kernel = {0x60000000, 0x60250000};
  m.kernel_virt_offset = 0x8000000000;
  m.el2 = true;
  return m;
}

TEST(PageTables, MairAndTcrMatchSel4) {
  EXPECT_EQ(kTcrEl2, 0x80823510u);
  EXPECT_EQ((kMair >> (8 * static_cast<int>(MemoryType::Normal))) & 0xff, 0xffu);
  EXPECT_EQ((kMair >> (8 * static_cast<int>(MemoryType::Device))) & 0xff, 0x00u);
}

TEST(PageTables, QemuVirtHypervisorKernel) {
  auto t = std::make_unique<BootTables>();
  ASSERT_EQ(build_boot_tables(*t, kTables, qemu_virt()), nullptr);
  // Level 0: identity in slot 0, the kernel window (0x80_0000_0000) in slot 1.
  EXPECT_EQ(t->l0[0], (kTables + 4096) | 3);
  EXPECT_EQ(t->l0[1], (kTables + 8192) | 3);
  EXPECT_EQ(t->l0[2], 0u);
  // Identity: GiB 0 is the UART (device, never executable), GiB 1 the image.
  EXPECT_EQ(t->low[0], 0x0ull | 1 | kDescAF | 0 << 2 | kDescXN | kDescPXN | kDescAP1);
  EXPECT_EQ(t->low[1], 0x40000000ull | 1 | kDescAF | 4 << 2 | kDescInnerShare | kDescAP1);
  EXPECT_EQ(t->low[2], 0u);
  // Kernel window: virtual 0x80_4000_0000 -> physical 0x4000_0000.
  EXPECT_EQ(t->high[1], t->low[1]);
  EXPECT_EQ(t->high[0], 0u);
  EXPECT_EQ(t->high[2], 0u);
}

TEST(PageTables, El1BlocksLeaveAp1Clear) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.el2 = false;
  ASSERT_EQ(build_boot_tables(*t, kTables, m), nullptr);
  EXPECT_EQ(t->low[1] & kDescAP1, 0u);
}

TEST(PageTables, El1KernelWindowUsesTheTopSlot) {
  // A non-hypervisor seL4 links at 0xffff_ff80_6000_0000; TTBR1_EL1 shares
  // the level-0 table, whose slot 511 then holds the window.
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.el2 = false;
  m.kernel_virt_offset = 0xffffff8000000000;
  ASSERT_EQ(build_boot_tables(*t, kTables, m), nullptr);
  EXPECT_EQ(t->l0[0], (kTables + 4096) | 3);
  EXPECT_EQ(t->l0[511], (kTables + 8192) | 3);
  EXPECT_EQ(t->high[l1_index(0xffffff8060000000)], t->low[1]);
  EXPECT_EQ(l1_index(0xffffff8060000000), 1u);
}

TEST(PageTables, RangeSpanningGiBsMapsEach) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel = {0x7ff00000, 0x80100000};
  ASSERT_EQ(build_boot_tables(*t, kTables, m), nullptr);
  EXPECT_EQ(t->high[1] & ~0xfffull & ((1ull << 48) - 1), 0x40000000u);
  EXPECT_EQ(t->high[2] & ~0xfffull & ((1ull << 48) - 1), 0x80000000u);
}

TEST(PageTables, RejectsUartInTheLoadersGiB) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.identity_device = {0x7f000000, 0x7f001000};
  EXPECT_STREQ(build_boot_tables(*t, kTables, m),
               "the UART shares a 1 GiB block with the loader's memory");
}

TEST(PageTables, RejectsUnalignedKernelWindow) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel_virt_offset = 0x8000200000;
  EXPECT_STREQ(build_boot_tables(*t, kTables, m),
               "the kernel window offset is not 1 GiB aligned");
}

TEST(PageTables, RejectsKernelWindowInIdentitySlot) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel_virt_offset = 0x4000000000;  // 256 GiB: still level-0 slot 0
  EXPECT_STREQ(build_boot_tables(*t, kTables, m),
               "the kernel window overlaps the identity map's 512 GiB slot");
}

TEST(PageTables, RejectsEmptyRange) {
  auto t = std::make_unique<BootTables>();
  MapRequest m = qemu_virt();
  m.kernel = {0x60000000, 0x60000000};
  EXPECT_STREQ(build_boot_tables(*t, kTables, m), "a range to map is empty");
}

}  // namespace
}  // namespace microkit::loader
