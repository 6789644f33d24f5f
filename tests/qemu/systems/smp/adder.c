/* adder (cpu 2, active): answers a PPC with its argument plus 1,000, on its own core. */
#include "lockstep.h"

void init(void)
{
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    say_core();
    microkit_mr_set(0, microkit_mr_get(0) + 1000);
    return microkit_msginfo_new(0, 1);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
