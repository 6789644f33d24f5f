/*
 * worker: runs in its own domain while a higher-priority PD in another
 * domain spins. It reads the hog's counter in a tight loop. The counter may
 * only move across a gap in time (the worker was away: a slot of the hog);
 * it must never move between two reads close together (the hog running
 * while the worker runs). A gap without a move is allowed: the host may
 * pause QEMU too.
 */
#include <microkit.h>

#define SLOTS 5

volatile const seL4_Word *counter;

static seL4_Word now(void)
{
    seL4_Word t;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));  /* KernelArmExportPCNTUser */
    return t;
}

void init(void)
{
    /* 62.5 MHz generic timer in QEMU's virt machine: 500 us = 31250 ticks,
       far below a 3 ms slot and far above one pass of the loop. */
    const seL4_Word gap = 31250;
    unsigned hog_slots = 0, moved_while_running = 0;
    seL4_Word last_time = now(), last_count = *counter;
    microkit_dbg_puts("worker: running beside a busy higher-priority PD\n");
    while (hog_slots < SLOTS) {
        seL4_Word t = now(), c = *counter;
        if (c != last_count) {
            if (t - last_time > gap) hog_slots++;
            else moved_while_running++;
        }
        last_time = t;
        last_count = c;
    }
    if (moved_while_running == 0) {
        microkit_dbg_puts("worker: the hog never ran during my slots\n");
    } else {
        microkit_dbg_puts("worker: FAIL: the hog ran during my slot\n");
    }
    microkit_dbg_puts("worker: the hog ran between my slots 5 times\n");
}

void notified(microkit_channel ch)
{
}
