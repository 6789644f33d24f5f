/*
 * lockstep.h: the handshake of "left" and "right" (smp.system). Left signals
 * right to start (so that right does not spin while the initial task is
 * still at work), then round k: left stores k in `ping`, then spins until
 * right's `pong` is k; right spins until `ping` is k, then stores k in
 * `pong`. Neither blocks or yields during the rounds, and both have a
 * budget of an hour, so on one core the one waiting holds the core and the
 * other cannot take its step: every round needs both PDs running at the
 * same moment on different cores.
 */
#pragma once
#include <microkit.h>

#define LOCKSTEP_ROUNDS 1000u
/* left-one-core.c only: far more spins than one step takes when both run,
 * far fewer than a budget's worth of time. The left of smp.system spins
 * without limit: on a loaded host, waking right's core can take seconds,
 * and a round that cannot complete shows as the test's timeout. */
#define LOCKSTEP_ONE_CORE_SPIN_LIMIT (1ull << 28)

struct lockstep {
    uint64_t ping; /* written by left */
    uint8_t gap[56]; /* its own cache line */
    uint64_t pong; /* written by right */
};

/* The shared page (setvar_vaddr). */
struct lockstep *lockstep;

static inline uint64_t lockstep_read(const uint64_t *word)
{
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void lockstep_write(uint64_t *word, uint64_t value)
{
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

#define EMPTY_SLOT 1000 /* inside every PD's CNode, never filled */

/* The debug kernel reports this with the core and the thread's name. */
static inline void say_core(void)
{
    seL4_NBSend(EMPTY_SLOT, seL4_MessageInfo_new(0, 0, 0, 0));
}
