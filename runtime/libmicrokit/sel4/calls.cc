// calls.cc: the libmicrokit calls on seL4 (manual, "libmicrokit" chapter).
//
// Each call checks the caller's id against the tool-patched masks first (no
// side effect on a bad id, just a message), then makes one invocation on the
// capability pd_abi.h puts at base + id. Invocations on a PD's own children
// and vCPUs cannot fail when the plan is right; if one does, the PD stops
// with a message naming the call (microkit_internal_crash).
#include "internal.h"
#include "trace_ring.h"

#include "arch_context.h"  // of this architecture's folder (-I)

using microkit::sel4::fail;
using microkit::sel4::id_allowed;
using microkit::sel4::report_bad_id;
namespace arch = microkit::sel4::arch;

namespace {

bool channel_ok(seL4_Word mask, microkit_channel ch, const char* call) {
  if (id_allowed(mask, ch, MICROKIT_PD_MAX_CHANNEL_ID)) return true;
  report_bad_id(call, "channel given", ch);
  return false;
}

// seL4_TCB_WriteRegisters writes the first `count` registers of
// seL4_UserContext. pc comes first on every architecture; writing up to sp
// (arch_context.h: AArch64 pc, sp; RISC-V pc, ra, sp; x86-64 rip, rsp)
// starts the thread at `entry_point` on a fresh stack (the stack top every
// PD has, pd_abi.h), so a child restarted after a fault does not keep the
// stack its fault left in use. crt0 resets sp too, for restarts made by
// other means.
using arch::kRegistersThroughSp;

void restart_tcb(seL4_CPtr tcb, seL4_Word entry_point, seL4_Word registers, const char* step) {
  seL4_UserContext ctxt{};
  arch::set_pc_sp(ctxt, entry_point, MICROKIT_PD_STACK_TOP(seL4_UserVSpaceTop));
  seL4_Error err = seL4_TCB_WriteRegisters(tcb, seL4_True, 0, registers, &ctxt);
  if (err != seL4_NoError) fail(step, err);
}

void defer(seL4_CPtr cap, seL4_Word label) {
  microkit_have_signal = seL4_True;
  microkit_signal_msg = seL4_MessageInfo_new(label, 0, 0, 0);
  microkit_signal_cap = cap;
}

}  // namespace

extern "C" {

void microkit_notify(microkit_channel ch) {
  if (!channel_ok(microkit_notifications, ch, "microkit_notify")) return;
  MICROKIT_TRACE_EVENT(Notify, ch, 0);
  seL4_Signal(MICROKIT_PD_BASE_NOTIFICATION + ch);
}

void microkit_irq_ack(microkit_channel ch) {
  if (!channel_ok(microkit_irqs, ch, "microkit_irq_ack")) return;
  MICROKIT_TRACE_EVENT(IrqAck, ch, 0);
  seL4_IRQHandler_Ack(MICROKIT_PD_BASE_IRQ + ch);
}

microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo) {
  if (!channel_ok(microkit_pps, ch, "microkit_ppcall")) return seL4_MessageInfo_new(0, 0, 0, 0);
#if defined(MICROKIT_TRACE)
  MICROKIT_TRACE_EVENT(PpcCall, ch, seL4_MessageInfo_get_label(msginfo));
  seL4_MessageInfo_t reply = seL4_Call(MICROKIT_PD_BASE_PPC_ENDPOINT + ch, msginfo);
  MICROKIT_TRACE_EVENT(PpcReturn, ch, seL4_MessageInfo_get_label(reply));
  return reply;
#else
  return seL4_Call(MICROKIT_PD_BASE_PPC_ENDPOINT + ch, msginfo);
#endif
}

// Only one signal can be deferred: a second call replaces the first.
void microkit_deferred_notify(microkit_channel ch) {
  if (!channel_ok(microkit_notifications, ch, "microkit_deferred_notify")) return;
  MICROKIT_TRACE_EVENT(DeferredNotify, ch, 0);
  defer(MICROKIT_PD_BASE_NOTIFICATION + ch, 0);
}

void microkit_deferred_irq_ack(microkit_channel ch) {
  if (!channel_ok(microkit_irqs, ch, "microkit_deferred_irq_ack")) return;
  MICROKIT_TRACE_EVENT(DeferredIrqAck, ch, 0);
  defer(MICROKIT_PD_BASE_IRQ + ch, IRQAckIRQ);  // a Send of this label is IRQHandler_Ack
}

