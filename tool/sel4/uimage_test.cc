// Tests for the U-Boot legacy image writer: every header field, both CRCs
// recomputed independently of the writer's header, and the address limit.
#include "sel4/uimage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace microkit::sel4 {
namespace {

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

TEST(Uimage, Crc32MatchesTheStandardCheckValue) {
  // The CRC-32 check value of the nine ASCII digits (zlib, U-Boot, PNG).
  const char* digits = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(digits), 9), 0xCBF43926u);
  EXPECT_EQ(crc32(nullptr, 0), 0u);
}

TEST(Uimage, HeaderFieldsAreBigEndianAndPayloadFollows) {
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i * 7);
  Diagnostics diags;
  auto img = write_uimage(payload, {kUimageArchArm64, 0x70000000, "hello"}, diags);
  ASSERT_TRUE(img);
  ASSERT_EQ(img->size(), kUimageHeaderSize + payload.size());
  EXPECT_EQ(be32(*img, 0), 0x27051956u);
  EXPECT_EQ(be32(*img, 8), 0u);  // time: reproducible
  EXPECT_EQ(be32(*img, 12), 1000u);
  EXPECT_EQ(be32(*img, 16), 0x70000000u);
  EXPECT_EQ(be32(*img, 20), 0x70000000u);
  EXPECT_EQ(be32(*img, 24), crc32(payload.data(), payload.size()));
  EXPECT_EQ((*img)[28], kUimageOsLinux);
  EXPECT_EQ((*img)[29], 22);  // IH_ARCH_ARM64
  EXPECT_EQ((*img)[30], 2);   // IH_TYPE_KERNEL
  EXPECT_EQ((*img)[31], 0);   // IH_COMP_NONE
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(img->data() + 32)), "hello");
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), img->begin() + kUimageHeaderSize));
}

TEST(Uimage, HeaderCrcCoversTheHeaderWithTheCrcFieldZero) {
  Diagnostics diags;
  auto img = write_uimage({1, 2, 3}, {kUimageArchRiscv, 0x80200000, "x"}, diags);
  ASSERT_TRUE(img);
  std::vector<uint8_t> header(img->begin(), img->begin() + kUimageHeaderSize);
  uint32_t stored = be32(header, 4);
  std::memset(header.data() + 4, 0, 4);
  EXPECT_EQ(crc32(header.data(), header.size()), stored);
  EXPECT_EQ((*img)[29], 26);  // IH_ARCH_RISCV
  // A changed payload byte changes the data CRC, and the header CRC with it.
  auto other = write_uimage({1, 2, 4}, {kUimageArchRiscv, 0x80200000, "x"}, diags);
  ASSERT_TRUE(other);
  EXPECT_NE(be32(*img, 24), be32(*other, 24));
  EXPECT_NE(be32(*img, 4), be32(*other, 4));
}

TEST(Uimage, LongNamesAreCutToLeaveTheTerminatingNul) {
  Diagnostics diags;
  auto img = write_uimage({0}, {kUimageArchArm64, 0x1000, std::string(40, 'n')}, diags);
  ASSERT_TRUE(img);
  EXPECT_EQ((*img)[32 + 30], 'n');
  EXPECT_EQ((*img)[32 + 31], 0);
}

TEST(Uimage, AddressAbove4GiBIsAnError) {
  Diagnostics diags;
  EXPECT_FALSE(write_uimage({0}, {kUimageArchArm64, 0x100000000, "x"}, diags));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "uimage-address-too-high");
  EXPECT_NE(diags.all()[0].message.find("0x100000000"), std::string::npos);
}

}  // namespace
}  // namespace microkit::sel4

namespace microkit::sel4 {
namespace {

uint64_t le(const std::vector<uint8_t>& b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(b[at + i]) << (8 * i);
  return v;
}

uint32_t be(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

TEST(Uimage, RiscvPayloadStartsWithTheLinuxImageHeader) {
  std::vector<uint8_t> raw = {0x6f, 0, 0, 2, 0x13, 0, 0, 0, 9};
  auto payload = with_linux_riscv_header(raw);
  ASSERT_EQ(payload.size(), kLinuxRiscvHeaderSize + raw.size());
  EXPECT_EQ(le(payload, 0, 8), 0u);           // code0, code1
  EXPECT_EQ(le(payload, 8, 8), 0u);           // text offset
  EXPECT_EQ(le(payload, 16, 8), raw.size());  // image size
  EXPECT_EQ(le(payload, 24, 8), 0u);          // flags: little-endian
  EXPECT_EQ(le(payload, 32, 4), 2u);          // version
  EXPECT_EQ(std::string(payload.begin() + 48, payload.begin() + 53), "RISCV");
  EXPECT_EQ(le(payload, 48, 8), 0x5643534952ull);
  EXPECT_EQ(std::string(payload.begin() + 56, payload.begin() + 59), "RSC");
  EXPECT_EQ(payload[59], 0x05);
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), payload.begin() + kLinuxRiscvHeaderSize));
}

TEST(Uimage, EntryMayDifferFromTheLoadAddress) {
  Diagnostics diags;
  auto img = write_uimage({1, 2, 3}, {kUimageArchRiscv, 0x8fffffc0, "x", 0x90000000}, diags);
  ASSERT_TRUE(img);
  EXPECT_EQ(be(*img, 16), 0x8fffffc0u);  // load
  EXPECT_EQ(be(*img, 20), 0x90000000u);  // entry
}

}  // namespace
}  // namespace microkit::sel4
