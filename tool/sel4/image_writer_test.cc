// Tests for the boot image writer: layout arithmetic, the bytes of the
// header and region table, and one test per diagnostic id.
#include "sel4/image_writer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "elf/elf_file.h"

#include "runtime/shared/loader_image.h"

namespace microkit::sel4 {
namespace {
namespace li = microkit::loader_image;

constexpr uint64_t kLoad = 0x70000000;

// A stand-in loader binary: 100 bytes with a LoaderInfo at offset 8.
std::vector<uint8_t> fake_loader(uint64_t link = kLoad, uint64_t payload = 0x2000,
                                 uint32_t magic = li::kLoaderMagic,
                                 uint32_t version = li::kImageVersion) {
  std::vector<uint8_t> bytes(100, 0xaa);
  li::LoaderInfo info{magic, version, link, payload};
  std::memcpy(bytes.data() + li::kLoaderInfoOffset, &info, sizeof info);
  return bytes;
}

BootImageInput sample_input() {
  BootImageInput in;
  in.loader_name = "loader.bin";
  in.loader = fake_loader();
  in.load_address = kLoad;
  in.hypervisor_kernel = true;
  in.kernel_entry = 0x8060000000;
  in.kernel_virt_offset = 0x8000000000;
  in.kernel_paddr_start = 0x60000000;
  in.kernel_paddr_end = 0x60250000;
  in.ui_p_reg_start = 0x60300000;
  in.ui_p_reg_end = 0x60302000;
  in.pv_offset = 0x60300000 - 0x400000;
  in.ui_v_entry = 0x400000;
  in.regions.push_back({"kernel", 0x60000000, {1, 2, 3}, 0x250000});
  in.regions.push_back({"root task", 0x60300000, std::vector<uint8_t>(13, 7), 0x2000});
  return in;
}

template <typename T>
T read_at(const std::vector<uint8_t>& bytes, uint64_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

TEST(ImageWriter, LayoutPlacesHeaderTableAndAlignedData) {
  Diagnostics diags;
  auto layout = layout_boot_image(sample_input(), diags);
  ASSERT_TRUE(layout) << (diags.empty() ? "" : render(diags.all()[0]));
  EXPECT_EQ(layout->payload_offset, 0x2000u);
  uint64_t table_end = 0x2000 + sizeof(li::ImageHeader) + 2 * sizeof(li::ImageRegion);
  ASSERT_EQ(layout->region_offsets.size(), 2u);
  EXPECT_EQ(layout->region_offsets[0], table_end);
  // 3 bytes of kernel data, then the next region is 8-byte aligned.
  EXPECT_EQ(layout->region_offsets[1], (table_end + 3 + 7) / 8 * 8);
  EXPECT_EQ(layout->image_size, layout->region_offsets[1] + 13);
}

TEST(ImageWriter, WritesLoaderPaddingHeaderAndRegions) {
  BootImageInput in = sample_input();
  Diagnostics diags;
  auto layout = layout_boot_image(in, diags);
  ASSERT_TRUE(layout);
  std::vector<uint8_t> image = write_boot_image(in, *layout);
  ASSERT_EQ(image.size(), layout->image_size);
  EXPECT_TRUE(std::equal(in.loader.begin(), in.loader.end(), image.begin()));
  EXPECT_EQ(image[in.loader.size()], 0);  // padding up to the payload
  EXPECT_EQ(image[0x2000 - 1], 0);

  auto h = read_at<li::ImageHeader>(image, 0x2000);
  EXPECT_EQ(h.magic, li::kImageMagic);
  EXPECT_EQ(h.version, li::kImageVersion);
  EXPECT_EQ(h.image_size, image.size());
  EXPECT_EQ(h.flags, li::kFlagHypervisorKernel);
  EXPECT_EQ(h.kernel_entry, 0x8060000000u);
  EXPECT_EQ(h.kernel_virt_offset, 0x8000000000u);
  EXPECT_EQ(h.kernel_paddr_start, 0x60000000u);
  EXPECT_EQ(h.kernel_paddr_end, 0x60250000u);
  EXPECT_EQ(h.boot_ui_p_reg_start, 0x60300000u);
  EXPECT_EQ(h.boot_ui_p_reg_end, 0x60302000u);
  EXPECT_EQ(h.boot_pv_offset, 0x60300000u - 0x400000u);
  EXPECT_EQ(h.boot_v_entry, 0x400000u);
  EXPECT_EQ(h.boot_dtb_paddr, 0u);
  EXPECT_EQ(h.region_count, 2u);

  auto r1 = read_at<li::ImageRegion>(image, 0x2000 + sizeof h + sizeof(li::ImageRegion));
  EXPECT_EQ(r1.paddr, 0x60300000u);
  EXPECT_EQ(r1.memory_size, 0x2000u);
  EXPECT_EQ(r1.data_offset, layout->region_offsets[1]);
  EXPECT_EQ(r1.data_size, 13u);
  EXPECT_EQ(image[r1.data_offset], 7);
  EXPECT_EQ(image[r1.data_offset + 12], 7);
  EXPECT_EQ(image[layout->region_offsets[0] + 2], 3);
}

TEST(ImageWriter, NonHypervisorKernelClearsTheFlag) {
  BootImageInput in = sample_input();
  in.hypervisor_kernel = false;
  Diagnostics diags;
  auto layout = layout_boot_image(in, diags);
  ASSERT_TRUE(layout);
  auto h = read_at<li::ImageHeader>(write_boot_image(in, *layout), layout->payload_offset);
  EXPECT_EQ(h.flags, 0u);
}

TEST(ImageWriter, ElfWrapsTheRawImageAtTheLoadAddress) {
  BootImageInput in = sample_input();
  Diagnostics diags;
  auto layout = layout_boot_image(in, diags);
  ASSERT_TRUE(layout);
  std::vector<uint8_t> raw = write_boot_image(in, *layout);
  std::vector<uint8_t> elf_bytes = write_boot_image_elf(in, *layout, 183 /* EM_AARCH64 */);
  ASSERT_EQ(elf_bytes.size(), elf_image_size(*layout));
  // Read back with the project's own ELF reader.
  auto elf = elf::parse_elf(elf_bytes, "loader.elf", diags);
  ASSERT_TRUE(elf) << (diags.empty() ? "" : render(diags.all()[0]));
  EXPECT_EQ(elf->machine, 183);
  EXPECT_EQ(elf->entry, kLoad);
  ASSERT_EQ(elf->segments.size(), 1u);
  const elf::Segment& seg = elf->segments[0];
  EXPECT_EQ(seg.paddr, kLoad);
  EXPECT_EQ(seg.vaddr, kLoad);
  EXPECT_EQ(seg.memsz, raw.size());
  auto data = elf->segment_data(seg);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), raw.begin(), raw.end()));
}

