// untypeds.h: the untyped each Retype step draws from.
//
// An exact spec (ARM, RISC-V) names the kernel's untypeds: index i is root
// slot untyped_start + i. A bound spec (x86_64, initialiser_spec.h) names
// its own planned untypeds, and a BindUntyped step makes a real untyped
// stand for each before any Retype uses it (boot_memory.h chooses where the
// memory comes from). This file keeps that binding and performs the
// BindUntyped retypes.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser {

// Before the first step: the kernel's untypeds, and whether the spec binds.
void untypeds_start(const seL4_BootInfo* bi, bool bound);

// Root slot of untyped `index` as Retype steps name it; 0 for a planned
// untyped that no BindUntyped step has bound yet.
uint64_t untyped_slot(uint64_t index);

// A checked BindUntyped step for the planned untyped `planned`. Returns
// nullptr when done, else a sentence; `*error` is the seL4 error of a
// refused retype (seL4_NoError when the sentence says why).
const char* bind_untyped(const initialiser_spec::BindUntypedStep& step, const initialiser_spec::ExpectedUntyped& planned,
                         seL4_Error* error);

}  // namespace microkit::initialiser
