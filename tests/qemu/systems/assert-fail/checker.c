/*
 * checker: seL4_MessageInfo_new with run-time arguments. The first call is
 * valid; the second has a label wider than a message info's 52 bits, which
 * libsel4's debug check refuses through __assert_fail (libmicrokit's: it
 * prints the check and stops the PD; the monitor reports the fault).
 */
#include <microkit.h>

/* Not const: the compiler cannot know the values. */
volatile seL4_Word small_label = 7;
volatile seL4_Word length = 2;
volatile unsigned wide_label_bits = 60;

void init(void)
{
    seL4_MessageInfo_t ok = seL4_MessageInfo_new(small_label, 0, 0, length);
    microkit_dbg_puts("checker: label ");
    microkit_dbg_put32((seL4_Uint32)seL4_MessageInfo_get_label(ok));
    microkit_dbg_puts(", length ");
    microkit_dbg_put32((seL4_Uint32)seL4_MessageInfo_get_length(ok));
    microkit_dbg_puts("\n");
    microkit_dbg_puts("checker: now a label of 61 bits\n");
    seL4_MessageInfo_t bad = seL4_MessageInfo_new(1ull << wide_label_bits, 0, 0, 0);
    microkit_dbg_puts("checker: UNREACHABLE: the check let label ");
    microkit_dbg_put32((seL4_Uint32)seL4_MessageInfo_get_label(bad));
    microkit_dbg_puts(" through\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
