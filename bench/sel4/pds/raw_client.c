/*
 * raw_client.c: the raw seL4 baseline's client. It blocks first thing, until
 * mk_client is done and signals it (channel 1): above mk_client's priority,
 * it is blocked, not ready, while mk_client measures, and mk_client is
 * blocked while it measures, so each pair runs with nothing else ready (a
 * ready thread of lower priority sends seL4's IPC fastpath through its
 * ready-queue bitmap: on RISC-V, a software count-leading-zeros of some 70
 * instructions per call). BENCH_ROUNDS seL4_Call on its PPC endpoint cap,
 * then BENCH_ROUNDS seL4_Signal + seL4_Wait (its input is its notification)
 * round trips with raw_server. Same caps and kernel paths as the libmicrokit
 * pair; no libmicrokit code on either side. Built with BENCH_PASSIVE (the
 * server is passive): calls only.
 */
#include "bench.h"

#define SERVER 0

static void call(void)
{
    seL4_Call(MICROKIT_PD_BASE_PPC_ENDPOINT + SERVER, seL4_MessageInfo_new(0, 0, 0, 0));
}

static void signal_and_wait(void)
{
    seL4_Word badge;
    seL4_Signal(MICROKIT_PD_BASE_NOTIFICATION + SERVER);
    seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge);
}

void init(void)
{
    bench_init_end();
    seL4_Word badge;
    seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge); /* mk_client is done */
    for (unsigned i = 0; i < BENCH_WARMUP; i++) call();
    uint64_t t0 = bench_ticks();
    for (unsigned i = 0; i < BENCH_ROUNDS; i++) call();
    uint64_t t1 = bench_ticks();
    bench_report("raw_ppc_x100", bench_per_round_x100(t0, t1, BENCH_ROUNDS));
#if !defined(BENCH_PASSIVE) /* a passive server could not run a notification */
    for (unsigned i = 0; i < BENCH_WARMUP; i++) signal_and_wait();
    t0 = bench_ticks();
    for (unsigned i = 0; i < BENCH_ROUNDS; i++) signal_and_wait();
    t1 = bench_ticks();
    bench_report("raw_notify_x100", bench_per_round_x100(t0, t1, BENCH_ROUNDS));
#endif
    bench_puts("bench: raw done\n");
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
