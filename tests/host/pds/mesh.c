/* A ring of PDs of mixed priorities passing notifications both ways; each
 * stops forwarding after a budget of events. Many interleavings, one answer. */
#include <microkit.h>
#include <stdio.h>

static int events;

void init(void)
{
    printf("%s: init\n", microkit_name);
    microkit_notify(1);
    microkit_notify(2);
}

void notified(microkit_channel ch)
{
    events++;
    printf("%s: event %d from %u\n", microkit_name, events, ch);
    if (events < 12) microkit_notify(events % 2 ? 1 : 2);
    if (events % 3 == 0) microkit_deferred_notify(ch);
}
