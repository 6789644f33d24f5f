/*
 * client: one program image used by two PDs (client_a and client_b). In
 * init it makes three deposits with the server, asks for a report and
 * then notifies the server that it is done.
 * The PD's name, from the system description, tells the two apart.
 */
#include <microkit.h>

#include "protocol.h"

static void say(const char *text)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": ");
    microkit_dbg_puts(text);
}

static void make_deposit(seL4_Word amount)
{
    microkit_mr_set(0, amount);
    microkit_msginfo reply = microkit_ppcall(SERVER_CH, microkit_msginfo_new(OP_DEPOSIT, 1));
    if (microkit_msginfo_get_label(reply) != STATUS_OK || microkit_msginfo_get_count(reply) != 2) {
        say("deposit REFUSED\n");
        return;
    }
    say("my balance ");
    microkit_dbg_put32(microkit_mr_get(0));
    microkit_dbg_puts(", all clients ");
    microkit_dbg_put32(microkit_mr_get(1));
    microkit_dbg_puts("\n");
}

void init(void)
{
    say("init\n");
    for (seL4_Word amount = 10; amount <= 30; amount += 10) {
        make_deposit(amount);
    }
    (void)microkit_ppcall(SERVER_CH, microkit_msginfo_new(OP_REPORT, 0));
    /* Not a call: the passive server must run on its notification's SC. */
    microkit_notify(SERVER_CH);
}

void notified(microkit_channel ch)
{
    (void)ch;
    say("unexpected notification\n");
}
