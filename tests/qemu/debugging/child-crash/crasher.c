/* crasher: a child PD that faults on purpose, three calls below init(). */
#include <stdint.h>
#include <microkit.h>

volatile uint64_t *target = (volatile uint64_t *)0x10;
volatile uint64_t counter;
static unsigned starts;         /* .bss survives a restart */

__attribute__((noinline)) static void store_through(volatile uint64_t *where, uint64_t value)
{
    *where = value;             /* the fault: nothing is mapped at 0x10 */
}

__attribute__((noinline)) static void level_two(uint64_t depth)
{
    uint64_t local_marker = 0x5a5a0000 + depth;
    counter = local_marker;
    store_through(target, local_marker);
    counter++;
}

__attribute__((noinline)) static void level_one(void)
{
    level_two(2);
    counter++;
}

void init(void)
{
    starts++;
    microkit_dbg_puts("crasher: start ");
    microkit_dbg_put32(starts);
    microkit_dbg_puts(", about to fault\n");
    level_one();
    microkit_dbg_puts("crasher: not reached\n");
}

void notified(microkit_channel ch)
{
}
