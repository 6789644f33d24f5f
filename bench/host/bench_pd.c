/* Host IPC benchmark PDs. "client" (low priority) times N PPCs to "server",
 * then N notification round trips (client notifies server, whose notified()
 * notifies the client back), then ends the run. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define N 20000

static double t_start, ppc_ns;
static int pongs;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

void init(void)
{
    if (strcmp(microkit_name, "client") != 0) return;
    double a = now_ns();
    for (int i = 0; i < N; i++) {
        microkit_mr_set(0, (seL4_Word)i);
        microkit_ppcall(1, microkit_msginfo_new(1, 1));
    }
    ppc_ns = (now_ns() - a) / N;
    t_start = now_ns();
    microkit_notify(1);
}

void notified(microkit_channel ch)
{
    if (strcmp(microkit_name, "client") != 0) {
        microkit_notify(ch);
        return;
    }
    if (++pongs < N) {
        microkit_notify(ch);
        return;
    }
    printf("ppc round trip: %.0f ns\n", ppc_ns);
    printf("notify round trip: %.0f ns\n", (now_ns() - t_start) / N);
    microkit_host_exit(0);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    microkit_mr_set(0, microkit_mr_get(0) + 1);
    return msginfo;
}
