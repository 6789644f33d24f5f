/* supervisor: reports its children's faults and stops the child. */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("supervisor: ready\n");
}

void notified(microkit_channel ch)
{
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    microkit_dbg_puts("supervisor: child ");
    microkit_dbg_put32(child);
    if (microkit_msginfo_get_label(msginfo) == seL4_Fault_UserException) {
        microkit_dbg_puts(" faulted: user exception (its FPU is off)\n");
    } else {
        microkit_dbg_puts(" faulted with label ");
        microkit_dbg_put32(microkit_msginfo_get_label(msginfo));
        microkit_dbg_puts("\n");
    }
    microkit_pd_stop(child);
    return seL4_False;
}
