/* skipper: answers its child's user exception with FaultIP + 4; any
 * other fault, or a second one, stops the child. */
#include <microkit.h>

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
    faults++;
    microkit_dbg_puts("skipper: fault of child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(", label ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(msginfo));
    microkit_dbg_puts("\n");
    if (microkit_msginfo_get_label(msginfo) != seL4_Fault_UserException || faults > 1) {
        microkit_pd_stop(child);
        return seL4_False;
    }
    /* As seL4 reads a user exception's reply: label 0, MR 0 = the new pc. */
    microkit_mr_set(seL4_UserException_FaultIP, microkit_mr_get(seL4_UserException_FaultIP) + 4);
    *reply_msginfo = microkit_msginfo_new(0, 1);
    return seL4_True;
}
