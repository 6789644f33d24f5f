/* The parent of the "escape" PDs: prints each fault it is sent (an unknown
 * syscall gives its Linux system call number) and leaves the child stopped;
 * for child 8 it emulates the call instead (as a seL4 parent can answer an
 * unknown syscall): RAX = -EPERM, and the child goes on after the call. */
#include <errno.h>
#include <microkit.h>
#include <stdio.h>

void init(void) {}
void notified(microkit_channel ch) { (void)ch; }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    printf("warden: child %u faulted: label=%lu", child, (unsigned long)label);
    if (label == seL4_Fault_UnknownSyscall)
        printf(" syscall=%lu\n", (unsigned long)microkit_mr_get(seL4_UnknownSyscall_Syscall));
    else
        printf("\n");
    if (child != 8 || label != seL4_Fault_UnknownSyscall) return seL4_False;
    microkit_mr_set(seL4_UnknownSyscall_RAX, (seL4_Word)-EPERM);
    microkit_mr_set(seL4_UnknownSyscall_FaultIP, microkit_mr_get(seL4_UnknownSyscall_FaultIP) + 2);
    *reply = microkit_msginfo_new(0, seL4_UnknownSyscall_FaultIP + 1);
    return seL4_True;
}
