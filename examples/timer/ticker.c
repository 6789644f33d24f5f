/*
 * ticker: counts TICKS periodic timer interrupts and then stops the timer.
 *
 * The interrupt arrives as a notification on the channel that the system
 * description gives it (<irq ... id="0">). The kernel masks the interrupt
 * until the PD acknowledges it with microkit_irq_ack, so the handler first
 * lets the driver quieten the device, then acknowledges.
 *
 * This file is the same on every board; timer_driver.h says how the
 * device-specific part is chosen.
 */
#include <microkit.h>

#include "timer_driver.h"

#define TIMER_IRQ_CH 0
#define TICKS 5
#define PERIOD_NS 10000000ull /* 10 ms */

static unsigned ticks;
/* After timer_stop() one interrupt may still come: an edge-triggered one
 * (the x86 PIT's) raised before the stop stays pending in the interrupt
 * controller while the kernel has it masked, and arrives at the ack. */
static int stopped;

void init(void)
{
    microkit_dbg_puts("ticker: starting a 10 ms periodic timer, waiting for ");
    microkit_dbg_put32(TICKS);
    microkit_dbg_puts(" ticks\n");
    timer_start_periodic(PERIOD_NS);
}

static void tick(void)
{
    ticks++;
    microkit_dbg_puts("ticker: tick ");
    microkit_dbg_put32(ticks);
    microkit_dbg_puts("\n");
    if (ticks < TICKS) {
        timer_interrupt_handled();
        return;
    }
    timer_stop();
    stopped = 1;
    microkit_dbg_puts("ticker: timer stopped after ");
    microkit_dbg_put32(ticks);
    microkit_dbg_puts(" ticks\n");
}

void notified(microkit_channel ch)
{
    if (ch != TIMER_IRQ_CH) {
        microkit_dbg_puts("ticker: notification on an unexpected channel\n");
        return;
    }
    if (!stopped) {
        tick();
    }
    microkit_irq_ack(ch);
}
