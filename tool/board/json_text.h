// JSON input helpers shared by the readers of the tool's JSON data files
// (boards/*.json, a kernel package's gen_config.json and friends).
//
// nlohmann-json is used without exceptions: parse() is asked to return a
// "discarded" value on error, and a second, SAX-only pass recovers the byte
// position of the error, which is turned into file:line:col. nlohmann keeps
// no positions for keys, so a key's location is found by searching the text
// for its first `"key":`; that is exact for keys that appear once and points
// at the first use otherwise, which is good enough to lead a reader there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/diagnostics.h"

namespace microkit::json_text {

using Json = nlohmann::json;

// Location of the first `"key"` that is followed by ':' (an object key), or
// of nothing (Loc{}) when there is none.
Loc loc_of_key(std::string_view text, std::string_view key);

// Parses `text`; on malformed JSON adds error `id` at the error's line:col.
std::optional<Json> parse(std::string_view text, const std::string& file, const std::string& id,
                          Diagnostics& diags);

// Reads a whole file; on failure adds error `id` naming it.
std::optional<std::string> read_file(const std::string& path, const std::string& id,
                                     Diagnostics& diags);

// A non-negative integer: a JSON unsigned number, or a string holding a
// decimal or 0x-prefixed hexadecimal number (JSON has no hex literals, and
// addresses read better in hex).
std::optional<uint64_t> to_u64(const Json& value);

}  // namespace microkit::json_text
