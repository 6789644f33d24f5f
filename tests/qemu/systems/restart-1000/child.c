/*
 * child: counts its starts, compares its stack pointer with the one of its
 * first start, then writes through a null pointer so that its parent gets
 * a fault and restarts it. Only the first start prints.
 */
#include <microkit.h>

#include "lives.h"

struct lives *lives; /* setvar_vaddr */

/* Kept across restarts: a restart does not reload the program image. */
static volatile uint32_t own_count;

static uint32_t *volatile crash_target = 0;

static uint64_t stack_pointer(void)
{
    uint64_t sp;
#if defined(__riscv)
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#else
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#endif
    return sp;
}

void init(void)
{
    uint64_t sp = stack_pointer();
    own_count = own_count + 1;
    lives->starts++;
    lives->own_count = own_count;
    if (lives->starts == 1) {
        lives->first_sp = sp;
        microkit_dbg_puts("child: start 1, stack pointer recorded\n");
    } else if (sp != lives->first_sp) {
        lives->sp_changes++;
    }
    *crash_target = 1;
    microkit_dbg_puts("child: UNREACHABLE: the null write did not fault\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
