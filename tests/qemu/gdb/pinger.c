/* pinger: starts the exchange, then answers every notification from ponger.
 * First it moves the capability to ponger's TCB that gdb.system grants it
 * (<cap_tcb slot="1">) into its first free slot, so that its CSpace in the
 * kernel differs from the plan in two slots, which `monitor cspace pinger`
 * must report (gdb_test.sh). */
#include <microkit.h>
#include "shared.h"

#define PONGER 1
#define PONGER_TCB_SLOT 1 /* gdb.system's <cap_tcb pd="ponger" slot="1"> */

uintptr_t shared;
static unsigned long pings;

void init(void)
{
    seL4_Error moved = seL4_CNode_Move(microkit_cspace_cnode, MICROKIT_CSPACE_FIRST_FREE_SLOT, MICROKIT_CSPACE_DEPTH,
                                       microkit_cspace_cnode, microkit_cspace_root_slot_to_cptr(PONGER_TCB_SLOT),
                                       MICROKIT_CSPACE_DEPTH);
    if (moved != seL4_NoError) microkit_dbg_puts("pinger: moving ponger's TCB cap failed\n");
    microkit_dbg_puts("pinger: this line reaches GDB through the debugger\n");
    microkit_notify(PONGER);
}

void notified(microkit_channel ch)
{
    struct counts *c = (struct counts *)shared;
    pings = pings + 1;
    c->pings = pings;
    microkit_notify(PONGER);
}
