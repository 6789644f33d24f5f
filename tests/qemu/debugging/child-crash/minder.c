/* minder: the crasher's parent. Its fault() decodes each fault of the
 * child, restarts it once, then stops it. */
#include <microkit.h>

#define CRASHER 3            /* the child's id in child-crash.system */
#define CRASHER_ENTRY 0x200000 /* where microkit.ld places _start */

static unsigned faults;

void init(void)
{
    microkit_dbg_puts("minder: watching child 3\n");
}

void notified(microkit_channel ch)
{
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    microkit_fault f;
    faults++;
    microkit_dbg_puts("minder: fault() for child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(": ");
    if (microkit_fault_decode(msginfo, &f)) {
        microkit_dbg_puts(microkit_fault_kind_name(f.kind));
        microkit_dbg_puts(", ");
        microkit_dbg_puts(microkit_fault_access_name(f.access));
        microkit_dbg_puts(" at address ");
        microkit_dbg_put32(f.address);
    } else {
        microkit_dbg_puts("undecoded");
    }
    microkit_dbg_puts("\n");
    if (child != CRASHER || faults > 1) {
        microkit_pd_stop(child);
        microkit_dbg_puts("minder: child stopped\n");
        return seL4_False;
    }
    microkit_dbg_puts("minder: restarting the child\n");
    microkit_pd_restart(child, CRASHER_ENTRY);
    return seL4_False;
}
