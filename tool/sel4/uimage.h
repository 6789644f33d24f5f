// uimage: wraps a raw boot image in a U-Boot legacy image ("uImage"), for
// boards whose firmware boots with U-Boot's `bootm`.
//
// The format is U-Boot's legacy image header: 64 bytes, every integer
// big-endian, followed by the payload unchanged:
//   magic 0x27051956, header CRC-32 (computed with the field zero), creation
//   time, payload size, load address, entry address, payload CRC-32, then one
//   byte each for OS, architecture, image type and compression, then a
//   32-byte NUL-padded name.
// The load and entry addresses are both the loader's link address (the raw
// image starts with the loader's first instruction). Both must fit 32 bits:
// a larger address is an error. The creation time is 0 so that the same
// inputs give the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::sel4 {

inline constexpr uint32_t kUimageMagic = 0x27051956;
inline constexpr size_t kUimageHeaderSize = 64;
inline constexpr size_t kUimageNameSize = 32;

// Values of the header's one-byte fields (U-Boot's include/image.h numbers).
inline constexpr uint8_t kUimageOsLinux = 5;
inline constexpr uint8_t kUimageArchArm64 = 22;
inline constexpr uint8_t kUimageArchRiscv = 26;
inline constexpr uint8_t kUimageTypeKernel = 2;
inline constexpr uint8_t kUimageCompressionNone = 0;

struct UimageRequest {
  uint8_t arch = kUimageArchArm64;
  uint64_t load_address = 0;
  std::string name = "seL4 Microkit image";  // truncated to 31 bytes
  std::optional<uint64_t> entry = std::nullopt;  // default: the load address
};

// RISC-V: U-Boot boots a RISC-V uImage whose payload starts with Linux's
// RISC-V "Image" header (64 bytes, little-endian: two code words 0, text
// offset 0, image size = the raw image's size, flags 0, version 2, magic
// "RISCV\0\0\0", magic2 "RSC\x05"), as the official tool writes it; the
// uImage then loads at the loader address - 64 and enters at the loader
// address.
inline constexpr size_t kLinuxRiscvHeaderSize = 64;
std::vector<uint8_t> with_linux_riscv_header(const std::vector<uint8_t>& raw_image);

// The uImage bytes (header + payload), or nullopt with an error when an
// address or the payload's size does not fit the header's 32-bit fields.
std::optional<std::vector<uint8_t>> write_uimage(const std::vector<uint8_t>& payload,
                                                 const UimageRequest& request,
                                                 Diagnostics& diags);

// CRC-32 as U-Boot and zlib compute it (reflected, polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF).
uint32_t crc32(const uint8_t* data, size_t size);

}  // namespace microkit::sel4
