/*
 * producer: pushes ITEM_COUNT items into the shared ring, as many as fit
 * at a time, and rings the consumer's doorbell after each batch. The
 * consumer rings back when it has made room.
 *
 * The producer has the higher priority, so a batch is always as large as
 * the free space: the consumer only runs when the producer is waiting.
 */
#include <microkit.h>

#include "ring.h"

#define CONSUMER_CH 3

/* Patched by the tool (setvar_vaddr) with where the ring is mapped here. */
struct ring *ring;

static uint32_t next_item;
static uint64_t checksum;

static void put_range(const char *what, uint32_t first, uint32_t last)
{
    microkit_dbg_puts(what);
    microkit_dbg_put32(first);
    microkit_dbg_puts("..");
    microkit_dbg_put32(last);
    microkit_dbg_puts("\n");
}

/* Pushes items while there is room; returns how many were pushed. */
static uint32_t push_batch(void)
{
    uint32_t first = next_item;
    uint32_t tail = ring_load(&ring->tail);
    while (next_item < ITEM_COUNT && next_item - tail < RING_SLOTS) {
        uint64_t value = item_value(next_item);
        ring->slots[next_item % RING_SLOTS] = value;
        checksum = checksum_step(checksum, value);
        next_item++;
        ring_store(&ring->head, next_item);
    }
    return next_item - first;
}

static void produce(void)
{
    uint32_t first = next_item;
    if (push_batch() == 0) {
        return;
    }
    put_range("producer: queued items ", first, next_item - 1);
    if (next_item == ITEM_COUNT) {
        ring->producer_checksum = checksum;
        microkit_dbg_puts("producer: all items queued, checksum ");
        put_hex64(checksum);
        microkit_dbg_puts("\n");
    }
    microkit_notify(CONSUMER_CH);
}

void init(void)
{
    microkit_dbg_puts("producer: init, sending ");
    microkit_dbg_put32(ITEM_COUNT);
    microkit_dbg_puts(" items through a ring of ");
    microkit_dbg_put32(RING_SLOTS);
    microkit_dbg_puts(" slots\n");
    produce();
}

void notified(microkit_channel ch)
{
    if (ch != CONSUMER_CH) {
        microkit_dbg_puts("producer: notification on an unexpected channel\n");
        return;
    }
    if (ring_load(&ring->tail) == ITEM_COUNT) {
        microkit_dbg_puts("producer: the consumer has taken every item, done\n");
        return;
    }
    produce();
}
