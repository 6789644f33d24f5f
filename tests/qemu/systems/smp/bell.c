/* bell (cpu 3): rings back on the channel a signal came in on. */
#include "lockstep.h"

void init(void)
{
}

void notified(microkit_channel ch)
{
    say_core();
    microkit_dbg_puts("bell: rung by left\n");
    microkit_notify(ch);
}
