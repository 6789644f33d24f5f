/*
 * vmm.c: a VMM for x86_64_generic_vtx written only against the official
 * Microkit API (microkit.h's x86 vCPU calls and SEL4_VMENTER_* message
 * registers), to show such a program builds unchanged against this SDK.
 * The guest is 16 bytes of real-mode code the VMM writes into guest RAM:
 * it writes 'G' to COM1 (port 0x3f8, passed through) and halts. The VMM
 * steps over each exit it is shown and stops the guest at the halt.
 * It never runs here: QEMU's TCG has no VT-x (docs/virtual-machines.md).
 */
#include <stdint.h>
#include <microkit.h>

#define GUEST_VCPU 0
#define COM1_IOPORT 0
#define GUEST_ENTRY 0x1000
#define EXIT_REASON_HLT 12
#define EXIT_REASON_IO 30
#define VMCS_GUEST_CR0 0x6800
#define MSR_IA32_EFER 0xc0000080

uintptr_t guest_ram; /* setvar_vaddr: the VMM's view of guest RAM */

/* mov dx, 0x3f8; mov al, 'G'; out dx, al; hlt */
static const uint8_t guest_code[] = {0xba, 0xf8, 0x03, 0xb0, 0x47, 0xee, 0xf4};

void init(void)
{
    volatile uint8_t *ram = (volatile uint8_t *)guest_ram;
    for (unsigned i = 0; i < sizeof(guest_code); i++) {
        ram[GUEST_ENTRY + i] = guest_code[i];
    }
    seL4_VCPUContext regs = {0};
    microkit_vcpu_x86_write_regs(GUEST_VCPU, &regs);
    microkit_vcpu_x86_write_vmcs(GUEST_VCPU, MICROKIT_VMX_GUEST_RIP, GUEST_ENTRY);
    microkit_vcpu_x86_write_vmcs(GUEST_VCPU, MICROKIT_VMX_CONTROL_ENTRY_INTERRUPTION_INFO, 0);
    microkit_vcpu_x86_enable_ioport(GUEST_VCPU, COM1_IOPORT, 0x3f8, 8);
    microkit_dbg_puts("vmm: guest cr0 ");
    microkit_dbg_put32((seL4_Uint32)microkit_vcpu_x86_read_vmcs(GUEST_VCPU, VMCS_GUEST_CR0));
    microkit_dbg_puts(", efer ");
    microkit_dbg_put32((seL4_Uint32)microkit_vcpu_x86_read_msr(GUEST_VCPU, MSR_IA32_EFER));
    microkit_dbg_puts("\n");
    microkit_vcpu_x86_write_msr(GUEST_VCPU, MSR_IA32_EFER, 0);
    microkit_vcpu_x86_on();
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("vmm: notified while the guest runs\n");
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    seL4_Word reason = microkit_mr_get(SEL4_VMENTER_FAULT_REASON_MR);
    if (child != GUEST_VCPU || microkit_msginfo_get_count(msginfo) != SEL4_VMENTER_NUM_FAULT_MSGS) {
        microkit_dbg_puts("vmm: not an exit of my vCPU\n");
        return seL4_False;
    }
    if (reason == EXIT_REASON_HLT) {
        microkit_dbg_puts("vmm: guest halted\n");
        microkit_vcpu_x86_disable_ioport(child, 0x3f8, 8);
        microkit_vcpu_x86_off();
        return seL4_False;
    }
    seL4_Word rip = microkit_vcpu_x86_read_vmcs(child, MICROKIT_VMX_GUEST_RIP);
    seL4_Word length = microkit_mr_get(SEL4_VMENTER_FAULT_INSTRUCTION_LEN_MR);
    microkit_vcpu_x86_write_vmcs(child, MICROKIT_VMX_GUEST_RIP, rip + length);
    return seL4_True;
}
