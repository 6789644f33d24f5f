// capdl_json: a capDL spec (capdl_spec.h) as the JSON the official Microkit
// tool writes for --capdl-json: the serde form of rust-sel4's capDL spec
// types (crate sel4-capdl-initializer-types, `Spec`), so tools that read the
// official file read ours. Field names and order, enum tagging ("Endpoint"
// for a unit variant, {"CNode": {...}} otherwise) and the 2-space
// indentation follow that form; docs/cli.md lists what each field holds.
#pragma once

#include <string>

#include "sel4/capdl_spec.h"

namespace microkit::capdl {

// A granted SchedControl cap, which rust-sel4's types have no variant for,
// is written as {"SchedControl": {"core": N}}: the driver lets such a spec
// out only as --capdl-json-extended (for checking tools, not for the
// official initializer) and refuses --capdl-json for it.
std::string to_json(const Spec& spec);

}  // namespace microkit::capdl
