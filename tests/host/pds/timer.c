/* Drives the host timer device: a 1 ms periodic tick. "ticker" acks every
 * IRQ (the second one deferred) and stops after 3; "lazy" never acks. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

uintptr_t regs;
seL4_Word timer_ch = 99;
static int ticks;

static volatile uint64_t *reg(unsigned off) { return (volatile uint64_t *)(regs + off); }

void init(void)
{
    printf("%s: init, timer irq on channel %lu\n", microkit_name, (unsigned long)timer_ch);
    *reg(MICROKIT_HOST_TIMER_TIMEOUT) = 1000000;
    *reg(MICROKIT_HOST_TIMER_PERIOD) = 1000000;
    *reg(MICROKIT_HOST_TIMER_CMD) = MICROKIT_HOST_TIMER_CMD_START;
}

void notified(microkit_channel ch)
{
    ticks++;
    printf("%s: tick %d on %u now=%lu count=%lu\n", microkit_name, ticks, ch,
           (unsigned long)*reg(MICROKIT_HOST_TIMER_NOW), (unsigned long)*reg(MICROKIT_HOST_TIMER_COUNT));
    if (strcmp(microkit_name, "lazy") == 0) return;
    if (ticks == 3) *reg(MICROKIT_HOST_TIMER_CMD) = MICROKIT_HOST_TIMER_CMD_STOP;
    if (ticks == 2) microkit_deferred_irq_ack(ch);
    else microkit_irq_ack(ch);
}
