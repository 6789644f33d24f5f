// What the tool accepts of an SDF <profiler> (docs/profiling.md): a
// frequency of 1 to 10,000 samples a second, on the host platform (the
// seL4 profiler PD is not built yet: refused at the element).
#pragma once

#include "board/board.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::profile {

inline constexpr uint64_t kMaxFrequency = 10000;

void check_profiler(const sdf::SystemDescription& sd, const board::Board& board, Diagnostics& diags);

}  // namespace microkit::profile
