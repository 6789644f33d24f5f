/*
 * spinner: spends its init() in one known function, spin_here(), so that a
 * profile of the system must put most samples there (tests/profile).
 * Its counter lives on the stack: GCC gives a leaf function that uses no
 * stack no frame record (even with -fno-omit-frame-pointer), and the
 * profiler, which walks frame records, would then miss its caller.
 */
#include <microkit.h>

#define SPIN_ROUNDS 300000000u

volatile uint64_t spin_result;

__attribute__((noinline)) void spin_here(void)
{
    volatile uint64_t x = 1;
    for (uint32_t i = 0; i < SPIN_ROUNDS; i++)
        x = x * 31 + i;
    spin_result = x;
}

void init(void)
{
    spin_here();
    microkit_dbg_puts("spinner: done\n");
    microkit_notify(1);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
