/* Never returns from init(): the launcher's watchdog must name it. */
#include <microkit.h>
void init(void) { for (;;) { } }
void notified(microkit_channel ch) { (void)ch; }
