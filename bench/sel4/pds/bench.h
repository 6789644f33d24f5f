/*
 * bench.h: what every seL4 benchmark PD shares. Instruction counts come from
 * the ARM generic counter (CNTPCT_EL0, readable at EL0 because the kernel is
 * built with EXPORT_PCNT_USER): under QEMU's `-icount shift=0` virtual time
 * advances exactly 1 ns per guest instruction, and QEMU 7.2 runs the counter
 * at CNTFRQ_EL0 = 62.5 MHz, so one tick is 16 instructions counted since the
 * CPU left reset (the loader's first instruction). Counter reads are I/O
 * instructions for QEMU's icount, so they are exact to the tick.
 *
 * Output: through seL4_DebugPutChar (microkit_dbg_puts) on a debug kernel;
 * a release kernel has no printing, so there ipc_release.system maps the
 * PL011 (0x9000000, free for user space when the kernel does not print)
 * into every PD and sets `bench_uart` to its address: bench_puts then
 * writes the UART's data register directly.
 */
#pragma once
#include <microkit.h>

#define BENCH_ROUNDS 1000u
#define BENCH_WARMUP 10u
#define BENCH_LABEL_DONE 0x7e /* raw client -> raw server: last call */

/* Patched by the tool (setvar_vaddr) in the release system; 0 otherwise. */
uintptr_t bench_uart;

static inline void bench_puts(const char *s)
{
    if (bench_uart == 0) {
        microkit_dbg_puts(s);
        return;
    }
    volatile uint32_t *uart = (volatile uint32_t *)bench_uart;
    for (; *s != 0; s++) {
        while (uart[0x18 / 4] & (1u << 5)) { /* FR.TXFF: transmit FIFO full */
        }
        uart[0] = (uint32_t)*s;
    }
}

static inline uint64_t bench_ticks(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t)::"memory");
    return t;
}

/* Instructions since reset: ticks scaled by the counter period in ns. */
static inline uint64_t bench_instructions(uint64_t ticks)
{
    uint64_t freq;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    return ticks * (1000000000ull / freq);
}

static inline void bench_put_u64(uint64_t v)
{
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    bench_puts(&buf[i]);
}

/* "bench: <key> <value>\n": one fact per line, for run_sel4_bench.sh. */
static inline void bench_report(const char *key, uint64_t value)
{
    bench_puts("bench: ");
    bench_puts(key);
    bench_puts(" ");
    bench_put_u64(value);
    bench_puts("\n");
}

/* Reports this PD's init() end: instructions since reset. */
static inline void bench_init_end(void)
{
    uint64_t now = bench_instructions(bench_ticks());
    bench_puts("bench: init_end ");
    bench_puts(microkit_name);
    bench_puts(" ");
    bench_put_u64(now);
    bench_puts("\n");
}

/* Instructions per round of `rounds` between two tick readings, x100 (two decimals). */
static inline uint64_t bench_per_round_x100(uint64_t t0, uint64_t t1, uint64_t rounds)
{
    return bench_instructions(t1 - t0) * 100u / rounds;
}
