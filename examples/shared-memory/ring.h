/*
 * The ring buffer that producer and consumer share, laid out in one memory
 * region mapped into both PDs (at different virtual addresses; each PD
 * learns its own through setvar_vaddr).
 *
 * Invariants: `head` and `tail` are free-running item counters; only the
 * producer stores `head`, only the consumer stores `tail`, and
 * 0 <= head - tail <= RING_SLOTS. A slot is written before `head` is
 * published (release) and read after `head` is observed (acquire), so the
 * ring is also correct when the two PDs run on different cores. The
 * notifications are only doorbells: they say "look again", never how much.
 */
#pragma once

#include <stdint.h>

#include <microkit.h>

#define RING_SLOTS 16
#define ITEM_COUNT 64

struct ring {
    uint32_t head;              /* items ever pushed (producer-owned) */
    uint32_t tail;              /* items ever popped (consumer-owned) */
    uint64_t producer_checksum; /* valid once head == ITEM_COUNT */
    uint64_t slots[RING_SLOTS];
};

_Static_assert(sizeof(struct ring) <= 0x1000, "the ring must fit the 4 KiB region");

static inline uint32_t ring_load(const uint32_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_ACQUIRE);
}

static inline void ring_store(uint32_t *counter, uint32_t value)
{
    __atomic_store_n(counter, value, __ATOMIC_RELEASE);
}

/* The i-th item of the stream: a value neither side can guess by accident. */
static inline uint64_t item_value(uint32_t i)
{
    return ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ull;
}

/* An order-sensitive checksum over the stream (swapping items changes it). */
static inline uint64_t checksum_step(uint64_t sum, uint64_t value)
{
    return sum * 31 + (value ^ (value >> 29));
}

/* Prints a 64-bit value as 0x followed by 16 hex digits. */
static inline void put_hex64(uint64_t value)
{
    char text[19];
    text[0] = '0';
    text[1] = 'x';
    for (int i = 17; i >= 2; i--) {
        unsigned digit = value & 0xf;
        text[i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
        value >>= 4;
    }
    text[18] = '\0';
    microkit_dbg_puts(text);
}
