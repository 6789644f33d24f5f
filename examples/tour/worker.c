/*
 * worker: the supervisor's child. In its first life, a notification from
 * the client makes it read an address where nothing is mapped: a fault,
 * which goes to its parent. Restarted by the parent, it starts again from
 * its entry point with its memory as it was (a restart reloads nothing),
 * sees from its own counter that this is its second life, and notifies
 * the client.
 */
#include <microkit.h>

#include "tour.h"

/* Non-zero, so it lives in .data: loaded once, kept across restarts. */
volatile seL4_Word lives = 1000;

/* The address read on purpose; hidden from the optimiser so the read stays
 * a plain load of an unmapped page. */
static volatile seL4_Word *volatile nowhere = (volatile seL4_Word *)0x10;

void init(void)
{
    lives++;
    microkit_dbg_puts("worker: life ");
    microkit_dbg_put32(lives - 1000);
    microkit_dbg_puts("\n");
    if (lives - 1000 > 1) {
        microkit_dbg_puts("worker: notifying the client\n");
        microkit_notify(CHANNEL_WORKER);
    }
}

void notified(microkit_channel ch)
{
    if (ch != CHANNEL_WORKER) {
        return;
    }
    microkit_dbg_puts("worker: notified by the client; reading address 0x10 (a bug)\n");
    seL4_Word value = *nowhere;
    microkit_dbg_puts("worker: UNREACHABLE: the read did not fault\n");
    (void)value;
}
