/* vmm: drives the bare guest of guest.S through the official Microkit calls
 * (microkit_vcpu_*) and fault() with the official message layout; prints
 * every event so that the test can hold each one down. It runs the guest's
 * two lives on first_vcpu, then (if the system has one) on second_vcpu. */
#include <microkit.h>

#define NO_VCPU ((seL4_Word)-1)
/* Written by the tool: the ids of the <vcpu>s with these setvar_ids. */
seL4_Word first_vcpu = NO_VCPU;
seL4_Word second_vcpu = NO_VCPU;
#define GUEST_ENTRY 0x40000000ul
#define MMIO_LIFE 0x10000000ul
#define MMIO_IRQ 0x10000008ul
#define MMIO_UNEXPECTED 0x10000010ul
#define VIRQ 40
#define VTIMER_IRQ 27
#define ESR_EC(esr) ((esr) >> 26)
#define ESR_EC_SMC64 0x17

static void put_hex(seL4_Word v)
{
    microkit_dbg_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        int d = (v >> shift) & 0xf;
        if (d || shift == 0 || (v >> shift) != 0) microkit_dbg_putc(d < 10 ? '0' + d : 'a' + d - 10);
    }
}

static void say(const char *s, seL4_Word v, const char *end)
{
    microkit_dbg_puts(s);
    put_hex(v);
    microkit_dbg_puts(end);
}

/* seL4 16.0.0 reads and writes the saved copy of a vCPU's registers when
 * the call runs on another core than the one the vCPU last ran on, while
 * the live values stay in that core's registers (readVCPUReg,
 * writeVCPUReg): so only the vCPU on the VMM's own core (first_vcpu) is
 * asked for its TPIDR_EL1. */
static seL4_Bool on_vmm_core(microkit_child vcpu)
{
    return vcpu == first_vcpu;
}

/* As a VMM library does: the guest starts in EL1h with every exception
 * masked (microkit_vcpu_restart sets only the pc), with `life` in x1 (and
 * in TPIDR_EL1). */
static seL4_Word lives[64];

static void start_guest(microkit_child vcpu, seL4_Word life)
{
    lives[vcpu] = life;
    seL4_UserContext regs = {0};
    regs.pc = GUEST_ENTRY;
    regs.spsr = 0x3c5;
    regs.x1 = life;
    seL4_Error err = seL4_TCB_WriteRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, 5, &regs);
    if (err != seL4_NoError) say("vmm: writing the guest's registers failed: ", err, "\n");
    if (on_vmm_core(vcpu)) microkit_vcpu_arm_write_reg(vcpu, seL4_VCPUReg_TPIDR_EL1, life);
    microkit_vcpu_restart(vcpu, GUEST_ENTRY);
}

void init(void)
{
    say("vmm: starting vcpu ", first_vcpu, "\n");
    start_guest(first_vcpu, 1);
}

void notified(microkit_channel ch)
{
    (void)ch;
}

/* The guest register an MMIO store came from (ESR ISS: SRT). */
/* The virtual timer's IRQ is in the guest: ack its VPPI when it ends. */
static seL4_Bool timer_injected;

static seL4_Word stored_value(microkit_child vcpu, seL4_Word esr)
{
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, sizeof regs / sizeof(seL4_Word), &regs);
    seL4_Word srt = (esr >> 16) & 0x1f;
    return srt == 31 ? 0 : (&regs.x0)[srt];
}

static void skip_instruction(microkit_child vcpu, seL4_Word pc)
{
    seL4_UserContext regs = {0};
    regs.pc = pc + 4;
    seL4_TCB_WriteRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, 1, &regs);
}

static seL4_Bool mmio(microkit_child vcpu)
{
    seL4_Word addr = microkit_mr_get(seL4_VMFault_Addr);
    seL4_Word pc = microkit_mr_get(seL4_VMFault_IP);
    seL4_Word esr = microkit_mr_get(seL4_VMFault_FSR);
    seL4_Word value = stored_value(vcpu, esr);
    say("vmm: vcpu ", vcpu, "");
    say(" stored ", value, "");
    say(" to guest-physical ", addr, (esr >> 6) & 1 ? " (a write)\n" : " (a read)\n");
    if (addr == MMIO_UNEXPECTED) {
        microkit_dbg_puts("vmm: the guest took an unexpected exception\n");
        microkit_vcpu_stop(vcpu);
        return seL4_False;
    }
    skip_instruction(vcpu, pc);
    return seL4_True;
}

