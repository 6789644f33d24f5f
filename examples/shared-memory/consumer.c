/*
 * consumer: on each doorbell, takes every item in the shared ring, checks
 * that it is the next item of the expected stream, and rings the
 * producer's doorbell to say there is room again. After the last item it
 * compares its checksum with the one the producer left in the ring.
 */
#include <microkit.h>

#include "ring.h"

#define PRODUCER_CH 4

/* Patched by the tool (setvar_vaddr) with where the ring is mapped here. */
struct ring *ring;

static uint32_t wrong_items;
static uint64_t checksum;

static void take_all(void)
{
    uint32_t head = ring_load(&ring->head);
    uint32_t tail = ring->tail;
    uint32_t first = tail;
    while (tail != head) {
        uint64_t value = ring->slots[tail % RING_SLOTS];
        if (value != item_value(tail)) {
            wrong_items++;
        }
        checksum = checksum_step(checksum, value);
        tail++;
        ring_store(&ring->tail, tail);
    }
    microkit_dbg_puts("consumer: took items ");
    microkit_dbg_put32(first);
    microkit_dbg_puts("..");
    microkit_dbg_put32(tail - 1);
    microkit_dbg_puts("\n");
}

static void report(void)
{
    microkit_dbg_puts("consumer: received ");
    microkit_dbg_put32(ITEM_COUNT);
    microkit_dbg_puts(" items, checksum ");
    put_hex64(checksum);
    microkit_dbg_puts("\n");
    if (wrong_items == 0 && checksum == ring->producer_checksum) {
        microkit_dbg_puts("consumer: every item in order, checksum matches the producer's\n");
    } else {
        microkit_dbg_puts("consumer: MISMATCH: ");
        microkit_dbg_put32(wrong_items);
        microkit_dbg_puts(" wrong items\n");
    }
}

void init(void)
{
    microkit_dbg_puts("consumer: init\n");
}

void notified(microkit_channel ch)
{
    if (ch != PRODUCER_CH) {
        microkit_dbg_puts("consumer: notification on an unexpected channel\n");
        return;
    }
    if (ring_load(&ring->head) == ring->tail) {
        return; /* a doorbell with nothing new: nothing to do */
    }
    take_all();
    if (ring->tail == ITEM_COUNT) {
        report();
    }
    /* The producer has the higher priority: it refills the ring right here,
     * before this call returns. */
    microkit_notify(PRODUCER_CH);
}
