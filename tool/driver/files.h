// Reading whole files for the driver, with a reason on failure.
//
// The driver is the one part of the tool that touches the file system for
// inputs (the SDF, prefill files); everything it reads goes through here so
// that failures are described the same way everywhere.
#pragma once

#include <optional>
#include <string>

namespace microkit::driver {

// The contents of the file at `path`, or nullopt with `why` set to a short
// reason ("No such file or directory", "it is a directory", ...).
std::optional<std::string> read_file(const std::string& path, std::string& why);

}  // namespace microkit::driver
