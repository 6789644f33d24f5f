/*
 * warden: parent of both probers (grant-boundary.system). A cap fault of
 * a child (an invocation of an empty slot) is reported with the CPtr the
 * kernel could not find, and the child is restarted at its entry point,
 * where it goes on with its next invocation. Any other fault stops it.
 */
#include <microkit.h>

#define PROBER_ENTRY 0x200000 /* _start, where microkit.ld puts it */
#define MAX_FAULTS 3          /* one per grant, at most */

static unsigned faults;

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    microkit_dbg_puts("warden: child ");
    microkit_dbg_put32(child);
    if (label != seL4_Fault_CapFault || ++faults > MAX_FAULTS) {
        microkit_dbg_puts(" stopped after a fault with label ");
        microkit_dbg_put32((seL4_Uint32)label);
        microkit_dbg_puts("\n");
        microkit_pd_stop(child);
        return seL4_False;
    }
    microkit_dbg_puts(": cap fault, no capability at cptr ");
    microkit_dbg_put32((seL4_Uint32)microkit_mr_get(seL4_CapFault_Addr));
    microkit_dbg_puts("; restarting it\n");
    microkit_pd_restart(child, PROBER_ENTRY);
    return seL4_False;
}
