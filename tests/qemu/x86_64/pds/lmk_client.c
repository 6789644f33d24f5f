/*
 * lmk_client.c: a libmicrokit PD for the x86-64 boot test, built like a
 * user's program (gcc, ld, -lmicrokit, microkit.ld). It notifies the
 * server on channel 5, calls it on channel 6 with label 41 and one word,
 * prints the answer, then faults on purpose (a read of address 0x8).
 */
#include <microkit.h>

#define NOTIFY_CHANNEL 5
#define CALL_CHANNEL 6

static void put_hex(seL4_Word v)
{
    microkit_dbg_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) microkit_dbg_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void init(void)
{
    microkit_dbg_puts("client: init\n");
    microkit_notify(NOTIFY_CHANNEL);
    microkit_mr_set(0, 0x1234);
    microkit_msginfo answer = microkit_ppcall(CALL_CHANNEL, microkit_msginfo_new(41, 1));
    microkit_dbg_puts("client: answer label ");
    put_hex(microkit_msginfo_get_label(answer));
    microkit_dbg_puts(" word ");
    put_hex(microkit_mr_get(0));
    microkit_dbg_puts("\n");
    seL4_Word nowhere = 0x8;
    __asm__ volatile("" : "+r"(nowhere)); /* hide the constant from the optimiser's bounds checks */
    (void)*(volatile seL4_Word *)nowhere;
    microkit_dbg_puts("client: not reached\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
