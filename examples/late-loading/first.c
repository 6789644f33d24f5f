/* The first program the loader loads into the worker: it says who it is
 * (microkit_name was patched by the loader, not by the tool) and signals
 * the loader. */
#include <microkit.h>

#define LOADER 0

void init(void) {
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": first program running\n");
    microkit_notify(LOADER);
}

void notified(microkit_channel ch) {
    (void)ch;
}
