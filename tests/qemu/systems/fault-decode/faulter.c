/* faulter: faults the way its name says (microkit_name). */
#include <stdint.h>
#include <microkit.h>

/* Addresses through a global, so that the compiler cannot see them. */
volatile uintptr_t bad_write = 0x10, bad_read = 0x20, bad_jump = 0x30;

void init(void)
{
    switch (microkit_name[0]) {
    case 'w':
        *(volatile uint64_t *)bad_write = 1;
        break;
    case 'r':
        (void)*(volatile uint64_t *)bad_read;
        break;
    default:
        ((void (*)(void))bad_jump)();
        break;
    }
    microkit_dbg_puts("faulter: not reached\n");
}

void notified(microkit_channel ch)
{
}
