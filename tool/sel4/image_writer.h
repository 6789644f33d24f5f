// image_writer: lays out and writes the boot image the AArch64 loader reads
// (format: runtime/shared/loader_image.h, documented in docs/loader.md).
//
// Two phases, as in lld: layout_boot_image() checks the inputs and decides
// every offset and size (all errors are diagnostics, collected, none
// thrown); write_boot_image() then fills a buffer of exactly that size and
// cannot fail. The writer decides nothing about seL4: the caller (the seL4
// back end, or a test) passes the regions and the boot-protocol values.
//
// Invariants of a laid-out image, which the loader re-checks on the target
// (runtime/loader/image_check.h): the loader binary comes first, padded to
// its advertised payload_offset; then the header, the region table and the
// region data (8-byte aligned); no region overlaps another or the image.
// The image can also be wrapped in an ELF file (write_boot_image_elf).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::sel4 {

struct BootRegion {
  std::string name;            // for diagnostics, e.g. "kernel.elf segment 0"
  uint64_t paddr = 0;
  std::vector<uint8_t> data;   // copied to paddr
  uint64_t memory_size = 0;    // >= data.size(); the rest is zeroed
};

struct BootImageInput {
  std::string loader_name;       // for diagnostics (the loader binary's path)
  std::vector<uint8_t> loader;   // raw loader binary (objcopy -O binary)
  uint64_t load_address = 0;     // where the board's boot stage puts the image
  bool hypervisor_kernel = false;
  uint64_t kernel_entry = 0;     // virtual
  uint64_t kernel_virt_offset = 0;
  uint64_t kernel_paddr_start = 0;
  uint64_t kernel_paddr_end = 0;
  uint64_t ui_p_reg_start = 0;
  uint64_t ui_p_reg_end = 0;
  uint64_t pv_offset = 0;        // initial task physical - virtual (two's complement)
  uint64_t ui_v_entry = 0;
  uint64_t dtb_paddr = 0;
  uint64_t dtb_size = 0;
  std::vector<BootRegion> regions;
};

struct BootImageLayout {
  uint64_t payload_offset = 0;            // where the ImageHeader goes
  std::vector<uint64_t> region_offsets;   // data offset of each region
  uint64_t image_size = 0;
};

// Checks `in` and decides the layout; nullopt after reporting errors.
std::optional<BootImageLayout> layout_boot_image(const BootImageInput& in, Diagnostics& diags);

// Writes the image for a layout returned by layout_boot_image(in).
std::vector<uint8_t> write_boot_image(const BootImageInput& in, const BootImageLayout& layout);

// The same image wrapped in an ELF64 executable for boot stages that load
// ELF files: one PT_LOAD segment (RWX, vaddr = paddr = load_address) holding
// the raw image at file offset kElfImageOffset, and entry = load_address.
inline constexpr uint64_t kElfImageOffset = 4096;
uint64_t elf_image_size(const BootImageLayout& layout);
std::vector<uint8_t> write_boot_image_elf(const BootImageInput& in, const BootImageLayout& layout,
                                          uint16_t machine);

}  // namespace microkit::sel4
