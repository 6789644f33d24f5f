/*
 * smp_client.c: the client of the multicore IPC benchmark (smp.system),
 * under this PD's name, so that one system holds a same-core pair ("near")
 * and a cross-core pair ("far"). Times each of SMP_ROUNDS PPCs to the
 * server on channel 0, then (unless BENCH_PASSIVE) each of SMP_ROUNDS
 * notification round trips driven from notified(). Without -icount, QEMU
 * runs each core in a host thread and the clock follows the host's, so a
 * round trip can include the host descheduling a core's thread: each
 * round is timed alone and the minimum and median are reported, in ns:
 * "bench: <name>_ppc_min N", "..._ppc_median", "..._notify_min",
 * "..._notify_median", then "bench: <name> done".
 */
#include "bench.h"

#define SERVER 0
/* Fewer than BENCH_ROUNDS: on a loaded host a cross-core round trip can
 * take milliseconds, and the minimum and median need no more. */
#define SMP_ROUNDS 200u

static uint64_t took[SMP_ROUNDS];
static uint64_t rounds;
static uint64_t start;

static void report(const char *what, uint64_t value)
{
    bench_puts("bench: ");
    bench_puts(microkit_name);
    bench_puts("_");
    bench_puts(what);
    bench_puts(" ");
    bench_put_u64(value);
    bench_puts("\n");
}

/* Sorts `took` (insertion sort) and reports its minimum and median. */
static void report_rounds(const char *min_key, const char *median_key)
{
    for (unsigned i = 1; i < SMP_ROUNDS; i++) {
        uint64_t v = took[i];
        unsigned j = i;
        for (; j > 0 && took[j - 1] > v; j--) took[j] = took[j - 1];
        took[j] = v;
    }
    report(min_key, took[0]);
    report(median_key, took[SMP_ROUNDS / 2]);
}

static void done(void)
{
    bench_puts("bench: ");
    bench_puts(microkit_name);
    bench_puts(" done\n");
}

void init(void)
{
    for (unsigned i = 0; i < BENCH_WARMUP; i++) microkit_ppcall(SERVER, microkit_msginfo_new(0, 0));
    for (unsigned i = 0; i < SMP_ROUNDS; i++) {
        uint64_t t0 = bench_ticks();
        microkit_ppcall(SERVER, microkit_msginfo_new(0, 0));
        took[i] = bench_instructions(bench_ticks() - t0);
    }
    report_rounds("ppc_min", "ppc_median");
#if defined(BENCH_PASSIVE)
    done(); /* a passive server has no scheduling context to run a notification on */
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
    uint64_t now = bench_ticks();
    took[rounds] = bench_instructions(now - start);
    if (++rounds < SMP_ROUNDS) {
        start = bench_ticks();
        microkit_notify(SERVER);
        return;
    }
    report_rounds("notify_min", "notify_median");
    done();
}
