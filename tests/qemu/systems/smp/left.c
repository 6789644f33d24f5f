/*
 * left (cpu 0): the lockstep handshake with right (lockstep.h), then the
 * client of the cross-core calls and signals of smp.system: a PPC to the
 * passive echo (cpu 1) and to the active adder (cpu 2), a notification to
 * bell (cpu 3) and back, a notification to echo and back, and one more
 * PPC to echo after echo has run on its own core again.
 */
#include "lockstep.h"

#define ECHO 0
#define ADDER 1
#define BELL 2
#define RIGHT 3

static uint64_t call(microkit_channel ch, uint64_t value)
{
    microkit_mr_set(0, value);
    microkit_ppcall(ch, microkit_msginfo_new(0, 1));
    return microkit_mr_get(0);
}

static void call_echo(uint64_t value)
{
    uint64_t answer = call(ECHO, value);
    microkit_dbg_puts("left: echo (passive, cpu 1) answered ");
    microkit_dbg_put32((seL4_Uint32)answer);
    microkit_dbg_puts(" to ");
    microkit_dbg_put32((seL4_Uint32)value);
    microkit_dbg_puts("\n");
}

/* The handshake; 0 (having said why) if right stopped keeping up
 * (only with a spin limit: left-one-core.c). */
static int lockstep_with_right(void)
{
    for (uint64_t k = 1; k <= LOCKSTEP_ROUNDS; k++) {
        lockstep_write(&lockstep->ping, k);
        for (uint64_t spins = 0; lockstep_read(&lockstep->pong) != k; spins++) {
#if defined(LOCKSTEP_SPIN_LIMIT)
            if (spins < LOCKSTEP_SPIN_LIMIT) continue;
            microkit_dbg_puts("left: round ");
            microkit_dbg_put32((seL4_Uint32)k);
            microkit_dbg_puts(": right did not take its step while left spun; not running at the same time\n");
            return 0;
#endif
        }
    }
    return 1;
}

void init(void)
{
    microkit_notify(RIGHT);
    if (!lockstep_with_right()) return;
    microkit_dbg_puts("left: ");
    microkit_dbg_put32(LOCKSTEP_ROUNDS);
    microkit_dbg_puts(" rounds in lockstep with right, neither ever yielding\n");
    call_echo(41);
    uint64_t sum = call(ADDER, 1000);
    microkit_dbg_puts("left: adder (cpu 2) answered ");
    microkit_dbg_put32((seL4_Uint32)sum);
    microkit_dbg_puts("\n");
    microkit_notify(BELL);
}

void notified(microkit_channel ch)
{
    if (ch == BELL) {
        microkit_dbg_puts("left: bell (cpu 3) rang back\n");
        microkit_notify(ECHO);
        return;
    }
    microkit_dbg_puts("left: echo signalled back\n");
    call_echo(99);
    microkit_dbg_puts("left: done\n");
}
