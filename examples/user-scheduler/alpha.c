/* alpha: prints and tells the scheduler (user-scheduler.system). It runs only
 * when the scheduler lets it. */
#include <microkit.h>

#define SCHEDULER 0

void init(void)
{
    microkit_dbg_puts("alpha: running\n");
    microkit_notify(SCHEDULER);
}

void notified(microkit_channel ch) { (void)ch; }
