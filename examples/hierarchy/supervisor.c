/*
 * supervisor: the parent PD. Its child's faults arrive at its `fault`
 * entry point. It prints what kind of fault it was, restarts the child up
 * to MAX_RESTARTS times, and then stops it for good.
 */
#include <microkit.h>

#include "status.h"

#define WORKER_CHILD 1   /* the child's id in the system description */
#define MAX_RESTARTS 3

/*
 * Where the worker starts again after a restart: its program's entry
 * point. On seL4 that is 0x200000, where microkit.ld places _start. On the
 * host platform PD programs are position-independent, so the address is
 * not known here; there, entry 0 means "the program's own entry point".
 */
#if defined(MICROKIT_HOST)
#define WORKER_ENTRY 0
#else
#define WORKER_ENTRY 0x200000
#endif

/* Patched by the tool (setvar_vaddr) with where the status region is mapped. */
const struct worker_status *status;

static unsigned restarts;

static void put_hex(seL4_Word value)
{
    char text[19];
    int i = 18;
    text[i] = '\0';
    do {
        unsigned digit = value & 0xf;
        text[--i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
        value >>= 4;
    } while (value != 0);
    text[--i] = 'x';
    text[--i] = '0';
    microkit_dbg_puts(&text[i]);
}

static void describe(microkit_msginfo msginfo)
{
    switch (microkit_msginfo_get_label(msginfo)) {
    case seL4_Fault_VMFault:
        microkit_dbg_puts("virtual memory fault at address ");
        put_hex(microkit_mr_get(seL4_VMFault_Addr));
        break;
    case seL4_Fault_UserException:
        microkit_dbg_puts("user exception");
        break;
    case seL4_Fault_CapFault:
        microkit_dbg_puts("capability fault");
        break;
    default:
        microkit_dbg_puts("fault with label ");
        microkit_dbg_put32(microkit_msginfo_get_label(msginfo));
        break;
    }
}

void init(void)
{
    microkit_dbg_puts("supervisor: init, watching child ");
    microkit_dbg_put32(WORKER_CHILD);
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    microkit_dbg_puts("supervisor: child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(" faulted: ");
    describe(msginfo);
    microkit_dbg_puts("; it reports ");
    microkit_dbg_put32(status->starts);
    microkit_dbg_puts(" starts\n");

    if (child != WORKER_CHILD || restarts == MAX_RESTARTS) {
        microkit_pd_stop(child);
        microkit_dbg_puts("supervisor: restart limit reached, child stopped\n");
        return seL4_False;
    }
    restarts++;
    microkit_dbg_puts("supervisor: restart ");
    microkit_dbg_put32(restarts);
    microkit_dbg_puts(" of ");
    microkit_dbg_put32(MAX_RESTARTS);
    microkit_dbg_puts("\n");
    microkit_pd_restart(child, WORKER_ENTRY);
    /* No reply: the restart already set the child going again, from its
     * entry point rather than from the faulting instruction. */
    return seL4_False;
}
