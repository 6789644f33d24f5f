/* PDs for budget and period enforcement on virtual time, chosen by name:
 * "spinner" never returns from init(); "polite" and "low" say when they got
 * to run; "worker" does a long computation with a small budget. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

#define WORK 30000000ul

void init(void)
{
    if (strcmp(microkit_name, "spinner") == 0) {
        for (;;) __asm__ volatile("");
    } else if (strcmp(microkit_name, "polite") == 0) {
        printf("polite: ran at t=%lu\n", (unsigned long)microkit_host_time_ns());
        microkit_host_exit(0);
    } else if (strcmp(microkit_name, "low") == 0) {
        printf("low: ran at t=%lu\n", (unsigned long)microkit_host_time_ns());
    } else if (strcmp(microkit_name, "worker") == 0) {
        volatile unsigned long sum = 0;
        for (unsigned long i = 0; i < WORK; i++) sum += i & 7;
        printf("worker: done (sum %lu) at t=%lu\n", (unsigned long)sum,
               (unsigned long)microkit_host_time_ns());
        microkit_host_exit(0);
    }
}

void notified(microkit_channel ch) { (void)ch; }
