#include "sdf/guest_device_tree.h"

#include <libfdt.h>

#include <cstring>

namespace microkit::sdf {

namespace {

uint64_t cells(const uint8_t* at, int n) {
  uint64_t x = 0;
  for (int i = 0; i < n; ++i) x = (x << 32) | fdt32_ld(reinterpret_cast<const fdt32_t*>(at + 4 * i));
  return x;
}

bool is_memory(const char* name) { return std::strcmp(name, "memory") == 0 || std::strncmp(name, "memory@", 7) == 0; }

}  // namespace

std::variant<GuestMachine, std::string> read_guest_device_tree(const std::vector<uint8_t>& dtb) {
  // libfdt reads 32-bit words in place: give it an 8-byte aligned copy.
  std::vector<uint64_t> aligned((dtb.size() + 7) / 8);
  if (!dtb.empty()) std::memcpy(aligned.data(), dtb.data(), dtb.size());
  const void* fdt = aligned.data();
  if (int err = fdt_check_full(fdt, dtb.size()); err != 0) return "libfdt: " + std::string(fdt_strerror(err));
  int address_cells = fdt_address_cells(fdt, 0), size_cells = fdt_size_cells(fdt, 0);
  if (address_cells < 1 || address_cells > 2 || size_cells < 0 || size_cells > 2)
    return "the root's #address-cells/#size-cells are not 1-2 and 0-2 (64-bit addresses at most)";
  GuestMachine m;
  int entry = 4 * (address_cells + size_cells);
  int node;
  fdt_for_each_subnode(node, fdt, 0) {
    const char* name = fdt_get_name(fdt, node, nullptr);
    int len = 0;
    const auto* reg = static_cast<const uint8_t*>(fdt_getprop(fdt, node, "reg", &len));
    if (name == nullptr || reg == nullptr) continue;
    for (int at = 0; at + entry <= len; at += entry) {
      uint64_t base = cells(reg + at, address_cells), size = cells(reg + at + 4 * address_cells, size_cells);
      if (size == 0 || base + size < base) continue;  // no extent, or one past 2^64: not a range
      (is_memory(name) ? m.memory : m.devices).push_back({name, base, base + size});
    }
  }
  if (node != -FDT_ERR_NOTFOUND) return "libfdt: " + std::string(fdt_strerror(node));
  return m;
}

}  // namespace microkit::sdf
