// Host tests of boot_memory.h: an UntypedFromBoot step takes the first RAM
// untyped with room, aligned as the kernel aligns it, and the account says
// no when nothing fits.
#include "runtime/initialiser/boot_memory.h"

#include <gtest/gtest.h>

#include <vector>

namespace microkit::initialiser {
namespace {

spec::ExpectedUntyped untyped(uint64_t paddr, uint8_t size_bits, bool device) {
  spec::ExpectedUntyped u{};
  u.paddr = paddr;
  u.size_bits = size_bits;
  u.is_device = device ? 1 : 0;
  return u;
}

struct Kernel {
  std::vector<spec::ExpectedUntyped> list;
  std::vector<uint64_t> used = std::vector<uint64_t>(list.size());
  int64_t carve(uint32_t bits) {
    return carve_from_boot_memory(list.size(), used.data(), bits, [this](uint64_t i) { return list[i]; });
  }
};

TEST(BootMemory, FirstRamUntypedWithRoomInBootinfoOrder) {
  Kernel k{{untyped(0xfe000000, 24, true), untyped(0x1000, 12, false), untyped(0x10000, 16, false)}};
  EXPECT_EQ(k.carve(12), 1);  // the device untyped is skipped although larger
  EXPECT_EQ(k.carve(12), 2);  // untyped 1 is full
  EXPECT_EQ(k.used[2], 0x1000u);
  EXPECT_EQ(k.carve(14), 2);  // aligned up to 0x4000 as the kernel does
  EXPECT_EQ(k.used[2], 0x8000u);
  EXPECT_EQ(k.carve(16), -1);  // no untyped has 64 KiB left
  EXPECT_EQ(k.carve(15), 2);   // but exactly 32 KiB at 0x8000
  EXPECT_EQ(k.used[2], 0x10000u);
  EXPECT_EQ(k.carve(4), -1);
}

TEST(BootMemory, NothingLargerThanAnUntypedOrOutOfRange) {
  Kernel k{{untyped(0x100000, 20, false)}};
  EXPECT_EQ(k.carve(21), -1);
  EXPECT_EQ(k.carve(64), -1);
  EXPECT_EQ(k.carve(20), 0);
  EXPECT_EQ(k.carve(20), -1);
}

}  // namespace
}  // namespace microkit::initialiser
