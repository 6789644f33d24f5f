/* pinger: starts the exchange, then answers every notification from ponger. */
#include <microkit.h>
#include "shared.h"

#define PONGER 1

uintptr_t shared;
static unsigned long pings;

void init(void)
{
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
