/*
 * worker: a child PD that crashes on purpose.
 *
 * Each time it starts it counts the start in a variable of its own .data
 * section and reports the count to its parent through a shared memory
 * region, then writes through a null pointer. A restart only resets the
 * program counter: memory (this PD's .data and the shared region) is not
 * reloaded, so the count keeps growing from one life to the next.
 */
#include <microkit.h>

#include "status.h"

/* The number this start will get. Initialised to a non-zero value so that
 * it lives in .data: loaded once from the program image, never again. */
volatile uint32_t next_start = 1;

/* The null pointer, hidden from the optimiser: a store through a literal
 * null is undefined behaviour that a compiler may replace with a trap
 * instruction, which would be a different kind of fault. */
static uint32_t *volatile crash_target = 0;

/* Patched by the tool (setvar_vaddr) with where the status region is mapped. */
struct worker_status *status;

void init(void)
{
    uint32_t start = next_start;
    next_start = start + 1;
    status->starts = start;

    microkit_dbg_puts("worker: start ");
    microkit_dbg_put32(start);
    microkit_dbg_puts(", about to write through a null pointer\n");

    *crash_target = start; /* the fault goes to the parent, not to the monitor */

    microkit_dbg_puts("worker: UNREACHABLE: the null write did not fault\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
