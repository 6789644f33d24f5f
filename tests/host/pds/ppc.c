/* PPC client and server. The client calls channel 1 with label 42 and three
 * message registers; the server answers label+1 with their sum. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

void init(void)
{
    printf("%s: init\n", microkit_name);
    if (strncmp(microkit_name, "client", 6) != 0) return;
    microkit_mr_set(0, 1);
    microkit_mr_set(1, 2);
    microkit_mr_set(2, 3);
    microkit_msginfo r = microkit_ppcall(1, microkit_msginfo_new(42, 3));
    printf("%s: reply label=%lu count=%lu mr0=%lu\n", microkit_name,
           (unsigned long)microkit_msginfo_get_label(r), (unsigned long)microkit_msginfo_get_count(r),
           (unsigned long)microkit_mr_get(0));
    microkit_notify(1);
    printf("%s: notified the server\n", microkit_name);
}

void notified(microkit_channel ch) { printf("%s: notified %u\n", microkit_name, ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word n = microkit_msginfo_get_count(msginfo), sum = 0;
    for (seL4_Word i = 0; i < n; i++) sum += microkit_mr_get((seL4_Uint8)i);
    printf("%s: protected ch=%u label=%lu count=%lu\n", microkit_name, ch,
           (unsigned long)microkit_msginfo_get_label(msginfo), (unsigned long)n);
    microkit_mr_set(0, sum);
    return microkit_msginfo_new(microkit_msginfo_get_label(msginfo) + 1, 1);
}
