/* ppc_server.c: the native PPC the VM benchmark compares against: an empty reply. */
#include <microkit.h>

void init(void)
{
}

void notified(microkit_channel ch)
{
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    return microkit_msginfo_new(0, 0);
}