// Runs the layout on `in` and returns the single error's id.
std::string only_error(const BootImageInput& in) {
  Diagnostics diags;
  EXPECT_FALSE(layout_boot_image(in, diags));
  if (diags.error_count() != 1) return "error count " + std::to_string(diags.error_count());
  return diags.all()[0].id;
}

TEST(ImageWriter, RejectsTinyLoader) {
  BootImageInput in = sample_input();
  in.loader.resize(20);
  EXPECT_EQ(only_error(in), "loader-binary-too-small");
}

TEST(ImageWriter, RejectsLoaderWithoutInfo) {
  BootImageInput in = sample_input();
  in.loader = fake_loader(kLoad, 0x2000, 0x12345678);
  EXPECT_EQ(only_error(in), "loader-bad-magic");
}

TEST(ImageWriter, RejectsLoaderOfAnotherFormatVersion) {
  BootImageInput in = sample_input();
  in.loader = fake_loader(kLoad, 0x2000, li::kLoaderMagic, li::kImageVersion + 1);
  EXPECT_EQ(only_error(in), "loader-version-mismatch");
}

TEST(ImageWriter, RejectsLoaderLinkedElsewhere) {
  BootImageInput in = sample_input();
  in.loader = fake_loader(0x40000000);
  EXPECT_EQ(only_error(in), "loader-link-address-mismatch");
}

TEST(ImageWriter, RejectsPayloadOffsetInsideLoader) {
  BootImageInput in = sample_input();
  in.loader = fake_loader(kLoad, 0);
  EXPECT_EQ(only_error(in), "loader-bad-payload-offset");
}

TEST(ImageWriter, RejectsRegionWithMoreDataThanMemory) {
  BootImageInput in = sample_input();
  in.regions[1].memory_size = 4;
  EXPECT_EQ(only_error(in), "region-data-larger-than-memory");
}

TEST(ImageWriter, RejectsRegionOverImage) {
  BootImageInput in = sample_input();
  in.regions[1].paddr = kLoad + 0x1000;
  EXPECT_EQ(only_error(in), "region-overlaps-image");
}

TEST(ImageWriter, OverlapNamesBothRegions) {
  BootImageInput in = sample_input();
  in.regions[1].paddr = 0x60240000;
  Diagnostics diags;
  EXPECT_FALSE(layout_boot_image(in, diags));
  ASSERT_EQ(diags.error_count(), 1u);
  const Diagnostic& d = diags.all()[0];
  EXPECT_EQ(d.id, "region-overlap");
  EXPECT_EQ(d.file, "root task");
  EXPECT_NE(d.message.find("kernel [0x60000000, 0x60250000)"), std::string::npos) << d.message;
}

TEST(ImageWriter, RejectsWrappingRegion) {
  BootImageInput in = sample_input();
  in.regions[1].paddr = ~0ull - 0x100;
  EXPECT_EQ(only_error(in), "region-wraps");
}

TEST(ImageWriter, RejectsTooManyRegions) {
  BootImageInput in = sample_input();
  in.regions.clear();
  for (uint32_t i = 0; i <= li::kMaxRegions; ++i) {
    in.regions.push_back({"r", 0x40000000 + i * 0x1000ull, {}, 0x1000});
  }
  EXPECT_EQ(only_error(in), "too-many-regions");
}

}  // namespace
}  // namespace microkit::sel4
