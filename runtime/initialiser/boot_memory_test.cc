// Host tests of boot_memory.h: a bound untyped takes the first RAM untyped
// with room, aligned as the kernel aligns it; a device untyped lands at its
// exact address behind padding that wastes nothing; and the account says
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
  auto at() {
    return [this](uint64_t i) { return list[i]; };
  }
  int64_t ram(uint32_t bits) { return carve_ram(list.size(), used.data(), bits, at()); }
  DeviceCarve device(uint64_t paddr, uint32_t bits) {
    return carve_device(list.size(), used.data(), paddr, bits, at());
  }
};

TEST(BootMemory, RamFromTheFirstUntypedWithRoomInBootinfoOrder) {
  Kernel k{{untyped(0xfe000000, 24, true), untyped(0x1000, 12, false), untyped(0x10000, 16, false)}};
  EXPECT_EQ(k.ram(12), 1);  // the device untyped is skipped although larger
  EXPECT_EQ(k.ram(12), 2);  // untyped 1 is full
  EXPECT_EQ(k.used[2], 0x1000u);
  EXPECT_EQ(k.ram(14), 2);  // aligned up to 0x4000 as the kernel does
  EXPECT_EQ(k.used[2], 0x8000u);
  EXPECT_EQ(k.ram(16), -1);  // no untyped has 64 KiB left
  EXPECT_EQ(k.ram(15), 2);   // but exactly 32 KiB at 0x8000
  EXPECT_EQ(k.used[2], 0x10000u);
  EXPECT_EQ(k.ram(4), -1);
  EXPECT_EQ(k.ram(64), -1);
}

TEST(BootMemory, DeviceAtItsAddressBehindExactPadding) {
  Kernel k{{untyped(0x100000, 20, false), untyped(0xfe000000, 24, true)}};
  DeviceCarve c = k.device(0xfe0c3000, 12);
  ASSERT_EQ(c.index, 1);
  // Padding from offset 0 to 0xc3000: 512 KiB, 256 KiB, 4 KiB, 8 KiB... each
  // aligned at its own offset; the sizes must add up to the offset exactly.
  uint64_t offset = 0;
  for (uint64_t i = 0; i < c.pad_count; ++i) {
    uint64_t size = uint64_t{1} << c.pad_bits[i];
    EXPECT_EQ(offset % size, 0u) << i;
    offset += size;
  }
  EXPECT_EQ(offset, 0xc3000u);
  EXPECT_EQ(k.used[1], 0xc4000u);
  // The next device carve above continues from the watermark: no padding.
  c = k.device(0xfe0c4000, 14);
  EXPECT_EQ(c.index, 1);
  EXPECT_EQ(c.pad_count, 0u);
  // Below the watermark, outside every device untyped, or unaligned: refused.
  EXPECT_EQ(k.device(0xfe000000, 12).index, -1);
  EXPECT_EQ(k.device(0xff000000, 12).index, -1);
  EXPECT_EQ(k.device(0x100000, 12).index, -1);  // RAM, not device
  EXPECT_EQ(k.device(0xfe100800, 12).index, -1);
}

TEST(BootMemory, PaddingPlanIsMinimalForPowersOfTwo) {
  DeviceCarve c;
  ASSERT_TRUE(plan_padding(0, 0x400000, c));
  EXPECT_EQ(c.pad_count, 1u);
  EXPECT_EQ(c.pad_bits[0], 22);
  c = DeviceCarve{};
  EXPECT_FALSE(plan_padding(8, 0x1000, c));  // below the kernel's 16-byte granule
}

}  // namespace
}  // namespace microkit::initialiser
