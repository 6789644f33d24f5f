/*
 * late-fault: prints the one line its expected output lists, then faults.
 * The example test must fail on this system (qemu.example.late_fault_fails):
 * a PD crashing after its last expected line is a failure, not a pass.
 */
#include <stdint.h>
#include <microkit.h>

/* Nothing is mapped at 0x10; a volatile pointer so the compiler cannot see it. */
static volatile int *volatile unmapped = (volatile int *)(uintptr_t)0x10;

void init(void)
{
    microkit_dbg_puts("late-fault: printed everything expected\n");
    *unmapped = 1;
}

void notified(microkit_channel ch)
{
    (void)ch;
}
