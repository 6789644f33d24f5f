/*
 * parent: restarts its child at its entry point after each fault until the
 * child has started TARGET_STARTS times, then reports what the child
 * counted and stops it. Any other fault than the child's null write is
 * reported and ends the run.
 */
#include <microkit.h>

#include "lives.h"

#define CHILD 1
#define CHILD_ENTRY 0x200000 /* _start, where microkit.ld puts it */

const struct lives *lives; /* setvar_vaddr */

void init(void)
{
    microkit_dbg_puts("parent: restarting child 1 until it has started ");
    microkit_dbg_put32(TARGET_STARTS);
    microkit_dbg_puts(" times\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

static void report(void)
{
    microkit_dbg_puts("parent: child started ");
    microkit_dbg_put32(lives->starts);
    microkit_dbg_puts(" times, counted ");
    microkit_dbg_put32(lives->own_count);
    microkit_dbg_puts(" in its own memory; its stack pointer at init() changed ");
    microkit_dbg_put32(lives->sp_changes);
    microkit_dbg_puts(" times\n");
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    if (child != CHILD || microkit_msginfo_get_label(msginfo) != seL4_Fault_VMFault ||
        microkit_mr_get(seL4_VMFault_Addr) != 0) {
        microkit_dbg_puts("parent: unexpected fault (label ");
        microkit_dbg_put32(microkit_msginfo_get_label(msginfo));
        microkit_dbg_puts(") after start ");
        microkit_dbg_put32(lives->starts);
        microkit_dbg_puts("\n");
        microkit_pd_stop(child);
        return seL4_False;
    }
    if (lives->starts < TARGET_STARTS) {
        microkit_pd_restart(child, CHILD_ENTRY);
        return seL4_False;
    }
    report();
    microkit_pd_stop(child);
    return seL4_False;
}
