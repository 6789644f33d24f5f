// vspace.cc: the x86-64 side of initialiser/arch.h (seL4_X86_* objects and
// invocations, seL4_UserContext's register order, x86 fault words).
//
// An x86-64 VSpace is a PML4 (seL4_X64_PML4Object); below it each level is
// its own object type: PDPT (1 GiB per entry), page directory (2 MiB per
// entry), page table (4 KiB per entry), so a MapPageTable step names its
// level (MapPageTableStep::table_kind). 1 GiB pages need CONFIG_HUGE_PAGE.
// seL4's x86 mappings have no execute-never attribute (every user page is
// executable), so kMapExecutable selects nothing; kMapCacheable absent means
// uncacheable (UC), for device registers.
#include "runtime/initialiser/arch.h"

#include "runtime/initialiser/print.h"
#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser::arch {

namespace spec = microkit::initialiser_spec;

bool vm_object_type(uint32_t kind, seL4_Word* type) {
  switch (static_cast<spec::ObjectKind>(kind)) {
    case spec::ObjectKind::VSpace: *type = seL4_X64_PML4Object; return true;
    case spec::ObjectKind::X86Pdpt: *type = seL4_X86_PDPTObject; return true;
    case spec::ObjectKind::X86PageDirectory: *type = seL4_X86_PageDirectoryObject; return true;
    case spec::ObjectKind::PageTable: *type = seL4_X86_PageTableObject; return true;
    case spec::ObjectKind::SmallPage: *type = seL4_X86_4K; return true;
    case spec::ObjectKind::LargePage: *type = seL4_X86_LargePageObject; return true;
    case spec::ObjectKind::HugePage:
#ifdef CONFIG_HUGE_PAGE
      *type = seL4_X64_HugePageObject;
      return true;
#else
      return false;
#endif
#ifdef CONFIG_VTX
    case spec::ObjectKind::Vcpu: *type = seL4_X86_VCPUObject; return true;
    case spec::ObjectKind::EptPml4: *type = seL4_X86_EPTPML4Object; return true;
    case spec::ObjectKind::EptPdpt: *type = seL4_X86_EPTPDPTObject; return true;
    case spec::ObjectKind::EptPd: *type = seL4_X86_EPTPDObject; return true;
    case spec::ObjectKind::EptPt: *type = seL4_X86_EPTPTObject; return true;
#else
    case spec::ObjectKind::Vcpu:
    case spec::ObjectKind::EptPml4:
    case spec::ObjectKind::EptPdpt:
    case spec::ObjectKind::EptPd:
    case spec::ObjectKind::EptPt:
      return false;
#endif
    default: return false;
  }
}

seL4_Error assign_asid(seL4_CPtr vspace) {
  return seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace);
}

seL4_Error map_page_table(uint32_t table_kind, seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr) {
  switch (static_cast<spec::ObjectKind>(table_kind)) {
    case spec::ObjectKind::X86Pdpt: return seL4_X86_PDPT_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
    case spec::ObjectKind::X86PageDirectory:
      return seL4_X86_PageDirectory_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
    default: return seL4_X86_PageTable_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
  }
}

seL4_Error map_frame(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                     uint64_t attributes) {
  bool cached = (attributes & spec::kMapCacheable) != 0;
  return seL4_X86_Page_Map(frame, vspace, vaddr, rights, cached ? seL4_X86_WriteBack : seL4_X86_Uncacheable);
}

seL4_Error map_for_copy(seL4_CPtr frame, seL4_Word vaddr) {
  return seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, seL4_AllRights, seL4_X86_WriteBack);
}

// x86 caches are coherent with instruction fetch and devices: only unmap.
seL4_Error finish_copy(seL4_CPtr frame, seL4_Word, seL4_Word) { return seL4_X86_Page_Unmap(frame); }

seL4_Error unmap_frame(seL4_CPtr frame) { return seL4_X86_Page_Unmap(frame); }

// x86 interrupts come from the IOAPIC or as MSIs, each with its own
// invocation (seL4_IRQControl_GetIOAPIC, _GetMSI) and so its own step
// kind; an IrqIssue step (ARM and RISC-V interrupt numbers) has no meaning.
seL4_Error issue_irq(seL4_Word, uint32_t, seL4_CPtr, seL4_Word, seL4_Uint8) { return seL4_IllegalOperation; }

