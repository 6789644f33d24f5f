// invoke.h: one seL4 invocation per spec step (the "invoke" half of decode
// then invoke). Callers pass only steps that check_step() accepted, and
// check the returned error themselves.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/initialiser/spec_decode.h"

namespace microkit::initialiser {

// The seL4_ObjectType number of a spec object kind in this kernel build,
// or false when this kernel has no such object (e.g. a VCPU without
// hypervisor support): a decode-time check.
bool object_type(uint32_t kind, seL4_Word* type);

// Performs one checked step; seL4_NoError on success. UntypedFromBoot and
// TcbSetName are the caller's (they need the bootinfo or the PD table).
seL4_Error invoke_step(const spec::Step& step, const BootFacts& boot);

// An Untyped of 2^size_bits from the untyped in root slot `untyped_slot`
// into root slot `dest_slot` (UntypedFromBoot, once the untyped is chosen).
seL4_Error retype_untyped(uint64_t untyped_slot, uint32_t size_bits, uint64_t dest_slot);

}  // namespace microkit::initialiser
