// dtb.cc: the two things a VMM does to a flattened device tree (DTSpec
// v0.4, chapter 5): check it, and fill in /chosen values only known at run
// time (where the initrd landed). Big-endian throughout; the walk checks
// every offset against the blob's size.
#include "microkit_vmm_parts.h"

#include "bytes.h"

namespace {

constexpr uint32_t kMagic = 0xd00dfeed;
constexpr uint32_t kHeaderSize = 40;
enum : uint32_t { kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9 };

struct Blob {
  uint8_t* base;
  uint32_t size, structs, struct_size, strings, strings_size;
};

uint32_t align4(uint32_t v) { return (v + 3) & ~3u; }

bool str_equal(const uint8_t* a, uint32_t a_max, const char* b) {
  uint32_t i = 0;
  for (; b[i] != 0; ++i) {
    if (i >= a_max || a[i] != uint8_t(b[i])) return false;
  }
  return i < a_max && a[i] == 0;
}

uint32_t str_length(const uint8_t* s, uint32_t max) {
  uint32_t n = 0;
  while (n < max && s[n] != 0) ++n;
  return n;
}

const char* open_blob(const void* dtb, size_t size, Blob* blob) {
  auto* p = static_cast<const uint8_t*>(dtb);
  if (p == nullptr || size < kHeaderSize) return "the device tree is shorter than its header";
  if (vmm::load_be32(p) != kMagic) return "the device tree has no FDT magic (0xd00dfeed)";
  *blob = Blob{const_cast<uint8_t*>(p), vmm::load_be32(p + 4), vmm::load_be32(p + 8), vmm::load_be32(p + 36),
               vmm::load_be32(p + 12), vmm::load_be32(p + 32)};
  if (blob->size > size) return "the device tree's totalsize is larger than the blob";
  if (blob->structs > blob->size || blob->struct_size > blob->size - blob->structs) return "the device tree's structure block lies outside it";
  if (blob->strings > blob->size || blob->strings_size > blob->size - blob->strings) return "the device tree's strings block lies outside it";
  return nullptr;
}

// Walks the structure block to /chosen's property `name`; returns its value's offset, 0 if absent.
uint32_t find_chosen_property(const Blob& b, const char* name, uint32_t* length) {
  uint32_t at = b.structs, end = b.structs + b.struct_size, depth = 0;
  bool in_chosen = false;
  while (at + 4 <= end) {
    uint32_t token = vmm::load_be32(b.base + at);
    at += 4;
    if (token == kBeginNode) {
      uint32_t n = str_length(b.base + at, end - at);
      ++depth;
      in_chosen = depth == 2 && str_equal(b.base + at, end - at, "chosen");
      at += align4(n + 1);
    } else if (token == kEndNode) {
      if (depth == 0) return 0;
      in_chosen = false;
      --depth;
    } else if (token == kProp) {
      if (at + 8 > end) return 0;
      uint32_t len = vmm::load_be32(b.base + at), name_off = vmm::load_be32(b.base + at + 4);
      uint32_t value = at + 8;
      if (len > end - value || name_off >= b.strings_size) return 0;
      if (in_chosen && str_equal(b.base + b.strings + name_off, b.strings_size - name_off, name)) {
        *length = len;
        return value;
      }
      at = value + align4(len);
    } else if (token != kNop) {
      return 0;  // kEnd or garbage
    }
  }
  return 0;
}

}  // namespace

extern "C" const char* microkit_vmm_dtb_check(const void* dtb, size_t size) {
  Blob blob;
  return open_blob(dtb, size, &blob);
}

extern "C" uint32_t microkit_vmm_dtb_size(const void* dtb) {
  Blob blob;
  return open_blob(dtb, ~uint32_t(0), &blob) == nullptr ? blob.size : 0;
}

extern "C" const char* microkit_vmm_dtb_set_chosen(void* dtb, const char* name, uint64_t value) {
  Blob blob;
  uint32_t size = microkit_vmm_dtb_size(dtb);
  if (size == 0) return "not a device tree blob";
  if (const char* error = open_blob(dtb, size, &blob)) return error;
  uint32_t length = 0;
  uint32_t at = find_chosen_property(blob, name, &length);
  if (at == 0) return "the device tree's /chosen has no such property (add a placeholder to the .dts)";
  if (length != 4 && length != 8) return "the /chosen property is neither 4 nor 8 bytes";
  vmm::store_be(blob.base + at, value, length);
  return nullptr;
}
