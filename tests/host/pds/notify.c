/* Notifications: "sender" notifies the receiver three times on one channel
 * and twice on another before the receiver can run, then wakes "urgent". */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

void init(void)
{
    printf("%s: init\n", microkit_name);
    if (strcmp(microkit_name, "sender") != 0) return;
    for (int i = 0; i < 3; i++) microkit_notify(2);
    for (int i = 0; i < 2; i++) microkit_notify(1);
    printf("sender: notified receiver 5 times\n");
    microkit_notify(3);
    printf("sender: done\n");
}

void notified(microkit_channel ch) { printf("%s: notified %u\n", microkit_name, ch); }
