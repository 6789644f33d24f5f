/*
 * prober: runs as "holder" (granted the victim's TCB, an untyped and the
 * victim's IRQ handler at <cspace> slots 2, 3 and 4) and as "outsider"
 * (granted nothing there); grant-boundary.system. The code is the same for
 * both: for each slot it asks the debug kernel what the slot holds
 * (seL4_DebugCapIdentify: 0 for an empty slot), then invokes it and
 * prints what seL4 answered.
 */
#include <microkit.h>

#define FIRST_GRANT_SLOT 2
#define GRANTS 3

static const char *const what[GRANTS] = {"the victim's TCB", "an untyped", "the victim's IRQ handler"};

static void say(const char *text)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": ");
    microkit_dbg_puts(text);
}

static seL4_CPtr grant_cptr(unsigned k) { return microkit_cspace_root_slot_to_cptr(FIRST_GRANT_SLOT + k); }

/* Reads the victim's pc and sp; retypes a notification into a free slot;
 * acks the IRQ. */
static seL4_Error invoke(unsigned k)
{
    seL4_CPtr cptr = grant_cptr(k);
    seL4_UserContext regs;
    switch (k) {
    case 0: return seL4_TCB_ReadRegisters(cptr, seL4_False, 0, 2, &regs);
    case 1:
        return seL4_Untyped_Retype(cptr, seL4_NotificationObject, 0, microkit_cspace_cnode, 0, 0,
                                   MICROKIT_CSPACE_FIRST_FREE_SLOT, 1);
    default: return seL4_IRQHandler_Ack(cptr);
    }
}

static void probe(unsigned k)
{
    seL4_CPtr cptr = grant_cptr(k);
    say("cptr ");
    microkit_dbg_put32((seL4_Uint32)cptr);
    microkit_dbg_puts(", where the holder has ");
    microkit_dbg_puts(what[k]);
    microkit_dbg_puts(", holds cap type ");
    microkit_dbg_put32((seL4_Uint32)seL4_DebugCapIdentify(cptr));
    microkit_dbg_puts("; invoking it\n");
    seL4_Error err = invoke(k);
    say(err == seL4_NoError ? "the invocation worked\n" : "the invocation failed: seL4 error ");
    if (err == seL4_NoError) return;
    microkit_dbg_put32((seL4_Uint32)err);
    microkit_dbg_puts(err == seL4_InvalidCapability ? " (seL4_InvalidCapability)\n" : "\n");
}

void init(void)
{
    say("own CNode granted at cptr ");
    microkit_dbg_put32((seL4_Uint32)microkit_cspace_cnode);
    microkit_dbg_puts("\n");
    for (unsigned k = 0; k < GRANTS; k++) probe(k);
    say("done\n");
}

void notified(microkit_channel ch) { (void)ch; }
