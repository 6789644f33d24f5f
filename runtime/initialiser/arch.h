// arch.h: what invoke.cc needs from the architecture (aarch64/vspace.cc,
// riscv64/vspace.cc): the object types and invocations of virtual memory,
// and the registers that start a thread. Everything else is seL4's
// architecture-neutral API.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser::arch {

// seL4_ObjectType of a virtual-memory spec kind (VSpace, the page-table
// levels, the three page sizes, Vcpu); false when this kernel has no such
// object (X86PageDirectory and X86Pdpt exist on x86_64 only).
bool vm_object_type(uint32_t kind, seL4_Word* type);

// The ASID pool assignment, page-table map and frame map of the spec's
// steps. `attributes` is the spec's kMap* mask.
seL4_Error assign_asid(seL4_CPtr vspace);
// `table_kind` is PageTable, or on x86_64 X86PageDirectory or X86Pdpt (callers
// checked vm_object_type for it).
seL4_Error map_page_table(uint32_t table_kind, seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr);
seL4_Error map_frame(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                     uint64_t attributes);

// Maps `frame` into the initial task at `vaddr` (cacheable, not executable)
// for a copy, and afterwards makes [offset, offset + length) visible to the
// PD that will map it, then unmaps it.
seL4_Error map_for_copy(seL4_CPtr frame, seL4_Word vaddr);
seL4_Error finish_copy(seL4_CPtr frame, seL4_Word offset, seL4_Word length);
// Unmaps a 4 KiB frame (fault reports: the window page, fault_report.h).
seL4_Error unmap_frame(seL4_CPtr frame);

// An IRQ handler cap for interrupt `irq` with `trigger` (kTrigger*) into
// slot `index` (resolved with `depth` bits) of the CNode in root slot
// `cnode` (IrqIssue). x86 has no such plain IRQ numbers.
seL4_Error issue_irq(seL4_Word irq, uint32_t trigger, seL4_CPtr cnode, seL4_Word index, seL4_Uint8 depth);

// Binds a VCPU object to the TCB of the thread that runs it (VcpuSetTcb);
// seL4_IllegalOperation on a kernel without VCPUs.
seL4_Error bind_vcpu(seL4_CPtr vcpu, seL4_CPtr tcb);

// x86-64 VT-x guests (EptMap, TcbSetEptRoot): an EPT table or frame into a
// guest's EPT, and the EPT root of the thread that runs the guest's vCPU;
// seL4_IllegalOperation on other architectures and on kernels without VT-x.
seL4_Error ept_map(const initialiser_spec::EptMapStep& s);
seL4_Error set_ept_root(seL4_CPtr tcb, seL4_CPtr pml4);

// Sets a thread's program counter and stack pointer (nothing else).
seL4_Error write_pc_sp(seL4_CPtr tcb, seL4_Word pc, seL4_Word sp);

// Fault reports (print.h): a VM fault's status word (ARM's FSR, RISC-V's
// scause, x86's page-fault error code) and a user exception's number and
// code, each in this architecture's terms.
void put_fault_status(seL4_Word status);
void put_exception(seL4_Word number, seL4_Word code);

}  // namespace microkit::initialiser::arch
