/*
 * prober: runs as "holder" (granted the victim's TCB, an untyped and the
 * victim's IRQ handler at <cspace> slots 2, 3 and 4) and as "outsider"
 * (granted nothing there); grant-boundary.system. The code is the same for
 * both: for each slot it asks the debug kernel what the slot holds, copies
 * it into a free slot (seL4 refuses to copy an empty slot) and then
 * invokes it. Invoking an empty slot is a cap fault: the warden reports it
 * and restarts the prober, which goes on with the next slot.
 */
#include <microkit.h>

#define FIRST_GRANT_SLOT 2
#define GRANTS 3

static const char *const what[GRANTS] = {"the victim's TCB", "an untyped", "the victim's IRQ handler"};

/* Kept across the warden's restarts: a restart does not reload the image. */
static volatile seL4_Word next_invocation;

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

static void say(const char *text)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": ");
    microkit_dbg_puts(text);
}

static void say_result(seL4_Error err)
{
    if (err == seL4_NoError) {
        microkit_dbg_puts("ok\n");
        return;
    }
    microkit_dbg_puts("seL4 error ");
    put_dec((seL4_Word)err);
    microkit_dbg_puts(err == seL4_FailedLookup ? " (seL4_FailedLookup)\n" : "\n");
}

static seL4_CPtr grant_cptr(unsigned k) { return microkit_cspace_root_slot_to_cptr(FIRST_GRANT_SLOT + k); }

/* What the slot holds (seL4_DebugCapIdentify: 0 for an empty slot), and a
 * copy of it into free slot k. */
static void look_and_copy(unsigned k)
{
    seL4_CPtr cptr = grant_cptr(k);
    say("slot for ");
    microkit_dbg_puts(what[k]);
    microkit_dbg_puts(" (cptr ");
    put_dec(cptr);
    microkit_dbg_puts(") holds cap type ");
    put_dec(seL4_DebugCapIdentify(cptr));
    microkit_dbg_puts(", copying it: ");
    say_result(seL4_CNode_Copy(microkit_cspace_cnode, MICROKIT_CSPACE_FIRST_FREE_SLOT + k, MICROKIT_CSPACE_DEPTH,
                               microkit_cspace_cnode, cptr, MICROKIT_CSPACE_DEPTH, seL4_AllRights));
}

static seL4_Error invoke(unsigned k)
{
    seL4_CPtr cptr = grant_cptr(k);
    seL4_UserContext regs;
    switch (k) {
    case 0: return seL4_TCB_ReadRegisters(cptr, seL4_False, 0, 2, &regs);
    case 1:
        return seL4_Untyped_Retype(cptr, seL4_NotificationObject, 0, microkit_cspace_cnode, 0, 0,
                                   MICROKIT_CSPACE_FIRST_FREE_SLOT + GRANTS, 1);
    default: return seL4_IRQHandler_Ack(cptr);
    }
}

void init(void)
{
    if (next_invocation == 0) {
        say("own CNode granted at cptr ");
        put_dec(microkit_cspace_cnode);
        microkit_dbg_puts("\n");
        for (unsigned k = 0; k < GRANTS; k++) look_and_copy(k);
    }
    while (next_invocation < GRANTS) {
        unsigned k = (unsigned)next_invocation++;
        say("invoking ");
        microkit_dbg_puts(what[k]);
        microkit_dbg_puts("\n");
        seL4_Error err = invoke(k);
        say("invoked ");
        microkit_dbg_puts(what[k]);
        microkit_dbg_puts(": ");
        say_result(err);
    }
    say("done\n");
}

void notified(microkit_channel ch) { (void)ch; }
