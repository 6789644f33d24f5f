/*
 * Timer driver for the PC's 8254 PIT on x86-64 (QEMU's pc and q35
 * machines): channel 0, reached through I/O ports 0x40..0x43 (the PD's
 * <ioport id="0">), its interrupt the ISA IRQ 0, which the firmware routes
 * to IOAPIC pin 2 (the PD's <irq pin="2" ...>).
 *
 * Why this device: seL4 on x86-64 keeps the local APIC timer for itself and
 * leaves the PIT alone after measuring its clocks at boot. The PIT counts
 * down at 1.193182 MHz; in mode 2 (rate generator) it reloads by itself and
 * raises IRQ 0 once per period, so an interrupt needs nothing from the
 * driver. The longest period is 65536 counts (about 55 ms).
 */
#include <microkit.h>

#include "timer_driver.h"

#define PIT_IOPORT_ID 0         /* <ioport id="0" addr="0x40" size="4"> */
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182ull
#define PIT_CH0_LOHI_MODE2 0x34 /* channel 0, low then high byte, rate generator, binary */
#define PIT_CH0_LOHI_MODE0 0x30 /* channel 0, mode 0: counts nothing until a count is written */

void timer_start_periodic(uint64_t period_ns)
{
    uint64_t count = period_ns * PIT_HZ / 1000000000ull;
    if (count < 2) {
        count = 2;
    }
    if (count > 0xffff) {
        count = 0; /* 0 stands for 65536 */
    }
    microkit_x86_ioport_write_8(PIT_IOPORT_ID, PIT_COMMAND, PIT_CH0_LOHI_MODE2);
    microkit_x86_ioport_write_8(PIT_IOPORT_ID, PIT_CHANNEL0, count & 0xff);
    microkit_x86_ioport_write_8(PIT_IOPORT_ID, PIT_CHANNEL0, (count >> 8) & 0xff);
}

void timer_interrupt_handled(void)
{
    /* Mode 2 reloads by itself and the interrupt is edge-triggered. */
}

void timer_stop(void)
{
    /* A new mode 0 control word stops the count until a count is written. */
    microkit_x86_ioport_write_8(PIT_IOPORT_ID, PIT_COMMAND, PIT_CH0_LOHI_MODE0);
}
