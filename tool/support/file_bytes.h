// Reading a whole binary file in one go.
//
// Every ELF, loader and kernel the tool reads goes through here: one read of
// the file's size, not a byte-at-a-time stream (which made reading the
// kernel the largest part of building a small system's image).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace microkit {

// The bytes of the regular file at `path`, or nullopt if it cannot be opened
// or read.
std::optional<std::vector<uint8_t>> read_file_bytes(const std::string& path);

}  // namespace microkit
