/*
 * Timer driver for the Goldfish RTC of QEMU's RISC-V virt machine
 * (0x101000, PLIC interrupt 11): a nanosecond clock with one alarm.
 *
 * Why this device: seL4 on RISC-V keeps the supervisor timer (SBI) for
 * itself, and the Goldfish RTC is the one timer device QEMU virt gives a
 * PD. Its registers (32-bit): TIME_LOW/HIGH (reading LOW latches HIGH),
 * ALARM_LOW/HIGH (writing LOW arms the alarm), IRQ_ENABLED, CLEAR_ALARM,
 * CLEAR_INTERRUPT. The alarm fires once, so each interrupt arms the next
 * one a period on.
 */
#include <stdint.h>

#include "timer_driver.h"

/* Patched by the tool (setvar_vaddr) with where the device is mapped. */
uintptr_t rtc_regs;

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_CLEAR_INTERRUPT 0x1c

static uint64_t period;
static uint64_t deadline;

static volatile uint32_t *reg(uintptr_t offset)
{
    return (volatile uint32_t *)(rtc_regs + offset);
}

static uint64_t now_ns(void)
{
    uint64_t low = *reg(RTC_TIME_LOW);
    uint64_t high = *reg(RTC_TIME_HIGH);
    return high << 32 | low;
}

static void arm(uint64_t at)
{
    *reg(RTC_ALARM_HIGH) = (uint32_t)(at >> 32);
    *reg(RTC_ALARM_LOW) = (uint32_t)at;
}

void timer_start_periodic(uint64_t period_ns)
{
    period = period_ns;
    deadline = now_ns() + period;
    *reg(RTC_IRQ_ENABLED) = 1;
    arm(deadline);
}

void timer_interrupt_handled(void)
{
    *reg(RTC_CLEAR_INTERRUPT) = 1;
    uint64_t now = now_ns();
    deadline += period;
    if (deadline <= now) {
        deadline = now + period; /* we fell behind: skip, do not burst */
    }
    arm(deadline);
}

void timer_stop(void)
{
    *reg(RTC_IRQ_ENABLED) = 0;
    *reg(RTC_CLEAR_ALARM) = 1;
}
