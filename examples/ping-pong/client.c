/*
 * ping-pong client: the lower-priority PD. Each round it makes two
 * protected procedure calls to the server and checks the replies, then
 * notifies the server ("ping") and waits for the server's notification
 * ("pong") to start the next round. It finishes with a call the server
 * must refuse.
 */
#include <microkit.h>

#include "protocol.h"

static unsigned current_round;
static unsigned failures;

/* One protected call: label `op`, arguments in mr0 and mr1. Returns the
 * reply's status label; the result is left in *result. */
static seL4_Word call_server(seL4_Word op, seL4_Word a, seL4_Word b, seL4_Word *result)
{
    microkit_mr_set(0, a);
    microkit_mr_set(1, b);
    microkit_msginfo reply = microkit_ppcall(CLIENT_TO_SERVER, microkit_msginfo_new(op, 2));
    *result = microkit_msginfo_get_count(reply) >= 1 ? microkit_mr_get(0) : 0;
    return microkit_msginfo_get_label(reply);
}

static void expect(const char *what, seL4_Word op, seL4_Word a, seL4_Word b, seL4_Word want)
{
    seL4_Word got = 0;
    seL4_Word status = call_server(op, a, b, &got);
    microkit_dbg_puts("client: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" = ");
    microkit_dbg_put32(got);
    if (status == STATUS_OK && got == want) {
        microkit_dbg_puts(" ok\n");
        return;
    }
    failures++;
    microkit_dbg_puts(" WRONG\n");
}

static void play_round(void)
{
    current_round++;
    microkit_dbg_puts("client: round ");
    microkit_dbg_put32(current_round);
    microkit_dbg_puts("\n");
    expect("add", OP_ADD, 10 * current_round, current_round, 11 * current_round);
    expect("mul", OP_MUL, current_round, 7, 7 * current_round);
    /* The server has higher priority: it runs at once, inside this call,
     * and its "pong" arrives once this entry point returns. */
    microkit_dbg_puts("client: ping\n");
    microkit_notify(CLIENT_TO_SERVER);
}

static void finish(void)
{
    seL4_Word ignored = 0;
    if (call_server(99, 0, 0, &ignored) == STATUS_BAD_OP) {
        microkit_dbg_puts("client: operation 99 refused as expected\n");
    } else {
        failures++;
        microkit_dbg_puts("client: operation 99 was NOT refused\n");
    }
    microkit_dbg_puts(failures == 0 ? "client: done, all replies correct\n"
                                    : "client: done, SOME REPLIES WRONG\n");
}

void init(void)
{
    microkit_dbg_puts("client: init\n");
    play_round();
}

void notified(microkit_channel ch)
{
    if (ch != CLIENT_TO_SERVER) {
        microkit_dbg_puts("client: notification on an unexpected channel\n");
        return;
    }
    microkit_dbg_puts("client: got pong\n");
    if (current_round < ROUNDS) {
        play_round();
    } else {
        finish();
    }
}
