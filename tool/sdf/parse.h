// SDF parser: XML text -> SystemDescription.
//
// Uses expat (a streaming parser that reports the exact line and column of
// every start tag and every well-formedness error) and recovers the column of
// each attribute from the start tag's bytes. It checks the *shape* of the
// document: known elements in known places, known attributes, required
// attributes present, values well-formed (numbers, booleans, enums). Rules
// that relate elements to each other or to a board are the validator's.
// Unknown elements and attributes are errors with a "did you mean" hint.
// It never stops at the first error: every independent error is reported.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::sdf {

// Parses `text` (the contents of `file`). Returns a description whenever the
// XML is well-formed, even if `diags` gained errors, so that the validator
// can report more; returns nullopt only when nothing useful could be read.
std::optional<SystemDescription> parse(std::string_view text, const std::string& file,
                                       Diagnostics& diags);

}  // namespace microkit::sdf
