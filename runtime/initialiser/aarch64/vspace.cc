// vspace.cc: the AArch64 side of initialiser/arch.h (seL4_ARM_* objects and
// invocations, seL4_UserContext's register order).
#include "runtime/initialiser/arch.h"

#include "runtime/initialiser/plain_fault_words.h"  // the fault report's words, shown as they are
#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser::arch {

namespace spec = microkit::initialiser_spec;

bool vm_object_type(uint32_t kind, seL4_Word* type) {
  switch (static_cast<spec::ObjectKind>(kind)) {
    case spec::ObjectKind::VSpace: *type = seL4_ARM_VSpaceObject; return true;
    case spec::ObjectKind::PageTable: *type = seL4_ARM_PageTableObject; return true;
    case spec::ObjectKind::SmallPage: *type = seL4_ARM_SmallPageObject; return true;
    case spec::ObjectKind::LargePage: *type = seL4_ARM_LargePageObject; return true;
    case spec::ObjectKind::HugePage: *type = seL4_ARM_HugePageObject; return true;
    case spec::ObjectKind::Vcpu:
#ifdef CONFIG_ARM_HYPERVISOR_SUPPORT
      *type = seL4_ARM_VCPUObject;
      return true;
#else
      return false;
#endif
    default: return false;
  }
}

seL4_Error assign_asid(seL4_CPtr vspace) {
  return seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace);
}

seL4_Error map_page_table(uint32_t, seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr) {
  return seL4_ARM_PageTable_Map(table, vspace, vaddr, seL4_ARM_Default_VMAttributes);
}

seL4_Error map_frame(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                     uint64_t attributes) {
  seL4_Word attr = 0;
  if (attributes & spec::kMapCacheable) attr |= seL4_ARM_PageCacheable;
  if (!(attributes & spec::kMapExecutable)) attr |= seL4_ARM_ExecuteNever;
  return seL4_ARM_Page_Map(frame, vspace, vaddr, rights, static_cast<seL4_ARM_VMAttributes>(attr));
}

seL4_Error map_for_copy(seL4_CPtr frame, seL4_Word vaddr) {
  return seL4_ARM_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, seL4_AllRights,
                           static_cast<seL4_ARM_VMAttributes>(seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever));
}

// Clean to the point of coherency: the PD may map the frame uncached.
seL4_Error finish_copy(seL4_CPtr frame, seL4_Word offset, seL4_Word length) {
  seL4_Error e = seL4_ARM_Page_Clean_Data(frame, offset, offset + length);
  seL4_Error u = seL4_ARM_Page_Unmap(frame);
  return e != seL4_NoError ? e : u;
}

seL4_Error unmap_frame(seL4_CPtr frame) { return seL4_ARM_Page_Unmap(frame); }

seL4_Error issue_irq(seL4_Word irq, uint32_t trigger, seL4_CPtr cnode, seL4_Word index, seL4_Uint8 depth) {
  return seL4_IRQControl_GetTrigger(seL4_CapIRQControl, irq, trigger, cnode, index, depth);
}

seL4_Error bind_vcpu(seL4_CPtr vcpu, seL4_CPtr tcb) {
#ifdef CONFIG_ARM_HYPERVISOR_SUPPORT
  return seL4_ARM_VCPU_SetTCB(vcpu, tcb);
#else
  (void)vcpu;
  (void)tcb;
  return seL4_IllegalOperation;
#endif
}

// pc and sp are the first two of the kernel's frame registers.
// Extended page tables are x86 VT-x only.
seL4_Error ept_map(const initialiser_spec::EptMapStep&) { return seL4_IllegalOperation; }
seL4_Error set_ept_root(seL4_CPtr, seL4_CPtr) { return seL4_IllegalOperation; }

seL4_Error write_pc_sp(seL4_CPtr tcb, seL4_Word pc, seL4_Word sp) {
  seL4_UserContext regs = {};
  regs.pc = pc;
  regs.sp = sp;
  return seL4_TCB_WriteRegisters(tcb, seL4_False, 0, 2, &regs);
}

}  // namespace microkit::initialiser::arch
