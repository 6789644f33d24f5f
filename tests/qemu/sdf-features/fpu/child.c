/* child: multiplies two doubles. Built without -mgeneral-regs-only, so the
   multiplication uses the FPU's registers and instructions; it is kept out
   of init() so that init's prologue does not save FP registers before the
   first line is printed. */
#include <microkit.h>

volatile double operand = 1.5;

static __attribute__((noinline)) int multiply_is_right(void)
{
    double product = operand * 2.0;
    return product == 3.0;
}

void init(void)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": multiplying with the FPU\n");
    int right = multiply_is_right();
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(right ? ": 1.5 * 2 = 3\n" : ": wrong product\n");
}

void notified(microkit_channel ch)
{
}
