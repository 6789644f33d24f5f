#include "sdf/guest_device_tree.h"

#include <gtest/gtest.h>

#include "support/file_bytes.h"

namespace microkit::sdf {
namespace {

std::vector<uint8_t> case_file(const std::string& name) {
  auto bytes = read_file_bytes(std::string(MICROKIT_SOURCE_DIR) + "/tests/sdf/cases/files/" + name);
  EXPECT_TRUE(bytes.has_value()) << name;
  return bytes.value_or(std::vector<uint8_t>{});
}

bool has(const std::vector<GuestRange>& ranges, const std::string& node, uint64_t start, uint64_t end) {
  for (const GuestRange& r : ranges)
    if (r.node == node && r.start == start && r.end == end) return true;
  return false;
}

// guest.dts: memory@40000000 of 256 MiB; the GIC's two reg entries; the PL011.
TEST(GuestDeviceTree, ReadsMemoryAndEveryRegEntryOfTheRootsChildren) {
  auto read = read_guest_device_tree(case_file("guest.dtb"));
  ASSERT_TRUE(std::holds_alternative<GuestMachine>(read)) << std::get<std::string>(read);
  const GuestMachine& m = std::get<GuestMachine>(read);
  ASSERT_EQ(m.memory.size(), 1u);
  EXPECT_TRUE(has(m.memory, "memory@40000000", 0x40000000, 0x50000000));
  EXPECT_TRUE(has(m.devices, "interrupt-controller@8000000", 0x8000000, 0x8001000));
  EXPECT_TRUE(has(m.devices, "interrupt-controller@8000000", 0x8010000, 0x8012000));
  EXPECT_TRUE(has(m.devices, "pl011@9000000", 0x9000000, 0x9001000));
  EXPECT_EQ(m.devices.size(), 3u);  // cpu@0 is below /cpus, and #size-cells 0 there
}

TEST(GuestDeviceTree, RefusesBytesThatAreNotADeviceTreeSayingWhy) {
  auto read = read_guest_device_tree(case_file("not-an-Image"));
  ASSERT_TRUE(std::holds_alternative<std::string>(read));
  EXPECT_EQ(std::get<std::string>(read), "no FDT magic (0xd00dfeed) at its start");
}

TEST(GuestDeviceTree, RefusesATruncatedDeviceTree) {
  std::vector<uint8_t> dtb = case_file("guest.dtb");
  dtb.resize(dtb.size() / 2);
  EXPECT_TRUE(std::holds_alternative<std::string>(read_guest_device_tree(dtb)));
}

// The input that sent Debian 12's libfdt into an endless walk: a property
// length that wraps a 32-bit offset back into the blob.
TEST(GuestDeviceTree, RefusesAPropertyLengthThatWouldWrapTheOffset) {
  std::vector<uint8_t> dtb = case_file("guest.dtb");
  ASSERT_GT(dtb.size(), 64u);
  size_t structure = size_t(dtb[8]) << 24 | size_t(dtb[9]) << 16 | size_t(dtb[10]) << 8 | dtb[11];
  size_t prop = structure;
  while (prop + 8 < dtb.size() && !(dtb[prop] == 0 && dtb[prop + 1] == 0 && dtb[prop + 2] == 0 && dtb[prop + 3] == 3))
    prop += 4;
  ASSERT_LT(prop + 8, dtb.size());
  for (int i = 0; i < 4; ++i) dtb[prop + 4 + i] = 0xff;  // len 0xffffffff
  auto read = read_guest_device_tree(dtb);
  ASSERT_TRUE(std::holds_alternative<std::string>(read));
  EXPECT_EQ(std::get<std::string>(read), "a property's value runs past the end");
}

TEST(GuestDeviceTree, RefusesNothing) {
  EXPECT_TRUE(std::holds_alternative<std::string>(read_guest_device_tree({})));
}

}  // namespace
}  // namespace microkit::sdf
