// Test support (not part of the tool): where the facts read off real seL4
// 16.0.0 builds live (../shared, MICROKIT_SHARED_DIR, set for tests), one
// folder per board and configuration built with the official SDK's settings;
// and where real kernel packages are (MICROKIT_KERNEL_ROOT).
#pragma once

#include <string>

namespace microkit::kernel::test_support {

inline std::string facts_dir(const std::string& board, const std::string& config = "debug") {
  return std::string(MICROKIT_SHARED_DIR) + "/sel4-16.0.0/" + board + "/" + config;
}

// A real kernel package, if one is installed (docs/kernel-package.md).
inline std::string package_dir(const std::string& board, const std::string& config) {
  return std::string(MICROKIT_KERNEL_ROOT) + "/" + board + "/" + config;
}

}  // namespace microkit::kernel::test_support
