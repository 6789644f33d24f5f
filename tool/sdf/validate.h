// SDF validator: every rule of the Microkit manual that relates elements to
// each other or to the target board.
//
// Input is a SystemDescription as the parser left it (shape already checked)
// and the Board/Config the system is built for; the result is diagnostics
// only. All independent problems are reported in one pass. Runs in time
// linear in the size of the description (hash maps, no pairwise scans except
// where the rule itself is pairwise, e.g. overlapping maps within one PD,
// which are sorted first).
#pragma once

#include "board/board.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::sdf {

void validate(const SystemDescription& sd, const board::Board& board,
              const board::Config& config, Diagnostics& diags);

}  // namespace microkit::sdf
