#include "sdf/guest_device_tree.h"

#include <cstring>

namespace microkit::sdf {

// Read by hand, not with libfdt: Debian 12's libfdt (1.6.1) loops forever in
// fdt_next_subnode on a property length that wraps the offset, and
// fdt_check_full crashes on some old-version headers (found by dtb_fuzz).
// A guest's DTB is a user's file, so the reader must survive any bytes.

namespace {

constexpr uint32_t kMagic = 0xd00dfeed;
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr size_t kHeaderSize = 40;  // version 17

using Bytes = std::vector<uint8_t>;

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

uint64_t cells(const uint8_t* at, uint32_t n) {
  uint64_t x = 0;
  for (uint32_t i = 0; i < n; ++i) x = (x << 32) | be32(at + 4 * i);
  return x;
}

bool is_memory(const std::string& name) { return name == "memory" || name.starts_with("memory@"); }

struct TopNode {
  std::string name;
  Bytes reg;
};

// What the structure block says: the root's cells and its children's `reg`.
struct Tree {
  uint32_t address_cells = 2, size_cells = 1;  // the defaults when the root does not say
  std::vector<TopNode> top;
};

// Every offset is checked against the blob before it is read; each token
// moves `pos` forward, so the walk ends.
std::variant<Tree, std::string> walk(const Bytes& b) {
  size_t end = b.size(), pos = be32(&b[8]), strings = be32(&b[12]);
  Tree t;
  int depth = 0;
  auto aligned = [](size_t p) { return (p + 3) & ~size_t(3); };
  while (pos + 4 <= end) {
    uint32_t token = be32(&b[pos]);
    pos += 4;
    if (token == kEnd) return t;
    if (token == kNop) continue;
    if (token == kEndNode) {
      if (--depth < 0) return std::string("a node ends that never began");
      continue;
    }
    if (token == kBeginNode) {
      const void* nul = std::memchr(&b[0] + pos, 0, end - pos);
      if (nul == nullptr) return std::string("a node name runs past the end");
      size_t name_end = size_t(static_cast<const uint8_t*>(nul) - &b[0]);
      if (++depth == 2) t.top.push_back({std::string(b.begin() + long(pos), b.begin() + long(name_end)), {}});
      pos = aligned(name_end + 1);
      continue;
    }
    if (token != kProp) return "unknown token " + std::to_string(token);
    if (pos + 8 > end) return std::string("a property runs past the end");
    uint64_t len = be32(&b[pos]), name_off = be32(&b[pos + 4]);
    size_t value = pos + 8;
    if (value + len > end) return std::string("a property's value runs past the end");
    if (strings + name_off >= end) return std::string("a property's name is outside the blob");
    const void* nul = std::memchr(&b[0] + strings + name_off, 0, end - (strings + name_off));
    if (nul == nullptr) return std::string("a property's name runs past the end");
    std::string name(reinterpret_cast<const char*>(&b[0] + strings + name_off));
    if (depth == 1 && name == "#address-cells" && len == 4) t.address_cells = be32(&b[value]);
    if (depth == 1 && name == "#size-cells" && len == 4) t.size_cells = be32(&b[value]);
    if (depth == 2 && name == "reg") t.top.back().reg.assign(b.begin() + long(value), b.begin() + long(value + len));
    pos = aligned(value + len);
  }
  return std::string("the structure block has no end token");
}

}  // namespace

std::variant<GuestMachine, std::string> read_guest_device_tree(const Bytes& dtb) {
  if (dtb.size() < kHeaderSize || be32(&dtb[0]) != kMagic) return std::string("no FDT magic (0xd00dfeed) at its start");
  if (be32(&dtb[4]) > dtb.size()) return std::string("shorter than its header's totalsize");
  if (be32(&dtb[20]) < 16) return "device tree version " + std::to_string(be32(&dtb[20])) + " (dtc writes 17)";
  std::variant<Tree, std::string> walked = walk(dtb);
  if (const std::string* why = std::get_if<std::string>(&walked)) return *why;
  const Tree& t = std::get<Tree>(walked);
  if (t.address_cells == 0 || t.address_cells > 2 || t.size_cells > 2)
    return std::string("the root's #address-cells/#size-cells are not 1-2 and 0-2 (64-bit addresses at most)");
  GuestMachine m;
  size_t entry = 4 * (t.address_cells + t.size_cells);
  for (const TopNode& n : t.top) {
    for (size_t at = 0; at + entry <= n.reg.size(); at += entry) {
      uint64_t base = cells(&n.reg[at], t.address_cells), size = cells(&n.reg[at + 4 * t.address_cells], t.size_cells);
      if (size == 0 || base + size < base) continue;  // no extent, or one past 2^64: not a range
      std::string what = n.name.empty() ? "(a node without a name)" : n.name;
      (is_memory(n.name) ? m.memory : m.devices).push_back({what, base, base + size});
    }
  }
  return m;
}

}  // namespace microkit::sdf
