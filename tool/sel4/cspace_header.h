// The per-PD CSpace header (docs/cspace.md): C preprocessor constants, usable
// from C and C++, naming the CPtr of every <cspace> grant of a protection
// domain and where its free slots start, derived from the Plan alone (the
// slots are the ABI's, runtime/shared/pd_abi.h). Written by
// `microkit ... --cspace-headers DIR` as DIR/<pd>_cspace.h.
#pragma once

#include <string>

#include "plan/plan.h"

namespace microkit::sel4 {

// The header's file name for a PD: "<pd>_cspace.h", with characters a file
// or C name should not hold replaced by '_'.
std::string cspace_header_name(const std::string& pd_name);

// The header's text for Plan::pds[pd]; `system` names the SDF in its comment.
std::string cspace_header(const plan::Plan& plan, size_t pd, const std::string& system);

}  // namespace microkit::sel4
