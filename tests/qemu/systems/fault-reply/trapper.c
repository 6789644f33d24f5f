/* trapper: first makes a ppcall on a channel it has none on (refused:
 * a message, an empty reply, message registers untouched, as the host
 * platform's host.rights test asks there); then executes a permanently
 * undefined instruction (udf, 4 bytes) and goes on only if its parent's
 * fault reply moved its pc past it. On RISC-V the "udf" is a 4-byte
 * illegal instruction too: unimp, uncompressed (a write to the read-only
 * cycle CSR), so the lines printed are the same on both. */
#include <microkit.h>

void init(void)
{
    microkit_mr_set(0, 77);
    microkit_msginfo r = microkit_ppcall(5, microkit_msginfo_new(42, 1));
    microkit_dbg_puts("trapper: refused ppcall returned label ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(r));
    microkit_dbg_puts(", count ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_count(r));
    microkit_dbg_puts(", mr0 ");
    microkit_dbg_put32((seL4_Uint32)microkit_mr_get(0));
    microkit_dbg_puts("\n");
    microkit_dbg_puts("trapper: executing udf\n");
#if defined(__riscv)
    __asm__ volatile(".option push\n.option norvc\nunimp\n.option pop");
#else
    __asm__ volatile("udf #0");
#endif
    microkit_dbg_puts("trapper: resumed after udf at the pc the parent chose\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
