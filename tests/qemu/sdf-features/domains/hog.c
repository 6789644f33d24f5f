/* hog: spins forever, counting, at a higher priority than the worker. */
#include <microkit.h>

volatile seL4_Word *counter;

void init(void)
{
    microkit_dbg_puts("hog: spinning\n");
    for (;;) {
        *counter = *counter + 1;
    }
}

void notified(microkit_channel ch)
{
}