void microkit_pd_restart(microkit_child pd, seL4_Word entry_point) {
  MICROKIT_TRACE_EVENT(Restart, pd, 0);
  restart_tcb(MICROKIT_PD_BASE_CHILD_TCB + pd, entry_point, kRegistersThroughSp, "microkit_pd_restart: writing the child's registers");
}

void microkit_pd_stop(microkit_child pd) {
  MICROKIT_TRACE_EVENT(Stop, pd, 0);
  seL4_Error err = seL4_TCB_Suspend(MICROKIT_PD_BASE_CHILD_TCB + pd);
  if (err != seL4_NoError) fail("microkit_pd_stop: suspending the child's TCB", err);
}

void microkit_pd_resume(microkit_child pd) {
  MICROKIT_TRACE_EVENT(Resume, pd, 0);
  seL4_Error err = seL4_TCB_Resume(MICROKIT_PD_BASE_CHILD_TCB + pd);
  if (err != seL4_NoError) fail("microkit_pd_resume: resuming the child's TCB", err);
}

void microkit_mr_set(seL4_Uint8 mr, seL4_Word value) { seL4_SetMR(mr, value); }

seL4_Word microkit_mr_get(seL4_Uint8 mr) { return seL4_GetMR(mr); }

seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word slot) {
  if (slot == 0 || slot >= MICROKIT_PD_MAX_USER_CAPS) return seL4_CapNull;
  return MICROKIT_PD_BASE_USER_CAPS + slot;
}

// Patched by the tool when the PD's <cspace> grants its own CNode
// (docs/cspace.md); in .data so that the patch lands in file bytes.
__attribute__((section(".data.microkit_patched"), used)) seL4_CPtr microkit_cspace_cnode = seL4_CapNull;

void microkit_internal_crash(seL4_Error err) {
  // A store to address `err`: the fault handler sees the error as the
  // fault address. Volatile so the compiler keeps the store.
  *reinterpret_cast<volatile int*>(static_cast<seL4_Word>(err)) = 0;
}

#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point) {
  // Only pc: a guest's stack is its own business.
  restart_tcb(MICROKIT_PD_BASE_VM_TCB + vcpu, entry_point, 1, "microkit_vcpu_restart: writing the VM's registers");
}

void microkit_vcpu_stop(microkit_child vcpu) {
  seL4_Error err = seL4_TCB_Suspend(MICROKIT_PD_BASE_VM_TCB + vcpu);
  if (err != seL4_NoError) fail("microkit_vcpu_stop: suspending the VM's TCB", err);
}

void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority,
                                  seL4_Uint8 group, seL4_Uint8 index) {
  seL4_Error err = seL4_ARM_VCPU_InjectIRQ(MICROKIT_PD_BASE_VCPU + vcpu, irq, priority, group, index);
  if (err != seL4_NoError) fail("microkit_vcpu_arm_inject_irq: injecting the IRQ", err);
}

void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq) {
  seL4_Error err = seL4_ARM_VCPU_AckVPPI(MICROKIT_PD_BASE_VCPU + vcpu, irq);
  if (err != seL4_NoError) fail("microkit_vcpu_arm_ack_vppi: acknowledging the VPPI", err);
}

seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg) {
  seL4_ARM_VCPU_ReadRegs_t ret = seL4_ARM_VCPU_ReadRegs(MICROKIT_PD_BASE_VCPU + vcpu, static_cast<seL4_VCPUReg>(reg));
  if (ret.error != seL4_NoError) fail("microkit_vcpu_arm_read_reg: reading the vCPU register", static_cast<seL4_Error>(ret.error));
  return ret.value;
}

void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value) {
  seL4_Error err = seL4_ARM_VCPU_WriteRegs(MICROKIT_PD_BASE_VCPU + vcpu, static_cast<seL4_VCPUReg>(reg), value);
  if (err != seL4_NoError) fail("microkit_vcpu_arm_write_reg: writing the vCPU register", err);
}
#endif  // CONFIG_ARM_HYPERVISOR_SUPPORT

#if defined(CONFIG_ALLOW_SMC_CALLS)
void microkit_arm_smc_call(seL4_ARM_SMCContext* args, seL4_ARM_SMCContext* response) {
  seL4_Error err = seL4_ARM_SMC_Call(MICROKIT_PD_SLOT_ARM_SMC, args, response);
  if (err != seL4_NoError) fail("microkit_arm_smc_call: making the SMC call", err);
}
#endif  // CONFIG_ALLOW_SMC_CALLS

}  // extern "C"
