/* idle_core.c: a PD that keeps an otherwise idle core in wfi.
 *
 * On a core with nothing to run, the seL4 MCS kernel runs its own idle
 * thread, whose 5 ms time slice ends in a timer interrupt: 200 kernel
 * entries a second, each taking the SMP kernel's one lock that the cores
 * doing work need for every fault, IPC and interrupt. This PD, at the lowest
 * priority with a long budget, waits in wfi at user level instead: its core
 * sleeps until an interrupt (another PD made runnable there, an IPI) and
 * enters the kernel once a budget (a second). */
#include <microkit.h>

void init(void)
{
    for (;;) {
        __asm__ volatile("wfi");
    }
}

void notified(microkit_channel ch)
{
    (void)ch;
}
