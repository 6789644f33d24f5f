/*
 * ping-pong server: the higher-priority PD. It answers protected procedure
 * calls from the client and, whenever the client notifies it, notifies the
 * client back.
 *
 * A protected call can only go from lower to higher priority, so the server
 * never calls the client; the return path is the reply of each call, plus a
 * notification, which may go either way.
 */
#include <microkit.h>

#include "protocol.h"

static unsigned calls_served;

void init(void)
{
    microkit_dbg_puts("server: init\n");
}

static microkit_msginfo reply_ok(seL4_Word result)
{
    microkit_mr_set(0, result);
    return microkit_msginfo_new(STATUS_OK, 1);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word op = microkit_msginfo_get_label(msginfo);
    seL4_Word a = microkit_mr_get(0);
    seL4_Word b = microkit_mr_get(1);

    calls_served++;
    if (ch != SERVER_TO_CLIENT || microkit_msginfo_get_count(msginfo) != 2) {
        microkit_dbg_puts("server: malformed call\n");
        return microkit_msginfo_new(STATUS_BAD_OP, 0);
    }
    switch (op) {
    case OP_ADD:
        microkit_dbg_puts("server: add(");
        microkit_dbg_put32(a);
        microkit_dbg_puts(", ");
        microkit_dbg_put32(b);
        microkit_dbg_puts(")\n");
        return reply_ok(a + b);
    case OP_MUL:
        microkit_dbg_puts("server: mul(");
        microkit_dbg_put32(a);
        microkit_dbg_puts(", ");
        microkit_dbg_put32(b);
        microkit_dbg_puts(")\n");
        return reply_ok(a * b);
    default:
        microkit_dbg_puts("server: unknown operation ");
        microkit_dbg_put32(op);
        microkit_dbg_puts(", refusing\n");
        return microkit_msginfo_new(STATUS_BAD_OP, 0);
    }
}

void notified(microkit_channel ch)
{
    if (ch != SERVER_TO_CLIENT) {
        microkit_dbg_puts("server: notification on an unexpected channel\n");
        return;
    }
    /* The client has lower priority: this notify makes it runnable but it
     * only runs once this entry point has returned. */
    microkit_dbg_puts("server: pong (");
    microkit_dbg_put32(calls_served);
    microkit_dbg_puts(" calls served so far)\n");
    microkit_notify(SERVER_TO_CLIENT);
}
