/*
 * mk_client.c: the libmicrokit client of the IPC benchmark (channel 0 to
 * mk_server, pp="true"). In init(): BENCH_ROUNDS PPCs (microkit_ppcall),
 * timed. Then BENCH_ROUNDS notification round trips driven from notified():
 * notify the server, whose notified() notifies back. Reports instructions
 * per round trip x100. Built with BENCH_PASSIVE (the server is passive):
 * PPCs only. When done it lets raw_client go (channel 1), with a deferred
 * notification: libmicrokit signals and blocks in one system call, so this
 * PD is blocked, not preempted and ready, while raw_client measures.
 */
#include "bench.h"

#define SERVER 0
#define RAW_CLIENT 1

static uint64_t rounds;
static uint64_t start;

void init(void)
{
    bench_init_end();
    for (unsigned i = 0; i < BENCH_WARMUP; i++) microkit_ppcall(SERVER, microkit_msginfo_new(0, 0));
    uint64_t t0 = bench_ticks();
    for (unsigned i = 0; i < BENCH_ROUNDS; i++) microkit_ppcall(SERVER, microkit_msginfo_new(0, 0));
    uint64_t t1 = bench_ticks();
    bench_report("mk_ppc_x100", bench_per_round_x100(t0, t1, BENCH_ROUNDS));
#if defined(BENCH_PASSIVE)
    /* A passive server has no scheduling context to run a notification on. */
    bench_puts("bench: mk done\n");
    microkit_deferred_notify(RAW_CLIENT);
    return;
#endif
    start = bench_ticks();
    microkit_notify(SERVER);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    return msginfo;
}

void notified(microkit_channel ch)
{
    (void)ch;
    if (++rounds < BENCH_ROUNDS) {
        microkit_notify(SERVER);
        return;
    }
    uint64_t end = bench_ticks();
    bench_report("mk_notify_x100", bench_per_round_x100(start, end, BENCH_ROUNDS));
    bench_puts("bench: mk done\n");
    microkit_deferred_notify(RAW_CLIENT);
}
