// image.cc: the Linux arm64 Image header (Documentation/arch/arm64/booting.rst):
// code0/code1, text_offset at 8, image_size at 16, flags at 24, the magic
// "ARM\x64" at 56. All fields little-endian.
#include "microkit_vmm_parts.h"

#include "bytes.h"

namespace {
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kMagic = 0x644d5241;  // "ARM\x64"
constexpr uint64_t kOldTextOffset = 0x80000;  // kernels before 3.17 left text_offset 0
constexpr uint64_t kTwoMiB = 0x200000;
}  // namespace

extern "C" const char* microkit_vmm_image_parse(const void* image, size_t size,
                                                 microkit_vmm_image_info* info) {
  if (image == nullptr || size < kHeaderSize) return "the kernel is shorter than an arm64 Image header (64 bytes)";
  auto* p = static_cast<const uint8_t*>(image);
  if (vmm::load_le(p + 56, 4) != kMagic) return "the kernel is not an arm64 Image (no \"ARM\\x64\" magic at byte 56)";
  uint64_t image_size = vmm::load_le(p + 16, 8);
  uint64_t flags = vmm::load_le(p + 24, 8);
  // image_size 0 marks an old kernel: text_offset is then 0x80000 by convention.
  info->text_offset = image_size == 0 ? kOldTextOffset : vmm::load_le(p + 8, 8);
  info->image_size = image_size < size ? size : image_size;
  info->big_endian = int(flags & 1);
  return nullptr;
}

extern "C" uint64_t microkit_vmm_image_load_address(uint64_t ram_base, const microkit_vmm_image_info* info) {
  uint64_t base = (ram_base + kTwoMiB - 1) & ~(kTwoMiB - 1);
  return base + info->text_offset;
}
