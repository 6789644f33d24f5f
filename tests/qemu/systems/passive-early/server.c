/*
 * server: a passive PD. Its init() takes a while (so that, on several
 * cores, the early signal arrives during it) and prints nothing (so that
 * no two cores print at once). Each signal is reported, after an
 * invocation of an empty slot that the debug kernel reports with the core
 * and the thread's name; the first one also tells "late" to send the second.
 */
#include <microkit.h>

#define EARLY 0
#define LATE 1
#define EMPTY_SLOT 1000 /* inside the PD's CNode, never filled */

static unsigned signals;

void init(void)
{
    for (volatile unsigned i = 0; i < 20000000u; i++) {
    }
}

void notified(microkit_channel ch)
{
    signals++;
    seL4_NBSend(EMPTY_SLOT, seL4_MessageInfo_new(0, 0, 0, 0));
    microkit_dbg_puts("server: signal ");
    microkit_dbg_put32(signals);
    microkit_dbg_puts(" arrived on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
    if (ch == EARLY) {
        microkit_notify(LATE);
    }
}
