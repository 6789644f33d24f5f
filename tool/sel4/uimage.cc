// uimage: U-Boot legacy image writer (see uimage.h).
#include "sel4/uimage.h"
#include "support/text.h"

#include <array>

namespace microkit::sel4 {
namespace {

std::array<uint32_t, 256> crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

void put_be32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = uint8_t(v >> (24 - 8 * i));
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size) {
  static const std::array<uint32_t, 256> table = crc_table();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::optional<std::vector<uint8_t>> write_uimage(const std::vector<uint8_t>& payload,
                                                 const UimageRequest& request,
                                                 Diagnostics& diags) {
  uint64_t entry = request.entry.value_or(request.load_address);
  if (request.load_address > UINT32_MAX || entry > UINT32_MAX) {
    diags.error("uimage-address-too-high", {}, {},
                "a uImage cannot hold the loader's link address " + hex(request.load_address) +
                    ": U-Boot legacy images have 32-bit load and entry addresses",
                "use --image-type binary or elf for this board");
    return std::nullopt;
  }
  if (payload.size() > UINT32_MAX) {
    diags.error("uimage-too-large", {}, {},
                "the boot image is " + std::to_string(payload.size()) +
                    " bytes; a uImage holds at most 4 GiB",
                "use --image-type binary or elf");
    return std::nullopt;
  }
  std::vector<uint8_t> out(kUimageHeaderSize, 0);
  auto addr = uint32_t(request.load_address);
  put_be32(out, 0, kUimageMagic);
  // 4: header CRC, filled last; 8: time, 0 for reproducible output.
  put_be32(out, 12, uint32_t(payload.size()));
  put_be32(out, 16, addr);  // load
  put_be32(out, 20, uint32_t(entry));
  put_be32(out, 24, crc32(payload.data(), payload.size()));
  out[28] = kUimageOsLinux;
  out[29] = request.arch;
  out[30] = kUimageTypeKernel;
  out[31] = kUimageCompressionNone;
  for (size_t i = 0; i < request.name.size() && i < kUimageNameSize - 1; ++i)
    out[32 + i] = uint8_t(request.name[i]);
  put_be32(out, 4, crc32(out.data(), kUimageHeaderSize));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::vector<uint8_t> with_linux_riscv_header(const std::vector<uint8_t>& raw_image) {
  std::vector<uint8_t> out(kLinuxRiscvHeaderSize, 0);
  auto put_le = [&](size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out[at + i] = uint8_t(v >> (8 * i));
  };
  // 0, 4: code0, code1 = 0; 8: text offset = 0.
  put_le(16, raw_image.size(), 8);  // image size
  // 24: flags = 0 (little-endian kernel).
  put_le(32, 2, 4);                 // header version
  // 36: res1, 40: res2.
  put_le(48, 0x5643534952ull, 8);   // "RISCV\0\0\0"
  put_le(56, 0x05435352u, 4);       // "RSC\x05"
  // 60: res3.
  out.insert(out.end(), raw_image.begin(), raw_image.end());
  return out;
}

}  // namespace microkit::sel4
