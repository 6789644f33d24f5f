// loader_image.h: the boot image format shared by the image writer (host
// C++20, tool/sel4/image_writer) and the AArch64 loader (freestanding C++).
//
// A boot image is one flat file that a previous boot stage (QEMU's
// `-device loader`, U-Boot's `go`) places at the loader's link address and
// jumps to at its first byte:
//
//   offset 0                     loader code; at byte 8 a LoaderInfo
//   LoaderInfo::payload_offset   ImageHeader
//   + sizeof(ImageHeader)        ImageRegion[region_count]
//   ImageRegion::data_offset     region bytes (each 8-byte aligned)
//
// The loader's own memory image (code, data, bss, stack, page tables) ends
// at or before payload_offset, so appending the payload never overlaps
// anything the loader writes. All offsets count from the image's first byte;
// all integers are little-endian. Every field has a fixed size and offset
// pinned by static_assert below; any change to a layout or a meaning bumps
// kImageVersion, and the loader refuses any other version.
//
// This header is included by freestanding target code: only <stdint.h> and
// <stddef.h>, no std, no functions that allocate.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace microkit::loader_image {

// "MKLD": identifies the loader binary (LoaderInfo) ...
inline constexpr uint32_t kLoaderMagic = 0x444c4b4du;
// ... and "MKIM" the payload header the writer appends (ImageHeader).
inline constexpr uint32_t kImageMagic = 0x4d494b4du;
inline constexpr uint32_t kImageVersion = 1;

// Where LoaderInfo sits in the loader binary: right after the first two
// instructions (a branch over it and a padding nop).
inline constexpr uint64_t kLoaderInfoOffset = 8;
// Alignment of payload_offset and of each region's data.
inline constexpr uint64_t kPayloadAlign = 4096;
inline constexpr uint64_t kRegionDataAlign = 8;
// A sanity bound the loader enforces before walking the region table.
inline constexpr uint32_t kMaxRegions = 64;

// Built into the loader binary by its linker script; the writer reads it to
// learn where the payload must go, and checks the link address against the
// board's.
struct LoaderInfo {
  uint32_t magic;           // kLoaderMagic
  uint32_t version;         // kImageVersion the loader was built for
  uint64_t link_address;    // physical address the loader runs at
  uint64_t payload_offset;  // ImageHeader offset; multiple of kPayloadAlign
};

// ImageHeader::flags
inline constexpr uint64_t kFlagHypervisorKernel = 1u << 0;  // kernel runs at EL2
inline constexpr uint64_t kKnownFlags = kFlagHypervisorKernel;  // others are refused

// What the loader does with the payload, all decided by the writer. The
// six boot_* fields are passed to the kernel unchanged in x0..x5 (the seL4
// AArch64 boot protocol, see docs/loader.md).
struct ImageHeader {
  uint32_t magic;         // kImageMagic
  uint32_t version;       // kImageVersion
  uint64_t image_size;    // bytes of the whole image file
  uint64_t flags;         // kFlag*
  uint64_t kernel_entry;  // virtual address the loader jumps to
  // The kernel window: virtual = physical + kernel_virt_offset for
  // [kernel_paddr_start, kernel_paddr_end). The loader maps it (1 GiB
  // blocks), so kernel_virt_offset must be a multiple of 1 GiB.
  uint64_t kernel_virt_offset;
  uint64_t kernel_paddr_start;
  uint64_t kernel_paddr_end;
  uint64_t boot_ui_p_reg_start;  // x0: initial task physical start
  uint64_t boot_ui_p_reg_end;    // x1: initial task physical end (exclusive)
  uint64_t boot_pv_offset;       // x2: initial task physical - virtual
  uint64_t boot_v_entry;         // x3: initial task virtual entry
  uint64_t boot_dtb_paddr;       // x4: 0 when there is no DTB
  uint64_t boot_dtb_size;        // x5: 0 when there is no DTB
  uint32_t region_count;         // ImageRegion entries after the header
  uint32_t reserved;             // 0
};

// One range of physical memory the loader fills: data_size bytes copied
// from the image, then memory_size - data_size zero bytes.
struct ImageRegion {
  uint64_t paddr;
  uint64_t memory_size;  // >= data_size
  uint64_t data_offset;  // in the image; multiple of kRegionDataAlign
  uint64_t data_size;
};

static_assert(sizeof(LoaderInfo) == 24);
static_assert(offsetof(LoaderInfo, link_address) == 8);
static_assert(offsetof(LoaderInfo, payload_offset) == 16);

static_assert(sizeof(ImageHeader) == 112);
static_assert(offsetof(ImageHeader, image_size) == 8);
static_assert(offsetof(ImageHeader, flags) == 16);
static_assert(offsetof(ImageHeader, kernel_entry) == 24);
static_assert(offsetof(ImageHeader, kernel_virt_offset) == 32);
static_assert(offsetof(ImageHeader, kernel_paddr_start) == 40);
static_assert(offsetof(ImageHeader, kernel_paddr_end) == 48);
static_assert(offsetof(ImageHeader, boot_ui_p_reg_start) == 56);
static_assert(offsetof(ImageHeader, boot_ui_p_reg_end) == 64);
static_assert(offsetof(ImageHeader, boot_pv_offset) == 72);
static_assert(offsetof(ImageHeader, boot_v_entry) == 80);
static_assert(offsetof(ImageHeader, boot_dtb_paddr) == 88);
static_assert(offsetof(ImageHeader, boot_dtb_size) == 96);
static_assert(offsetof(ImageHeader, region_count) == 104);
static_assert(offsetof(ImageHeader, reserved) == 108);

static_assert(sizeof(ImageRegion) == 32);
static_assert(offsetof(ImageRegion, memory_size) == 8);
static_assert(offsetof(ImageRegion, data_offset) == 16);
static_assert(offsetof(ImageRegion, data_size) == 24);

}  // namespace microkit::loader_image
