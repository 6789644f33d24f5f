// image_check.h: the loader's validation of a boot image, as pure logic.
//
// The loader runs this before touching memory outside its own image; the
// host tests run it on images made by tool/sel4/image_writer, so the writer
// and the loader cannot drift apart. Returns nullptr for a good image, else
// a short sentence naming the rule broken (the loader's fail() prints it).
//
// Rules: magic and version match; no unknown flags; the region table and every region's data
// lie inside the image; data_size <= memory_size; no region wraps around
// the address space, overlaps the loaded image itself (the loader would
// overwrite its own code or the data still to copy) or another region.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/shared/loader_image.h"

namespace microkit::loader {

constexpr bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a < b + b_size && b < a + a_size;
}

// `available` is how many bytes of the image, from `header` on, may be read.
constexpr const char* header_problem(const loader_image::ImageHeader& h, uint64_t payload_offset,
                                     uint64_t available) {
  using namespace loader_image;
  if (h.magic != kImageMagic) return "the image header magic is wrong (not a microkit image?)";
  if (h.version != kImageVersion) return "the image format version is not the loader's";
  if ((h.flags & ~kKnownFlags) != 0 || h.reserved != 0) {
    return "the image uses flags or fields this loader does not know";
  }
  if (h.region_count > kMaxRegions) return "the image has too many regions";
  uint64_t table_end = payload_offset + sizeof(ImageHeader) + h.region_count * sizeof(ImageRegion);
  if (h.image_size < table_end) return "the region table runs past the image end";
  if (h.image_size - payload_offset > available) return "the image is larger than what was loaded";
  if (h.kernel_paddr_start >= h.kernel_paddr_end) return "the kernel's physical range is empty";
  if (h.boot_ui_p_reg_start >= h.boot_ui_p_reg_end) return "the initial task's range is empty";
  return nullptr;
}

// `image_base` is the physical address of the image's first byte.
constexpr const char* region_problem(const loader_image::ImageHeader& h,
                                     const loader_image::ImageRegion* regions, uint32_t index,
                                     uint64_t image_base) {
  const loader_image::ImageRegion& r = regions[index];
  if (r.data_size > r.memory_size) return "a region has more data than memory";
  if (r.data_offset > h.image_size || r.data_size > h.image_size - r.data_offset) {
    return "a region's data runs past the image end";
  }
  if (r.paddr + r.memory_size < r.paddr) return "a region wraps around the address space";
  if (ranges_overlap(r.paddr, r.memory_size, image_base, h.image_size)) {
    return "a region overlaps the boot image itself";
  }
  for (uint32_t j = 0; j < index; ++j) {
    if (ranges_overlap(r.paddr, r.memory_size, regions[j].paddr, regions[j].memory_size)) {
      return "two regions overlap";
    }
  }
  return nullptr;
}

}  // namespace microkit::loader
