/* child: multiplies two doubles. Built without -mgeneral-regs-only, so the
   multiplication uses the FPU's registers and instructions. */
#include <microkit.h>

volatile double operand = 1.5;

void init(void)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": multiplying with the FPU\n");
    double product = operand * 2.0;
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(product == 3.0 ? ": 1.5 * 2 = 3\n" : ": wrong product\n");
}

void notified(microkit_channel ch)
{
}
