/* early: signals the server from its own init(), before the server's
 * init() has returned (on one core: before it has started). */
#include <microkit.h>

#define SERVER 0

void init(void)
{
    microkit_dbg_puts("early: signalling the server before its init() has returned\n");
    microkit_notify(SERVER);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
