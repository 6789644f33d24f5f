/* Writes a line to COM1 through the I/O port capability "uart" granted it
 * (<cap_ioport slot="5">): the tool sets `com1` to that capability's CPtr. */
#include <microkit.h>

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THR_EMPTY 0x20

__attribute__((section(".data"))) seL4_CPtr com1 = 0;

static int errors;

static void put(char c)
{
    for (;;) {
        seL4_X86_IOPort_In8_t lsr = seL4_X86_IOPort_In8(com1, COM1_LSR);
        if (lsr.error != seL4_NoError) {
            errors++;
            return;
        }
        if (lsr.result & LSR_THR_EMPTY) break;
    }
    if (seL4_X86_IOPort_Out8(com1, COM1, (seL4_Word)c) != seL4_NoError) errors++;
}

void init(void)
{
    microkit_dbg_puts("writer: com1 is cptr ");
    microkit_dbg_put32(com1);
    microkit_dbg_puts("\n");
    for (const char *s = "writer: this line went out through the granted port\n"; *s; s++) put(*s);
    microkit_dbg_puts("writer: port errors ");
    microkit_dbg_put32(errors);
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
