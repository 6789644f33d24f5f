// sdk_dir: where the tool finds the SDK it belongs to.
//
// An SDK (docs/sdk.md) is a folder holding bin/microkit and
// board/<board>/<config>/ (libmicrokit, the loader, the initial task and a
// copy of the kernel package). As with the official tool, the SDK is
// $MICROKIT_SDK when that is set, else the folder two levels above the
// running executable (<sdk>/bin/microkit -> <sdk>) when that folder has a
// board/ sub-folder; a tool run from a build tree has no SDK. The pure part
// takes the variable's value and the executable's path as arguments, so it
// is tested without touching the process's environment.
#pragma once

#include <optional>
#include <string>

namespace microkit::sdk {

// $MICROKIT_SDK's value (`env_value`, null or empty when unset) if given,
// else the executable's grandparent when it holds board/; else nothing.
// The value of $MICROKIT_SDK is returned as given, even when it names no
// folder, so that the caller reports the path the user typed.
std::optional<std::string> find_sdk_dir(const char* env_value, const std::string& exe_path);

// The same, for this process: $MICROKIT_SDK and /proc/self/exe.
std::optional<std::string> find_sdk_dir();

// <sdk>/board/<board>/<config>: the folder of one board configuration.
std::string config_dir(const std::string& sdk, const std::string& board, const std::string& config);

}  // namespace microkit::sdk
