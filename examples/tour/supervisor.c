/*
 * supervisor: the worker's parent. The worker's faults arrive at this
 * PD's `fault` entry point; it says what happened and restarts the worker
 * from its entry point (once: a second fault stops it for good).
 */
#include <microkit.h>

#include "tour.h"

/*
 * The worker's entry point: on seL4 0x200000, where microkit.ld places
 * _start; on the host platform programs are position-independent and 0
 * means "the program's own entry point".
 */
#if defined(MICROKIT_HOST)
#define WORKER_ENTRY 0
#else
#define WORKER_ENTRY 0x200000
#endif

static unsigned restarts;

static void put_hex(seL4_Word value)
{
    char text[19] = "0x";
    int digits = 1;
    while (digits < 16 && (value >> (4 * digits)) != 0) {
        digits++;
    }
    for (int i = 0; i < digits; i++) {
        unsigned digit = (value >> (4 * (digits - 1 - i))) & 0xf;
        text[2 + i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
    }
    text[2 + digits] = '\0';
    microkit_dbg_puts(text);
}

void init(void)
{
    microkit_dbg_puts("supervisor: looking after the worker\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    microkit_dbg_puts("supervisor: the worker faulted: ");
    if (microkit_msginfo_get_label(msginfo) == seL4_Fault_VMFault) {
        microkit_dbg_puts("virtual memory fault at address ");
        put_hex(microkit_mr_get(seL4_VMFault_Addr));
    } else {
        microkit_dbg_puts("fault with label ");
        microkit_dbg_put32(microkit_msginfo_get_label(msginfo));
    }
    microkit_dbg_puts("\n");
    if (child != WORKER_CHILD || restarts > 0) {
        microkit_dbg_puts("supervisor: stopping it\n");
        microkit_pd_stop(child);
        return seL4_False;
    }
    restarts++;
    microkit_dbg_puts("supervisor: restarting it\n");
    microkit_pd_restart(child, WORKER_ENTRY);
    /* No reply: a reply would retry the faulting read. */
    return seL4_False;
}
