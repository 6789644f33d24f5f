/*
 * client: calls the server (a protected procedure call: the reply comes
 * back before microkit_ppcall returns), then notifies the worker and waits
 * for the worker's notification, which only comes once the worker has
 * crashed and been restarted by its parent.
 */
#include <microkit.h>

#include "tour.h"

static void sum(seL4_Word a, seL4_Word b, seL4_Word c)
{
    microkit_mr_set(0, a);
    microkit_mr_set(1, b);
    microkit_mr_set(2, c);
    microkit_msginfo reply = microkit_ppcall(CHANNEL_SERVER, microkit_msginfo_new(0, 3));
    (void)reply;
    microkit_dbg_puts("client: server says ");
    microkit_dbg_put32(a);
    microkit_dbg_puts(" + ");
    microkit_dbg_put32(b);
    microkit_dbg_puts(" + ");
    microkit_dbg_put32(c);
    microkit_dbg_puts(" = ");
    microkit_dbg_put32(microkit_mr_get(0));
    microkit_dbg_puts(" (call ");
    microkit_dbg_put32(microkit_mr_get(1));
    microkit_dbg_puts(")\n");
}

void init(void)
{
    microkit_dbg_puts("client: calling the server\n");
    sum(1, 2, 3);
    sum(10, 20, 30);
    microkit_dbg_puts("client: notifying the worker\n");
    microkit_notify(CHANNEL_WORKER);
}

void notified(microkit_channel ch)
{
    if (ch != CHANNEL_WORKER) {
        return;
    }
    microkit_dbg_puts("client: the worker is back after its restart; end of the tour\n");
}
