#include "sdk/sdk_dir.h"

#include <cstdlib>
#include <filesystem>

namespace microkit::sdk {

namespace fs = std::filesystem;

std::optional<std::string> find_sdk_dir(const char* env_value, const std::string& exe_path) {
  if (env_value && *env_value) return std::string(env_value);
  if (exe_path.empty()) return std::nullopt;
  fs::path sdk = fs::path(exe_path).parent_path().parent_path();
  std::error_code ec;
  if (sdk.empty() || !fs::is_directory(sdk / "board", ec)) return std::nullopt;
  return sdk.lexically_normal().string();
}

std::optional<std::string> find_sdk_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return find_sdk_dir(std::getenv("MICROKIT_SDK"), ec ? std::string() : exe.string());
}

std::string config_dir(const std::string& sdk, const std::string& board, const std::string& config) {
  return (fs::path(sdk) / "board" / board / config).string();
}

}  // namespace microkit::sdk
