/*
 * worker: counts the notifications it receives and says so. It knows
 * nothing of the controller's capabilities to it; what the controller does
 * with them shows only in when (and whether) these lines appear.
 */
#include <microkit.h>

#include "slots.h"

static unsigned notifications;

static void put_dec(unsigned v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) microkit_dbg_putc(digits[--n]);
}

void init(void)
{
    microkit_dbg_puts("worker: init, waiting for notifications\n");
}

void notified(microkit_channel ch)
{
    if (ch != CONTROLLER_CHANNEL) return;
    notifications++;
    microkit_dbg_puts("worker: notification ");
    put_dec(notifications);
    microkit_dbg_puts("\n");
}
