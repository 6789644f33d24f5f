/* Owns COM1 (<ioport id="0">) and says so; it never uses it itself. */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("uart: owns COM1 at ioport id 0\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
