/*
 * The small timer driver that ticker.c uses. There is one implementation
 * per kind of hardware, and the build picks one by board:
 *
 *   timer_host.c                the host platform's timer device (MMIO)
 *   timer_arm_generic.c         the ARM generic timer's EL1 physical timer,
 *                               reached through system registers (AArch64)
 *   timer_riscv_goldfish_rtc.c  the Goldfish RTC's alarm (QEMU virt RISC-V)
 *
 * The driver only touches the device; the PD logic decides what to do with
 * the interrupt and acknowledges it (microkit_irq_ack) after calling
 * timer_interrupt_handled().
 */
#pragma once

#include <stdint.h>

/* Starts a periodic timer: the first interrupt after period_ns, then one
 * every period_ns. */
void timer_start_periodic(uint64_t period_ns);

/* Called on each timer interrupt, before the interrupt is acknowledged:
 * prepares the device for the next period so that the interrupt line is
 * quiet when it is unmasked. */
void timer_interrupt_handled(void);

/* Stops the timer; no further interrupts. */
void timer_stop(void);
