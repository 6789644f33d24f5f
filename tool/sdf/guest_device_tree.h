// What the tool reads of a Linux guest's device tree (a DTB): the memory
// Linux is told about and the `reg` of every other top-level node, for the
// guest checks of linux_guest.cc. Any bytes are safe to give it (dtb_fuzz).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace microkit::sdf {

// [start, end) in guest-physical addresses, named by its node.
struct GuestRange {
  std::string node;
  uint64_t start = 0, end = 0;
};

// QEMU virt's flat layout: devices are the root's children; nodes below a
// bus are not looked at.
struct GuestMachine {
  std::vector<GuestRange> memory;
  std::vector<GuestRange> devices;
};

// The machine, or why the bytes are not a usable device tree (in words).
std::variant<GuestMachine, std::string> read_guest_device_tree(const std::vector<uint8_t>& dtb);

}  // namespace microkit::sdf
