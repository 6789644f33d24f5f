// vspace.cc: the RISC-V 64 side of initialiser/arch.h (seL4_RISCV_* objects
// and invocations, seL4_UserContext's register order).
//
// On RISC-V a VSpace is a top-level page table (seL4_RISCV_PageTableObject
// for both spec kinds); 1 GiB pages are "giga" pages. seL4 has no
// cacheability attribute here (every mapping is cacheable), so the spec's
// kMapCacheable has nothing to select; only "not executable" maps to an
// attribute.
#include "runtime/initialiser/arch.h"

#include "runtime/initialiser/plain_fault_words.h"  // the fault report's words, shown as they are
#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser::arch {

namespace spec = microkit::initialiser_spec;

bool vm_object_type(uint32_t kind, seL4_Word* type) {
  switch (static_cast<spec::ObjectKind>(kind)) {
    case spec::ObjectKind::VSpace: *type = seL4_RISCV_PageTableObject; return true;
    case spec::ObjectKind::PageTable: *type = seL4_RISCV_PageTableObject; return true;
    case spec::ObjectKind::SmallPage: *type = seL4_RISCV_4K_Page; return true;
    case spec::ObjectKind::LargePage: *type = seL4_RISCV_Mega_Page; return true;
    case spec::ObjectKind::HugePage: *type = seL4_RISCV_Giga_Page; return true;
    default: return false;  // no VCPUs on RISC-V
  }
}

seL4_Error assign_asid(seL4_CPtr vspace) {
  return seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace);
}

seL4_Error map_page_table(uint32_t, seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr) {
  return seL4_RISCV_PageTable_Map(table, vspace, vaddr, seL4_RISCV_Default_VMAttributes);
}

seL4_Error map_frame(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                     uint64_t attributes) {
  bool execute = (attributes & spec::kMapExecutable) != 0;
  return seL4_RISCV_Page_Map(frame, vspace, vaddr, rights,
                             execute ? seL4_RISCV_Default_VMAttributes : seL4_RISCV_ExecuteNever);
}

seL4_Error map_for_copy(seL4_CPtr frame, seL4_Word vaddr) {
  return seL4_RISCV_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, seL4_AllRights,
                             seL4_RISCV_ExecuteNever);
}

// Caches are coherent; the copy only has to reach instruction fetch if the
// PD executes it (fence.i orders this hart's stores before its fetches).
seL4_Error finish_copy(seL4_CPtr frame, seL4_Word, seL4_Word) {
  asm volatile("fence.i" ::: "memory");
  return seL4_RISCV_Page_Unmap(frame);
}

seL4_Error unmap_frame(seL4_CPtr frame) { return seL4_RISCV_Page_Unmap(frame); }

seL4_Error issue_irq(seL4_Word irq, uint32_t trigger, seL4_CPtr cnode, seL4_Word index, seL4_Uint8 depth) {
  return seL4_IRQControl_GetTrigger(seL4_CapIRQControl, irq, trigger, cnode, index, depth);
}

// RISC-V has no VCPU objects in seL4.
seL4_Error bind_vcpu(seL4_CPtr, seL4_CPtr) { return seL4_IllegalOperation; }

// seL4_UserContext on RISC-V starts pc, ra, sp: three registers, ra = 0.
// Extended page tables are x86 VT-x only.
seL4_Error ept_map(const initialiser_spec::EptMapStep&) { return seL4_IllegalOperation; }
seL4_Error set_ept_root(seL4_CPtr, seL4_CPtr) { return seL4_IllegalOperation; }

seL4_Error write_pc_sp(seL4_CPtr tcb, seL4_Word pc, seL4_Word sp) {
  seL4_UserContext regs = {};
  regs.pc = pc;
  regs.sp = sp;
  return seL4_TCB_WriteRegisters(tcb, seL4_False, 0, 3, &regs);
}

}  // namespace microkit::initialiser::arch