/* A trapped smc: a vCPU fault at the smc itself. */
static seL4_Bool smc(microkit_child vcpu)
{
    say("vmm: smc from vcpu ", vcpu, " (a vCPU fault)\n");
    if (on_vmm_core(vcpu))
        say("vmm: the guest's TPIDR_EL1 reads ", microkit_vcpu_arm_read_reg(vcpu, seL4_VCPUReg_TPIDR_EL1), "\n");
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(BASE_VM_TCB_CAP + vcpu, seL4_False, 0, 1, &regs);
    skip_instruction(vcpu, regs.pc);
    return seL4_True;
}

/* seL4 takes a guest's hvc as a system call; with no such system call
 * (x7 = 0) it is an unknown-syscall fault at the hvc. The reply's
 * registers x0..x7 and pc are the guest's from then on. */
static seL4_Bool hvc(microkit_child vcpu, microkit_msginfo *reply_msginfo)
{
    seL4_Word x[8];
    for (int k = 0; k < 8; k++) x[k] = microkit_mr_get(seL4_UnknownSyscall_X0 + k);
    seL4_Word request = x[0];
    seL4_Word pc = microkit_mr_get(seL4_UnknownSyscall_FaultIP);
    say("vmm: hvc from vcpu ", vcpu, "");
    say(" (an unknown system call), x0 = ", request, "\n");
    if (request == 1) {
        say("vmm: injecting virtual IRQ ", VIRQ, "\n");
        microkit_vcpu_arm_inject_irq(vcpu, VIRQ, 0, 0, 0);
        for (int k = 0; k < 8; k++) microkit_mr_set(seL4_UnknownSyscall_X0 + k, x[k]);
        microkit_mr_set(seL4_UnknownSyscall_FaultIP, pc + 4);
        *reply_msginfo = microkit_msginfo_new(0, seL4_UnknownSyscall_FaultIP + 1);
        return seL4_True;
    }
    microkit_vcpu_stop(vcpu);
    if (lives[vcpu] == 1) {
        microkit_dbg_puts("vmm: stopped the vcpu; restarting it at its entry\n");
        start_guest(vcpu, 2);
        return seL4_False;
    }
    microkit_dbg_puts("vmm: the restarted guest ran through again; stopped it\n");
    if (vcpu == first_vcpu && second_vcpu != NO_VCPU) {
        say("vmm: starting vcpu ", second_vcpu, "\n");
        start_guest(second_vcpu, 1);
    }
    return seL4_False;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    *reply_msginfo = microkit_msginfo_new(0, 0);
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    switch (label) {
    case seL4_Fault_VMFault:
        return mmio(child);
    case seL4_Fault_UnknownSyscall:
        return hvc(child, reply_msginfo);
    case seL4_Fault_VCPUFault: {
        seL4_Word esr = microkit_mr_get(seL4_VCPUFault_HSR);
        if (ESR_EC(esr) == ESR_EC_SMC64) return smc(child);
        say("vmm: vcpu fault with ESR ", esr, "\n");
        break;
    }
    case seL4_Fault_VGICMaintenance:
        say("vmm: VGIC maintenance: list register ", microkit_mr_get(seL4_VGICMaintenance_IDX), "\n");
        if (timer_injected) {
            /* The guest ended the timer's IRQ: the kernel may deliver the next one. */
            microkit_dbg_puts("vmm: acking the virtual timer's VPPI\n");
            microkit_vcpu_arm_ack_vppi(child, VTIMER_IRQ);
            timer_injected = seL4_False;
        }
        return seL4_True;
    case seL4_Fault_VPPIEvent:
        say("vmm: VPPI event, IRQ ", microkit_mr_get(seL4_VPPIEvent_IRQ), "; injecting it\n");
        microkit_vcpu_arm_inject_irq(child, VTIMER_IRQ, 0, 0, 0);
        timer_injected = seL4_True;
        return seL4_True;
    default:
        say("vmm: unexpected fault, label ", label, "\n");
        break;
    }
    microkit_vcpu_stop(child);
    return seL4_False;
}
