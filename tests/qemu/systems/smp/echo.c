/*
 * echo (passive, cpu 1): answers a PPC with its argument plus one, on the
 * caller's scheduling context (so on the caller's core), and a signal
 * with a signal back, on its own context (cpu 1).
 */
#include "lockstep.h"

#define LEFT 0

void init(void)
{
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    say_core();
    microkit_mr_set(0, microkit_mr_get(0) + 1);
    return microkit_msginfo_new(0, 1);
}

void notified(microkit_channel ch)
{
    say_core();
    microkit_dbg_puts("echo: signal from left\n");
    /* Sent with the receive that ends this handler, so that echo is
     * waiting for calls again before left can call. */
    microkit_deferred_notify(ch);
}
