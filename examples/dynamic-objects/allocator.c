/*
 * allocator: creates kernel objects at run time from the untyped memory its
 * <cspace> grants (dynamic-objects.system), in the free slots of its own
 * CSpace, and uses them:
 *   - four notifications retyped from the first 64 KiB untyped;
 *   - badged copies of one of them, minted into free slots: signalling two
 *     of the copies sets both badges' bits in the notification's word;
 *   - a 16-slot CNode retyped from the second untyped: a notification cap
 *     stored in it and copied back out with a new badge.
 * Every CPtr comes from the tool: microkit_cspace_cnode (libmicrokit, set
 * because the PD's own CNode is granted) and the variables below (set by
 * setvar_slot / setvar_first). Every invocation must succeed; the lines say
 * what each one did.
 */
#include <microkit.h>

/* Written by the tool; in .data so that the values land in file bytes. */
__attribute__((section(".data"))) seL4_CPtr pool_untyped = 0;
__attribute__((section(".data"))) seL4_CPtr first_free = 0;

#define BYSTANDER_TCB microkit_cspace_root_slot_to_cptr(4)
#define SUB_CNODE_BITS 4

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

static void say(const char *text) { microkit_dbg_puts("allocator: "); microkit_dbg_puts(text); }

/* Says whether an invocation worked; returns whether it did. */
static int check(const char *what, seL4_Error err)
{
    say(what);
    if (err == seL4_NoError) {
        microkit_dbg_puts(": ok\n");
        return 1;
    }
    microkit_dbg_puts(": FAILED with seL4 error ");
    put_dec((seL4_Word)err);
    microkit_dbg_puts("\n");
    return 0;
}

static void show_grants(seL4_CPtr self)
{
    say("own CNode at cptr ");
    put_dec(self);
    microkit_dbg_puts(", untyped pool at cptrs ");
    put_dec(pool_untyped);
    microkit_dbg_puts(" and ");
    put_dec(pool_untyped + 1);
    microkit_dbg_puts(", free slots from ");
    put_dec(first_free);
    microkit_dbg_puts("\n");
}

/* Four notifications at first_free .. first_free + 3; badged copies of the
 * first at first_free + 4 .. + 6 (badges 1, 2, 4); two signalled. */
static int notifications(seL4_CPtr self)
{
    seL4_CPtr n = first_free;
    if (!check("retype 4 notifications from untyped 0",
               seL4_Untyped_Retype(pool_untyped, seL4_NotificationObject, 0, self, 0, 0, n, 4)))
        return 0;
    for (seL4_Word i = 0; i < 3; i++) {
        seL4_Error err = seL4_CNode_Mint(self, n + 4 + i, MICROKIT_CSPACE_DEPTH, self, n,
                                         MICROKIT_CSPACE_DEPTH, seL4_AllRights, 1ul << i);
        if (err != seL4_NoError) return check("mint a badged copy", err);
    }
    say("minted copies with badges 1, 2 and 4\n");
    seL4_Signal(n + 4);
    seL4_Signal(n + 6);
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    say("signalled the copies with badges 1 and 4; the notification holds ");
    put_dec(badge);
    microkit_dbg_puts("\n");
    return badge == 5;
}

/* A CNode from untyped 1 at first_free + 7; the second notification stored
 * in its slot 3, then minted back into the root with badge 16. */
static int sub_cnode(seL4_CPtr self)
{
    seL4_CPtr cnode = first_free + 7, back = first_free + 8, n = first_free + 1;
    if (!check("retype a 16-slot CNode from untyped 1",
               seL4_Untyped_Retype(pool_untyped + 1, seL4_CapTableObject, SUB_CNODE_BITS, self, 0,
                                   0, cnode, 1)))
        return 0;
    if (!check("store a notification cap in its slot 3",
               seL4_CNode_Copy(cnode, 3, SUB_CNODE_BITS, self, n, MICROKIT_CSPACE_DEPTH,
                               seL4_AllRights)))
        return 0;
    if (!check("mint it back out with badge 16",
               seL4_CNode_Mint(self, back, MICROKIT_CSPACE_DEPTH, cnode, 3, SUB_CNODE_BITS,
                               seL4_AllRights, 16)))
        return 0;
    seL4_Signal(back);
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    say("signalled through it; the notification holds ");
    put_dec(badge);
    microkit_dbg_puts("\n");
    return badge == 16;
}

static void show_cap_type(const char *what, seL4_CPtr cptr)
{
    say(what);
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
    seL4_CPtr self = microkit_cspace_cnode;
    show_grants(self);
    show_cap_type("bystander's TCB, granted", BYSTANDER_TCB);
    int ok = notifications(self) && sub_cnode(self);
    say(ok ? "done\n" : "stopped\n");
}

void notified(microkit_channel ch) { (void)ch; }
