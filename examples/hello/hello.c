/*
 * hello: the smallest Microkit system, one protection domain that prints a
 * line from its init entry point and then waits forever for events that
 * never come.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("hello, world\n");
}

/* Required by libmicrokit even though this PD has no channels. */
void notified(microkit_channel ch)
{
    (void)ch;
}
