/* Host IPC benchmark PDs. "client" (low priority) times N PPCs to "server"
 * and N notifications to it (the server has the higher priority, so each
 * notify runs the server's notified() before the client continues: a
 * delivery round trip), then ends the run. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define N 20000

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
    double b = now_ns();
    for (int i = 0; i < N; i++) microkit_notify(1);
    double c = now_ns();
    printf("ppc round trip: %.0f ns\n", (b - a) / N);
    printf("notify delivery round trip: %.0f ns\n", (c - b) / N);
    microkit_host_exit(0);
}

void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    microkit_mr_set(0, microkit_mr_get(0) + 1);
    return msginfo;
}
