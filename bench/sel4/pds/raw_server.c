/*
 * raw_server.c: the raw seL4 baseline's server. Its init() never returns,
 * so libmicrokit's event loop never runs: it answers PPCs with
 * seL4_ReplyRecv and echoes notifications with seL4_Signal, blocking with
 * seL4_Recv on its input endpoint (the notification is bound to its TCB) —
 * the kernel calls libmicrokit makes, without its dispatch.
 */
#include "bench.h"

#define CLIENT 0

void init(void)
{
    bench_init_end();
    seL4_Word badge = 0;
    /* Passive or not, like libmicrokit: block. A passive PD's scheduling
     * context is bound to its notification too, and this first blocking
     * receive hands it over (docs/sel4-abi.md). */
    seL4_MessageInfo_t tag = seL4_Recv(MICROKIT_PD_SLOT_INPUT, &badge, MICROKIT_PD_SLOT_REPLY);
    for (;;) {
        (void)tag;
        if (badge >> MICROKIT_PD_BADGE_ENDPOINT_BIT) {
            tag = seL4_ReplyRecv(MICROKIT_PD_SLOT_INPUT, seL4_MessageInfo_new(0, 0, 0, 0), &badge,
                                 MICROKIT_PD_SLOT_REPLY);
        } else {
            seL4_Signal(MICROKIT_PD_BASE_NOTIFICATION + CLIENT);
            tag = seL4_Recv(MICROKIT_PD_SLOT_INPUT, &badge, MICROKIT_PD_SLOT_REPLY);
        }
    }
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    return msginfo;
}

void notified(microkit_channel ch)
{
    (void)ch;
}
