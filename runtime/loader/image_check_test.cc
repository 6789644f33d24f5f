// Host tests of the loader's image validation (image_check.h), run on
// images made by the tool's writer: what the writer accepts, the loader
// accepts; corruptions are caught with the rule named.
#include "runtime/loader/image_check.h"

#include <gtest/gtest.h>

#include <cstring>

#include "sel4/image_writer.h"

namespace microkit::loader {
namespace {
namespace li = microkit::loader_image;

constexpr uint64_t kLoad = 0x70000000;
constexpr uint64_t kPayload = 0x3000;

struct Image {
  std::vector<uint8_t> bytes;
  li::ImageHeader& header() { return *reinterpret_cast<li::ImageHeader*>(&bytes[kPayload]); }
  li::ImageRegion* regions() { return reinterpret_cast<li::ImageRegion*>(&header() + 1); }
  // As the loader calls it: everything up to the end of RAM is readable.
  const char* header_check() { return header_problem(header(), kPayload, 1ull << 30); }
  const char* region_check(uint32_t i) { return region_problem(header(), regions(), i, kLoad); }
};

Image written_image() {
  sel4::BootImageInput in;
  in.loader.assign(64, 0);
  li::LoaderInfo info{li::kLoaderMagic, li::kImageVersion, kLoad, kPayload};
  std::memcpy(in.loader.data() + 8, &info, sizeof info);
  in.load_address = kLoad;
  in.kernel_paddr_start = 0x60000000;
  in.kernel_paddr_end = 0x60100000;
  in.ui_p_reg_start = 0x60200000;
  in.ui_p_reg_end = 0x60201000;
  in.regions.push_back({"kernel", 0x60000000, std::vector<uint8_t>(40, 1), 0x100000});
  in.regions.push_back({"task", 0x60200000, std::vector<uint8_t>(9, 2), 0x1000});
  Diagnostics diags;
  auto layout = sel4::layout_boot_image(in, diags);
  EXPECT_TRUE(layout);
  Image image;
  image.bytes = sel4::write_boot_image(in, *layout);
  return image;
}

TEST(ImageCheck, AcceptsWhatTheWriterWrites) {
  Image image = written_image();
  EXPECT_EQ(image.header_check(), nullptr);
  EXPECT_EQ(image.region_check(0), nullptr);
  EXPECT_EQ(image.region_check(1), nullptr);
}

TEST(ImageCheck, RejectsBadMagic) {
  Image image = written_image();
  image.header().magic ^= 1;
  EXPECT_STREQ(image.header_check(), "the image header magic is wrong (not a microkit image?)");
}

TEST(ImageCheck, RejectsOtherVersion) {
  Image image = written_image();
  image.header().version += 1;
  EXPECT_STREQ(image.header_check(), "the image format version is not the loader's");
}

TEST(ImageCheck, RejectsUnknownFlags) {
  Image image = written_image();
  image.header().flags |= 1u << 7;
  EXPECT_STREQ(image.header_check(), "the image uses flags or fields this loader does not know");
}

TEST(ImageCheck, RejectsTableBeyondImage) {
  Image image = written_image();
  image.header().region_count = 60;
  EXPECT_STREQ(image.header_check(), "the region table runs past the image end");
}

TEST(ImageCheck, RejectsImageLargerThanRam) {
  Image image = written_image();
  EXPECT_STREQ(header_problem(image.header(), kPayload, 16), "the image is larger than what was loaded");
}

TEST(ImageCheck, RejectsDataPastEnd) {
  Image image = written_image();
  image.regions()[1].data_offset = image.header().image_size - 4;
  EXPECT_STREQ(image.region_check(1), "a region's data runs past the image end");
}

TEST(ImageCheck, RejectsOverlapWithImage) {
  Image image = written_image();
  image.regions()[1].paddr = kLoad + 0x10;
  EXPECT_STREQ(image.region_check(1), "a region overlaps the boot image itself");
}

TEST(ImageCheck, RejectsOverlappingRegions) {
  Image image = written_image();
  image.regions()[1].paddr = 0x600ff000;
  EXPECT_STREQ(image.region_check(1), "two regions overlap");
}

TEST(ImageCheck, RejectsMoreDataThanMemory) {
  Image image = written_image();
  image.regions()[0].memory_size = 8;
  EXPECT_STREQ(image.region_check(0), "a region has more data than memory");
}

}  // namespace
}  // namespace microkit::loader