seL4_Error bind_vcpu(seL4_CPtr vcpu, seL4_CPtr tcb) {
#ifdef CONFIG_VTX
  return seL4_X86_VCPU_SetTCB(vcpu, tcb);
#else
  (void)vcpu;
  (void)tcb;
  return seL4_IllegalOperation;
#endif
}

#ifdef CONFIG_VTX
// Guest memory: write-back when cacheable, else uncacheable (device MRs).
seL4_Error ept_map(const spec::EptMapStep& s) {
  auto attr = (s.attributes & spec::kMapCacheable) ? seL4_X86_EPT_WriteBack : seL4_X86_EPT_Uncacheable;
  switch (static_cast<spec::ObjectKind>(s.object_kind)) {
    case spec::ObjectKind::EptPdpt: return seL4_X86_EPTPDPT_Map(s.object_slot, s.pml4_slot, s.gpa, seL4_X86_EPT_Default_VMAttributes);
    case spec::ObjectKind::EptPd: return seL4_X86_EPTPD_Map(s.object_slot, s.pml4_slot, s.gpa, seL4_X86_EPT_Default_VMAttributes);
    case spec::ObjectKind::EptPt: return seL4_X86_EPTPT_Map(s.object_slot, s.pml4_slot, s.gpa, seL4_X86_EPT_Default_VMAttributes);
    default: break;
  }
  seL4_CapRights_t rights = seL4_CapRights_new(0, 0, (s.rights & spec::kRightRead) != 0, (s.rights & spec::kRightWrite) != 0);
  return seL4_X86_Page_MapEPT(s.object_slot, s.pml4_slot, s.gpa, rights, attr);
}

seL4_Error set_ept_root(seL4_CPtr tcb, seL4_CPtr pml4) { return seL4_TCB_SetEPTRoot(tcb, pml4); }
#else
seL4_Error ept_map(const spec::EptMapStep&) { return seL4_IllegalOperation; }
seL4_Error set_ept_root(seL4_CPtr, seL4_CPtr) { return seL4_IllegalOperation; }
#endif

// seL4_UserContext on x86-64 starts rip, rsp: two registers (rflags and the
// rest keep the values the kernel gave the new thread).
seL4_Error write_pc_sp(seL4_CPtr tcb, seL4_Word pc, seL4_Word sp) {
  seL4_UserContext regs = {};
  regs.rip = pc;
  regs.rsp = sp;
  return seL4_TCB_WriteRegisters(tcb, seL4_False, 0, 2, &regs);
}

namespace {

// The page-fault error code's bits (Intel SDM vol. 3, "Interrupt 14").
constexpr seL4_Word kPfPresent = 1u << 0, kPfWrite = 1u << 1, kPfUser = 1u << 2, kPfReserved = 1u << 3,
                    kPfFetch = 1u << 4;

// Names of the exception vectors a user thread can raise.
const char* exception_name(seL4_Word vector) {
  switch (vector) {
    case 0: return "divide error";
    case 1: return "debug";
    case 3: return "breakpoint";
    case 4: return "overflow";
    case 5: return "bound range exceeded";
    case 6: return "invalid opcode";
    case 7: return "device not available";
    case 12: return "stack fault";
    case 13: return "general protection";
    case 16: return "x87 floating-point error";
    case 17: return "alignment check";
    case 19: return "SIMD floating-point exception";
    default: return nullptr;
  }
}

}  // namespace

// "error code 0x... (not present, write, user)".
void put_fault_status(seL4_Word status) {
  print::put("error code ");
  print::hex(status);
  print::put((status & kPfPresent) ? " (protection" : " (not present");
  print::put((status & kPfWrite) ? ", write" : ", read");
  if (status & kPfFetch) print::put(", instruction fetch");
  if (status & kPfReserved) print::put(", reserved bit set");
  print::put((status & kPfUser) ? ", user)" : ", kernel)");
}

// "vector 13 (general protection) error code 0".
void put_exception(seL4_Word number, seL4_Word code) {
  print::put("vector ");
  print::dec(number);
  if (const char* name = exception_name(number)) {
    print::put(" (");
    print::put(name);
    print::put(")");
  }
  print::put(" error code ");
  print::dec(code);
}

}  // namespace microkit::initialiser::arch
