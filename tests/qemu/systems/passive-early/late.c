/* late: once the server has handled the early signal (it notifies late
 * then), signals the server again, which is passive by now. */
#include <microkit.h>

#define SERVER 0
#define EMPTY_SLOT 1000 /* inside the PD's CNode, never filled: the debug kernel names the core and thread */

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
    seL4_NBSend(EMPTY_SLOT, seL4_MessageInfo_new(0, 0, 0, 0));
    microkit_dbg_puts("late: the server is serving; signalling it again\n");
    microkit_notify(SERVER);
}
