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

// Performs one checked step; seL4_NoError on success. BindUntyped and
// TcbSetName are the caller's (they need the spec's tables).
seL4_Error invoke_step(const spec::Step& step, const BootFacts& boot);

}  // namespace microkit::initialiser
