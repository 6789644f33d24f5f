/*
 * lmk_server.c: the server PD of the x86-64 libmicrokit boot test. Its
 * client's end of the notification channel has id 3, of the call channel
 * id 4. It answers a call with label + 1 and the word + 1.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("server: init\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts(ch == 3 ? "server: notified on channel 3\n" : "server: notified on another channel\n");
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    microkit_dbg_puts(ch == 4 ? "server: called on channel 4\n" : "server: called on another channel\n");
    microkit_mr_set(0, microkit_mr_get(0) + 1);
    return microkit_msginfo_new(microkit_msginfo_get_label(msginfo) + 1, 1);
}
