// vcpu.cc: the x86-64 VT-x vCPU calls of microkit.h (manual: "x86 VCPU").
//
// On x86 a VM's one vCPU is bound to the VMM's own TCB (the tool plans it so,
// tool/plan/sel4_plan.cc), and the VMM holds the VCPU cap at
// MICROKIT_PD_BASE_VCPU + id. Each call is one invocation of that cap; a
// refusal by the kernel (a VMCS field or MSR it does not let user level
// touch, a port outside the I/O port cap) stops the PD naming the call.
// Three VMCS fields (guest rip, primary processor-based controls, entry
// interruption info) travel in message registers with every seL4_VMEnter,
// so they live in microkit_x86_vcpu_state and the VMCS calls read and write
// them there, as the official library does. microkit_vcpu_x86_on/off only
// set whether the event loop (event_loop.cc) enters the guest.
#include "../internal.h"

#if defined(CONFIG_VTX)

using microkit::sel4::fail;
using microkit::sel4::id_allowed;
using microkit::sel4::report_bad_id;

extern "C" {
// .data, not .bss: the tool patches it into file bytes (pd_abi.h).
__attribute__((section(".data.microkit_patched"), used)) seL4_Word microkit_x86_vcpu_id;
struct microkit_x86_vcpu_state microkit_x86_vcpu_state;
}

namespace {

// Where a VMCS field is kept when it travels with VMEnter; null otherwise.
seL4_Word* entry_field(seL4_Word field) {
  auto& s = microkit_x86_vcpu_state;
  switch (field) {
    case MICROKIT_VMX_GUEST_RIP: return &s.rip;
    case MICROKIT_VMX_CONTROL_PRIMARY_PROCESSOR_CONTROLS: return &s.prim_proc_ctl;
    case MICROKIT_VMX_CONTROL_ENTRY_INTERRUPTION_INFO: return &s.irq_info;
    default: return nullptr;
  }
}

seL4_CPtr vcpu_cap(microkit_child vcpu) { return MICROKIT_PD_BASE_VCPU + vcpu; }

template <class Result>
seL4_Word checked(Result r, const char* call) {
  if (r.error != seL4_NoError) fail(call, static_cast<seL4_Error>(r.error));
  return r.value;
}

void check(seL4_Error err, const char* call) {
  if (err != seL4_NoError) fail(call, err);
}

}  // namespace

namespace microkit::sel4::x86 {

bool vm_enter(seL4_Word* badge) {
  auto& s = microkit_x86_vcpu_state;
  seL4_SetMR(SEL4_VMENTER_CALL_EIP_MR, s.rip);
  seL4_SetMR(SEL4_VMENTER_CALL_CONTROL_PPC_MR, s.prim_proc_ctl);
  seL4_SetMR(SEL4_VMENTER_CALL_INTERRUPT_INFO_MR, s.irq_info);
  bool exited = seL4_VMEnter(badge) == SEL4_VMENTER_RESULT_FAULT;
  s.rip = seL4_GetMR(SEL4_VMENTER_CALL_EIP_MR);
  s.prim_proc_ctl = seL4_GetMR(SEL4_VMENTER_CALL_CONTROL_PPC_MR);
  s.irq_info = seL4_GetMR(SEL4_VMENTER_CALL_INTERRUPT_INFO_MR);
  return exited;
}

}  // namespace microkit::sel4::x86

extern "C" {

void microkit_vcpu_x86_on(void) { microkit_x86_vcpu_state.is_on = seL4_True; }

void microkit_vcpu_x86_off(void) { microkit_x86_vcpu_state.is_on = seL4_False; }

seL4_Word microkit_vcpu_x86_read_vmcs(microkit_child vcpu, seL4_Word field) {
  if (const seL4_Word* kept = entry_field(field)) return *kept;
  return checked(seL4_X86_VCPU_ReadVMCS(vcpu_cap(vcpu), field), "microkit_vcpu_x86_read_vmcs: reading the VMCS field");
}

void microkit_vcpu_x86_write_vmcs(microkit_child vcpu, seL4_Word field, seL4_Word value) {
  if (seL4_Word* kept = entry_field(field)) {
    *kept = value;  // the kernel writes it into the VMCS at the next VMEnter
    return;
  }
  auto r = seL4_X86_VCPU_WriteVMCS(vcpu_cap(vcpu), field, value);
  check(static_cast<seL4_Error>(r.error), "microkit_vcpu_x86_write_vmcs: writing the VMCS field");
}

seL4_Word microkit_vcpu_x86_read_msr(microkit_child vcpu, seL4_Word field) {
  return checked(seL4_X86_VCPU_ReadMSR(vcpu_cap(vcpu), field), "microkit_vcpu_x86_read_msr: reading the MSR");
}

void microkit_vcpu_x86_write_msr(microkit_child vcpu, seL4_Word field, seL4_Word value) {
  auto r = seL4_X86_VCPU_WriteMSR(vcpu_cap(vcpu), field, value);
  check(static_cast<seL4_Error>(r.error), "microkit_vcpu_x86_write_msr: writing the MSR");
}

void microkit_vcpu_x86_enable_ioport(microkit_child vcpu, microkit_ioport ioport_id, seL4_Word port_addr,
                                     seL4_Word length) {
  if (!id_allowed(microkit_ioports, ioport_id, MICROKIT_PD_MAX_IOPORT_ID)) {
    report_bad_id("microkit_vcpu_x86_enable_ioport", "I/O port id", ioport_id);
    return;
  }
  // The kernel's range is inclusive: [low, high].
  check(seL4_X86_VCPU_EnableIOPort(vcpu_cap(vcpu), MICROKIT_PD_BASE_IOPORT + ioport_id, port_addr,
                                   port_addr + length - 1),
        "microkit_vcpu_x86_enable_ioport: enabling the ports");
}

void microkit_vcpu_x86_disable_ioport(microkit_child vcpu, seL4_Word port_addr, seL4_Word length) {
  check(seL4_X86_VCPU_DisableIOPort(vcpu_cap(vcpu), port_addr, port_addr + length - 1),
        "microkit_vcpu_x86_disable_ioport: disabling the ports");
}

void microkit_vcpu_x86_write_regs(microkit_child vcpu, seL4_VCPUContext* regs) {
  check(seL4_X86_VCPU_WriteRegisters(vcpu_cap(vcpu), regs), "microkit_vcpu_x86_write_regs: writing the registers");
}

}  // extern "C"

#endif  // CONFIG_VTX
