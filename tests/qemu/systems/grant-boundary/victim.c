/*
 * victim: owns the IRQ (its <irq id="5">) whose handler the holder is
 * granted, and the TCB the holder reads. It only says that it runs.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("victim: running\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
