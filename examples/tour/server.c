/*
 * server: answers protected procedure calls. The caller sends numbers in
 * its message registers; the server replies with their sum and how many
 * calls it has served. It runs at the caller's request only, on the
 * caller's behalf, at its own (higher) priority.
 */
#include <microkit.h>

#include "tour.h"

static seL4_Word calls;

void init(void)
{
    microkit_dbg_puts("server: ready for protected procedure calls\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < microkit_msginfo_get_count(msginfo); i++) {
        sum += microkit_mr_get(i);
    }
    calls++;
    microkit_mr_set(0, sum);
    microkit_mr_set(1, calls);
    return microkit_msginfo_new(0, 2);
}
