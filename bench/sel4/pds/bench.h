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
 *
 * With a <profiler> (run_sel4_bench.sh --profile) the profiler PD owns the
 * PL011 and the benchmark kernel cannot print, so the PDs are built with
 * BENCH_SEMIHOSTING and write whole lines through QEMU's semihosting
 * (SYS_WRITE0 from EL0: QEMU runs with -semihosting-config userspace=on),
 * which lands in QEMU's stderr. Each line starts with a newline of its own,
 * so one written while a sample line is half out still starts a line.
 *
 * RISC-V (qemu_virt_riscv64): user code cannot read the time or cycle CSRs
 * (seL4 leaves scounteren at 0), so the clock is the Goldfish RTC, mapped
 * into every PD (`bench_rtc`): QEMU runs with `-rtc clock=vm`, so it counts
 * virtual ns, one per guest instruction under -icount shift=0. Its origin is
 * the host's wall clock at QEMU start, so only differences mean anything:
 * the PDs report no init_end there. Release output goes to the NS16550
 * (0x10000000, byte registers).
 *
 * x86-64 (x86_64_generic): the time-stamp counter (rdtsc, allowed in user
 * mode by seL4). Under -icount QEMU's TSC is its virtual clock, one ns per
 * guest instruction with shift=0. Its origin is CPU reset, before the
 * firmware, so the PDs report no init_end there either. Debug kernels only
 * (a release kernel's output would need an I/O port).
 */
#pragma once
#include <microkit.h>

#ifndef BENCH_ROUNDS /* run_sel4_bench.sh --rounds */
#define BENCH_ROUNDS 1000u
#endif
#define BENCH_WARMUP 10u
#define BENCH_LABEL_DONE 0x7e /* raw client -> raw server: last call */

/* Patched by the tool (setvar_vaddr) in the release system; 0 otherwise. */
uintptr_t bench_uart;
#if defined(__riscv)
/* Patched by the tool (setvar_vaddr): the Goldfish RTC's registers. */
uintptr_t bench_rtc;
#endif

#if defined(BENCH_SEMIHOSTING)
/* QEMU semihosting's SYS_WRITE0 (operation 4): writes the string at x1. */
static inline void bench_semihosting_write0(const char *s)
{
    register uint64_t op __asm__("x0") = 4;
    register const char *str __asm__("x1") = s;
    __asm__ volatile("hlt #0xf000" : "+r"(op) : "r"(str) : "memory");
}

/* Collects a line, then writes it whole (a newline first, then the line). */
static inline void bench_puts(const char *s)
{
    static char line[160] = "\n";
    static unsigned len = 1;
    for (; *s != 0; s++) {
        line[len++] = *s;
        if (*s == '\n' || len == sizeof line - 1) {
            line[len] = 0;
            bench_semihosting_write0(line);
            len = 1;
        }
    }
}
#else
static inline void bench_puts(const char *s)
{
    if (bench_uart == 0) {
        microkit_dbg_puts(s);
        return;
    }
#if defined(__riscv)
    volatile uint8_t *uart = (volatile uint8_t *)bench_uart;
    for (; *s != 0; s++) {
        while ((uart[5] & (1u << 5)) == 0) { /* LSR.THRE: transmit holding register empty */
        }
        uart[0] = (uint8_t)*s;
    }
#elif defined(__x86_64__)
    microkit_dbg_puts(s); /* not reached: x86 runs debug kernels only */
#else
    volatile uint32_t *uart = (volatile uint32_t *)bench_uart;
    for (; *s != 0; s++) {
        while (uart[0x18 / 4] & (1u << 5)) { /* FR.TXFF: transmit FIFO full */
        }
        uart[0] = (uint32_t)*s;
    }
#endif
}
#endif /* BENCH_SEMIHOSTING */

#if defined(__x86_64__)
static inline uint64_t bench_ticks(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high)::"memory");
    return (uint64_t)high << 32 | low;
}

static inline uint64_t bench_instructions(uint64_t ticks)
{
    return ticks;
}
#elif defined(__riscv)
/* The RTC's ns (reading TIME_LOW latches TIME_HIGH). */
static inline uint64_t bench_ticks(void)
{
    volatile uint32_t *rtc = (volatile uint32_t *)bench_rtc;
    uint64_t low = rtc[0];
    uint64_t high = rtc[1];
    return high << 32 | low;
}

static inline uint64_t bench_instructions(uint64_t ticks)
{
    return ticks;
}
#else
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
#endif

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

/* Reports this PD's init() end: instructions since reset. On RISC-V the
 * RTC's origin is the host's clock at QEMU start, so the raw reading is
 * reported instead ("init_rtc"); run_sel4_bench.sh --boot-points turns it
 * into instructions since the loader's first one. */
static inline void bench_init_end(void)
{
#if defined(__x86_64__)
    return; /* the TSC counts from CPU reset, not from the loader's first instruction */
#endif
#if defined(__riscv)
    uint64_t rtc = bench_rtc ? bench_ticks() : 0; /* sel4_tool_bench's PDs map no RTC */
    bench_puts("bench: init_rtc ");
    bench_puts(microkit_name);
    bench_puts(" ");
    bench_put_u64(rtc);
#else
    uint64_t now = bench_instructions(bench_ticks());
    bench_puts("bench: init_end ");
    bench_puts(microkit_name);
    bench_puts(" ");
    bench_put_u64(now);
#endif
    bench_puts("\n");
}

/* Instructions per round of `rounds` between two tick readings, x100 (two decimals). */
static inline uint64_t bench_per_round_x100(uint64_t t0, uint64_t t1, uint64_t rounds)
{
    return bench_instructions(t1 - t0) * 100u / rounds;
}
