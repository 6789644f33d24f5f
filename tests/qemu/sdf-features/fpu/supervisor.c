/*
 * supervisor: reports its children's faults and stops the child. A kernel
 * in EL2 (hypervisor mode) reports a trapped instruction of a thread
 * without a vCPU as a VCPU fault carrying the exception syndrome (ESR);
 * exception class 0x07 is a trapped floating-point/SIMD access.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("supervisor: ready\n");
}

void notified(microkit_channel ch)
{
}

static void describe(microkit_msginfo msginfo)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
    if (label == seL4_Fault_VCPUFault && (microkit_mr_get(seL4_VCPUFault_HSR) >> 26) == 0x7) {
        microkit_dbg_puts("floating-point access trapped (its FPU is off)\n");
        return;
    }
#endif
    if (label == seL4_Fault_UserException) {
        microkit_dbg_puts("user exception\n");
        return;
    }
    microkit_dbg_puts("fault with label ");
    microkit_dbg_put32(label);
    microkit_dbg_puts("\n");
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    microkit_dbg_puts("supervisor: child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(" faulted: ");
    describe(msginfo);
    microkit_pd_stop(child);
    return seL4_False;
}
