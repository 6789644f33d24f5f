/*
 * Timer driver for the ARM generic timer on AArch64: the EL1 physical
 * timer (CNTP_*), interrupt ID 30, level-triggered.
 *
 * Why this timer: on qemu_virt_aarch64 seL4 runs at EL2 and keeps the
 * hypervisor timer (ID 26) for itself and the virtual timer (ID 27) for
 * virtual machines, so the EL1 physical timer is the one a PD can own. The
 * kernel configuration lets EL0 use it (KernelArmExportPTMRUser) and read
 * the counter (KernelArmExportPCNTUser).
 *
 * The interrupt line stays asserted while the counter is past the compare
 * value, so each interrupt moves the compare value one period on before
 * the PD acknowledges it.
 */
#include <stdint.h>

#include "timer_driver.h"

#define CNTP_CTL_ENABLE 1u /* IMASK (bit 1) clear: the interrupt is signalled */

static uint64_t period_ticks;
static uint64_t deadline;

static uint64_t read_frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
}

static uint64_t read_counter(void)
{
    uint64_t now;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(now));
    return now;
}

static void write_compare(uint64_t value)
{
    __asm__ volatile("msr cntp_cval_el0, %0; isb" ::"r"(value));
}

static void write_control(uint64_t value)
{
    __asm__ volatile("msr cntp_ctl_el0, %0; isb" ::"r"(value));
}

void timer_start_periodic(uint64_t period_ns)
{
    /* period_ns * hz stays far below 2^64 for periods under a second. */
    period_ticks = period_ns * read_frequency() / 1000000000ull;
    deadline = read_counter() + period_ticks;
    write_compare(deadline);
    write_control(CNTP_CTL_ENABLE);
}

void timer_interrupt_handled(void)
{
    uint64_t now = read_counter();
    deadline += period_ticks;
    if (deadline <= now) {
        deadline = now + period_ticks; /* we fell behind: skip, do not burst */
    }
    write_compare(deadline);
}

void timer_stop(void)
{
    write_control(0);
}
