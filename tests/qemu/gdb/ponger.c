/* ponger: counts every notification from pinger and notifies it back. */
#include <microkit.h>
#include "shared.h"

#define PINGER 2

uintptr_t shared;
static unsigned long pongs;

void init(void)
{
}

void notified(microkit_channel ch)
{
    struct counts *c = (struct counts *)shared;
    pongs = pongs + 1;
    c->pongs = pongs;
    microkit_notify(PINGER);
}
