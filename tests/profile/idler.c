/* idler: barely runs; its samples are few (tests/profile). */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("idler: init\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("idler: notified\n");
    (void)ch;
}
