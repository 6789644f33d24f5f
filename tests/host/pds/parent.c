/* A parent PD: reports each child fault; "restarter" restarts the child. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

static int restarts;

void init(void)
{
    printf("%s: init\n", microkit_name);
    if (strcmp(microkit_name, "stopper") != 0) return;
    microkit_pd_stop(1);
    microkit_notify(2);
    printf("%s: notified the stopped child\n", microkit_name);
    microkit_pd_resume(1);
    printf("%s: resumed the child\n", microkit_name);
}
void notified(microkit_channel ch) { printf("%s: notified %u\n", microkit_name, ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    printf("%s: fault child=%u label=%lu", microkit_name, child, (unsigned long)label);
    if (label == seL4_Fault_VMFault)
        printf(" addr=%#lx prefetch=%lu\n", (unsigned long)microkit_mr_get(seL4_VMFault_Addr),
               (unsigned long)microkit_mr_get(seL4_VMFault_PrefetchFault));
    else if (label == seL4_Fault_CapFault)
        printf(" id=%lu\n", (unsigned long)microkit_mr_get(seL4_CapFault_Addr));
    else if (label == seL4_Fault_UserException)
        printf(" number=%lu\n", (unsigned long)microkit_mr_get(seL4_UserException_Number));
    else
        printf("\n");
    if (strcmp(microkit_name, "skipper") == 0 && label == seL4_Fault_UserException) {
        /* As on seL4: a reply with label 0 sets FaultIP (and SP, FLAGS,
         * as many as its count) of the faulting thread. ud2 is 2 bytes. */
        microkit_mr_set(seL4_UserException_FaultIP, microkit_mr_get(seL4_UserException_FaultIP) + 2);
        *reply = microkit_msginfo_new(0, 1);
        return seL4_True;
    }
    if (strcmp(microkit_name, "restarter") == 0 && restarts < 5) {
        restarts++;
        microkit_pd_restart(child, 0);
    }
    (void)reply;
    return seL4_False;
}
