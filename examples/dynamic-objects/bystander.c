/*
 * bystander: has no <cspace> grants. It looks at the CPtrs where the
 * allocator holds its CNode, its untyped memory, the bystander's own TCB
 * and the objects it created: in the bystander's CSpace every one is empty,
 * so there is nothing it could invoke (an invocation resolves a CPtr in
 * the caller's own CSpace only).
 */
#include <microkit.h>

static void put_dec(seL4_Word v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) microkit_dbg_putc(digits[--n]);
}

static void look(const char *what, seL4_CPtr cptr)
{
    microkit_dbg_puts("bystander: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" (cptr ");
    put_dec(cptr);
    microkit_dbg_puts("): ");
#if defined(CONFIG_DEBUG_BUILD)
    microkit_dbg_puts(seL4_DebugCapIdentify(cptr) ? "a capability\n" : "empty\n");
#else
    microkit_dbg_puts("not known (seL4_DebugCapIdentify needs a debug kernel)\n");
#endif
}

void init(void)
{
    look("the allocator's CNode slot", microkit_cspace_root_slot_to_cptr(1));
    look("the allocator's first untyped slot", microkit_cspace_root_slot_to_cptr(2));
    look("the allocator's second untyped slot", microkit_cspace_root_slot_to_cptr(3));
    look("the slot of my own TCB in the allocator", microkit_cspace_root_slot_to_cptr(4));
    look("the allocator's first new notification", MICROKIT_CSPACE_FIRST_FREE_SLOT);
    microkit_dbg_puts("bystander: own CNode not granted: microkit_cspace_cnode = ");
    put_dec(microkit_cspace_cnode);
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch) { (void)ch; }
