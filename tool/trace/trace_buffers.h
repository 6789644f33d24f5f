// trace_buffers: what `--trace` adds to a Plan (docs/tracing.md).
//
// Each PD gets a memory region of its own for its event ring
// (runtime/shared/trace_format.h), mapped read-write into that PD only, at
// the first page-aligned address above everything else the PD maps or
// loads (with one unmapped page between), and the ring's address and size
// are patched into the program's microkit_trace_buffer and
// microkit_trace_size, as setvar would. A program not linked against the
// trace build of libmicrokit lacks those symbols: that is an error at its
// <program_image>, since the system would run without a timeline for it.
// Added after plan::build, so every back end (host bundle, seL4 objects,
// report, capDL) sees the regions as ordinary ones.
#pragma once

#include <cstdint>
#include <string>

#include "board/board.h"
#include "plan/plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::trace {

// Name of the region holding `pd`'s ring (trace_format.h: kRingMrPrefix).
// The launcher finds rings by it.
std::string ring_mr_name(const std::string& pd);

// Adds a ring of `ring_bytes` (rounded up to pages) to every PD of `plan`.
// False, with errors, when a program lacks the trace symbols or a ring does
// not fit the PD's address space.
bool add_trace_buffers(plan::Plan& plan, const sdf::SystemDescription& sd,
                       const plan::Inputs& inputs, const board::Board& board,
                       uint64_t ring_bytes, Diagnostics& diags);

}  // namespace microkit::trace
