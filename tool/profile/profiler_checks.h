// What the tool accepts of an SDF <profiler> (docs/profiling.md): a
// frequency of 1 to 10,000 samples a second. On seL4 boards the rest is
// checked where the profiler PD is added (sel4_profiler.h).
#pragma once

#include "board/board.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::profile {

inline constexpr uint64_t kMaxFrequency = 10000;

void check_profiler(const sdf::SystemDescription& sd, const board::Board& board, Diagnostics& diags);

}  // namespace microkit::profile
