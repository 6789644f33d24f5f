// Small text helpers for the driver's messages.
//
// (Several components have their own `hex`; a shared support/ helper would
// serve them all. Until one exists, the driver keeps its copy here, once.)
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace microkit::driver {

// "a, b, c"
inline std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

// "0x1000"
inline std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace microkit::driver
