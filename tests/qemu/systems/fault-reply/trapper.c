/* trapper: executes a permanently undefined instruction (udf, 4 bytes);
 * goes on only if its parent's fault reply moved its pc past it. */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("trapper: executing udf\n");
    __asm__ volatile("udf #0");
    microkit_dbg_puts("trapper: resumed after udf at the pc the parent chose\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
