/*
 * server: a passive PD that keeps one account per client.
 *
 * Passive means its scheduling context is taken away once init has
 * returned: from then on it runs when a client calls it, on the calling
 * client's scheduling context, so the client's budget pays for the work
 * done on its behalf; and when a client notifies it, on the scheduling
 * context now bound to its notification object. The server still runs at
 * its own priority. An idle passive server holds no CPU time at all.
 *
 * The caller is identified by the channel the call arrived on, which the
 * system passes and a client cannot forge.
 */
#include <microkit.h>

#include "protocol.h"

#define FIRST_CLIENT_CH 1
#define CLIENTS 2

struct account {
    seL4_Word deposits;
    seL4_Word balance;
};

static struct account accounts[CLIENTS];
static seL4_Word total;

void init(void)
{
    microkit_dbg_puts("server: init; passive from now on\n");
}

/*
 * A client notifies (does not call) when it is done. A passive server
 * still runs then: on the scheduling context bound to its notification
 * object, which is where its own one went after init.
 */
void notified(microkit_channel ch)
{
    microkit_dbg_puts("server: channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(" says it is done\n");
}

static microkit_msginfo deposit(microkit_channel ch, struct account *account, seL4_Word amount)
{
    account->deposits++;
    account->balance += amount;
    total += amount;
    microkit_dbg_puts("server: channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(" deposits ");
    microkit_dbg_put32(amount);
    microkit_dbg_puts("\n");
    microkit_mr_set(0, account->balance);
    microkit_mr_set(1, total);
    return microkit_msginfo_new(STATUS_OK, 2);
}

static microkit_msginfo report(microkit_channel ch, const struct account *account)
{
    microkit_dbg_puts("server: channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(" made ");
    microkit_dbg_put32(account->deposits);
    microkit_dbg_puts(" deposits, balance ");
    microkit_dbg_put32(account->balance);
    microkit_dbg_puts("; all clients ");
    microkit_dbg_put32(total);
    microkit_dbg_puts("\n");
    return microkit_msginfo_new(STATUS_OK, 0);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    if (ch < FIRST_CLIENT_CH || ch >= FIRST_CLIENT_CH + CLIENTS) {
        return microkit_msginfo_new(STATUS_BAD_REQUEST, 0);
    }
    struct account *account = &accounts[ch - FIRST_CLIENT_CH];
    switch (microkit_msginfo_get_label(msginfo)) {
    case OP_DEPOSIT:
        if (microkit_msginfo_get_count(msginfo) != 1) {
            break;
        }
        return deposit(ch, account, microkit_mr_get(0));
    case OP_REPORT:
        return report(ch, account);
    default:
        break;
    }
    microkit_dbg_puts("server: bad request\n");
    return microkit_msginfo_new(STATUS_BAD_REQUEST, 0);
}
