/* The second program: a different one in the same PD. It computes
 * something the first does not, prints it and signals the loader. */
#include <microkit.h>

#define LOADER 0

/* In .bss: a fresh load must find it zero, whatever the first program left. */
static seL4_Word squares[10];

void init(void) {
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < 10; i++) {
        sum += squares[i];
        squares[i] = (i + 1) * (i + 1);
    }
    for (seL4_Word i = 0; i < 10; i++) sum += squares[i];
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": second program running, 1^2 + ... + 10^2 = ");
    microkit_dbg_put32(sum);
    microkit_dbg_puts("\n");
    microkit_notify(LOADER);
}

void notified(microkit_channel ch) {
    (void)ch;
}
