/*
 * mk_server.c: the libmicrokit server of the IPC benchmark. Answers every
 * PPC with an empty message and echoes every notification back on the same
 * channel, all through libmicrokit's event loop.
 */
#include "bench.h"

void init(void)
{
    bench_init_end();
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    return microkit_msginfo_new(0, 0);
}

void notified(microkit_channel ch)
{
    microkit_notify(ch);
}
