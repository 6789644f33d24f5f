// libFuzzer target: any bytes as a Linux guest's device tree, through the
// tool's reader (sdf/guest_device_tree.h, libfdt underneath). A machine it
// returns must hold only ranges that are ranges.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sdf/guest_device_tree.h"

namespace {

void check_ranges(const std::vector<microkit::sdf::GuestRange>& ranges) {
  for (const auto& r : ranges)
    if (r.start >= r.end || r.node.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto read = microkit::sdf::read_guest_device_tree(std::vector<uint8_t>(data, data + size));
  if (const auto* m = std::get_if<microkit::sdf::GuestMachine>(&read)) {
    check_ranges(m->memory);
    check_ranges(m->devices);
  }
  return 0;
}
