/*
 * Timer driver for the host platform's timer device: a page of 64-bit
 * registers (MICROKIT_HOST_TIMER_* in microkit.h) mapped at `timer_regs`.
 * The device counts virtual time and repeats by itself once given a
 * period, so nothing needs doing per interrupt.
 */
#include <microkit.h>

#include "timer_driver.h"

/* Patched by the tool (setvar_vaddr) with where the device is mapped. */
uintptr_t timer_regs;

static volatile uint64_t *reg(uintptr_t offset)
{
    return (volatile uint64_t *)(timer_regs + offset);
}

void timer_start_periodic(uint64_t period_ns)
{
    *reg(MICROKIT_HOST_TIMER_TIMEOUT) = period_ns;
    *reg(MICROKIT_HOST_TIMER_PERIOD) = period_ns;
    *reg(MICROKIT_HOST_TIMER_CMD) = MICROKIT_HOST_TIMER_CMD_START;
}

void timer_interrupt_handled(void)
{
}

void timer_stop(void)
{
    *reg(MICROKIT_HOST_TIMER_CMD) = MICROKIT_HOST_TIMER_CMD_STOP;
}
