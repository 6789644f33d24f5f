/* decoder: prints each child's fault as microkit_fault_decode gives it. */
#include <microkit.h>

static void put_hex(seL4_Word v)
{
    char buf[19] = "0x";
    int n = 2;
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) buf[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
    buf[n] = 0;
    microkit_dbg_puts(buf);
}

void init(void)
{
}

void notified(microkit_channel ch)
{
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply)
{
    microkit_fault f;
    seL4_Bool known = microkit_fault_decode(msginfo, &f);
    microkit_dbg_puts("decoder: child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(known ? ": " : ": (unknown) ");
    microkit_dbg_puts(microkit_fault_kind_name(f.kind));
    microkit_dbg_puts(", ");
    microkit_dbg_puts(microkit_fault_access_name(f.access));
    microkit_dbg_puts(" at ");
    put_hex(f.address);
    microkit_dbg_puts(f.access == MICROKIT_FAULT_ACCESS_EXECUTE && f.pc == f.address ? ", pc there\n" : "\n");
    microkit_pd_stop(child);
    return seL4_False;
}
