/* late: once the server has handled the early signal (it notifies late
 * then), signals the server again, which is passive by now. */
#include <microkit.h>

#define SERVER 0

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
    microkit_dbg_puts("late: the server is serving; signalling it again\n");
    microkit_notify(SERVER);
}
