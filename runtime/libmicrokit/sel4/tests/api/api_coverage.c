/* api_coverage.c: calls every libmicrokit function and names every
 * variable and macro that the manual (and the official microkit.h) give an
 * AArch64 program, so that linking it against libmicrokit.a proves each one
 * exists with a compatible signature. Built by the sel4-build tests; never run.
 */
#include <microkit.h>

static seL4_Word sink;

void init(void)
{
    microkit_msginfo m = microkit_msginfo_new(42, 2);
    microkit_mr_set(0, microkit_msginfo_get_label(m) + microkit_msginfo_get_count(m));
    sink = microkit_mr_get(1);
    m = microkit_ppcall(1, m);
    microkit_notify(2);
    microkit_irq_ack(3);
    microkit_deferred_notify(2);
    microkit_deferred_irq_ack(3);
    microkit_pd_restart(0, 0x200000);
    microkit_pd_stop(0);
    microkit_pd_resume(0);
    microkit_dbg_putc('x');
    microkit_dbg_puts(microkit_name);
    microkit_dbg_put8(8);
    microkit_dbg_put32(32);
    sink += microkit_cspace_root_slot_to_cptr(1);
    sink += microkit_irqs | microkit_notifications | microkit_pps | microkit_ioports;
    sink += microkit_have_signal + microkit_signal_cap + microkit_msginfo_get_label(microkit_signal_msg);
    sink += MONITOR_EP + TCB_CAP + ARM_SMC_CAP + BASE_OUTPUT_NOTIFICATION_CAP + BASE_ENDPOINT_CAP +
            BASE_IRQ_CAP + BASE_TCB_CAP + BASE_VM_TCB_CAP + BASE_VCPU_CAP + BASE_IOPORT_CAP +
            BASE_USER_CAPS + MICROKIT_MAX_USER_CAPS + MICROKIT_MAX_CHANNELS + MICROKIT_PD_NAME_LENGTH +
            MICROKIT_MAX_CHANNEL_ID + MICROKIT_MAX_IOPORT_ID + PD_ROOT_CAP_BITS + PD_ROOT_CAP_SIZE;
    /* Run-time arguments keep libsel4's debug checks, which call __assert_fail. */
    sink += seL4_MessageInfo_get_label(seL4_MessageInfo_new(sink, 0, 0, sink & 3));
#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
    microkit_vcpu_restart(0, 0x40000000);
    microkit_vcpu_stop(0);
    microkit_vcpu_arm_inject_irq(0, 27, 0, 1, 0);
    microkit_vcpu_arm_ack_vppi(0, 27);
    microkit_vcpu_arm_write_reg(0, seL4_VCPUReg_SCTLR, microkit_vcpu_arm_read_reg(0, seL4_VCPUReg_SCTLR));
#endif
#if defined(CONFIG_ALLOW_SMC_CALLS)
    seL4_ARM_SMCContext args = {0}, response;
    microkit_arm_smc_call(&args, &response);
#endif
    if (m.words[0] == 0) {
        microkit_internal_crash(seL4_InvalidArgument);
    }
}

void notified(microkit_channel ch)
{
    sink += ch;
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    return microkit_msginfo_new(ch, 0);
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    *reply_msginfo = microkit_msginfo_new(0, 0);
    return seL4_True;
}
