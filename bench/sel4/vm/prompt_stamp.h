/* prompt_stamp.h: force-included into examples/linux-vm/serial_arm_pl011.c
 * for the Linux boot benchmark (run_vm_bench.sh), with
 * -DSERIAL_TRANSMITTED=prompt_stamp: reports the instruction count (since
 * the loader's first instruction) when the guest's prompt has gone out. */
#pragma once
#include <stdint.h>
#include "../pds/bench.h"

static void prompt_stamp(uint8_t byte)
{
    static const char prompt[] = "guest# ";
    static unsigned matched;
    uint64_t now = bench_instructions(bench_ticks());
    matched = (byte == (uint8_t)prompt[matched]) ? matched + 1 : (byte == (uint8_t)prompt[0]);
    if (prompt[matched] == 0) {
        matched = 0;
        bench_report("linux_prompt_at", now);
    }
}
