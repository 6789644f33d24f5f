// arch.h: what invoke.cc needs from the architecture (aarch64/vspace.cc,
// riscv64/vspace.cc): the object types and invocations of virtual memory,
// and the registers that start a thread. Everything else is seL4's
// architecture-neutral API.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

namespace microkit::initialiser::arch {

// seL4_ObjectType of a virtual-memory spec kind (VSpace, PageTable, the
// three page sizes, Vcpu); false when this kernel has no such object.
bool vm_object_type(uint32_t kind, seL4_Word* type);

// The ASID pool assignment, page-table map and frame map of the spec's
// steps. `attributes` is the spec's kMap* mask.
seL4_Error assign_asid(seL4_CPtr vspace);
seL4_Error map_page_table(seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr);
seL4_Error map_frame(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                     uint64_t attributes);

// Maps `frame` into the initial task at `vaddr` (cacheable, not executable)
// for a copy, and afterwards makes [offset, offset + length) visible to the
// PD that will map it, then unmaps it.
seL4_Error map_for_copy(seL4_CPtr frame, seL4_Word vaddr);
seL4_Error finish_copy(seL4_CPtr frame, seL4_Word offset, seL4_Word length);

// Sets a thread's program counter and stack pointer (nothing else).
seL4_Error write_pc_sp(seL4_CPtr tcb, seL4_Word pc, seL4_Word sp);

}  // namespace microkit::initialiser::arch
