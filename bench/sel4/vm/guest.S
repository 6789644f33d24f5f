/* guest.S: a bare-metal guest for the VM benchmark (run_vm_bench.sh). It
 * starts with an arm64 Image header, so the VMM library loads it like Linux,
 * and runs at EL1 with the MMU off. It measures with the virtual counter
 * (CNTVCT_EL0; 16 instructions a tick under -icount shift=0) and reports
 * through the VMM's bench device (bench_vmm.c) at 0x0a000000:
 *   read  +0x00   an emulated register (value 0): one MMIO exit
 *   write +0x08   raise SPI 40 (the VMM injects it)
 *   write +0x10   report: MMIO ticks for ROUNDS reads
 *   write +0x18   report: ticks for ROUNDS (trigger write + IRQ + EOI)
 *   write +0x20   report: ticks for ROUNDS empty loop rounds (the baseline)
 *   write +0x28   done
 */
#define ROUNDS 1000
#define DEV 0x0a000000
#define GICD 0x08000000
#define GICC 0x08010000
#define SPI 40

    .section .text
    .global _start
_start:
    /* Image header (Documentation/arch/arm64/booting.rst). */
    b       entry                  /* code0 */
    .long   0                      /* code1 */
    .quad   0                      /* text_offset */
    .quad   image_end - _start     /* image_size */
    .quad   0xa                    /* flags: little-endian, 4 KiB pages, anywhere */
    .quad   0, 0, 0                /* res2-4 */
    .ascii  "ARM\x64"              /* magic */
    .long   0                      /* res5 */

entry:
    ldr     x20, =DEV
    ldr     x21, =GICC
    ldr     x22, =GICD
    adr     x0, vectors
    msr     vbar_el1, x0
    isb

    /* Baseline: the loop alone. */
    mov     x2, #ROUNDS
    isb
    mrs     x1, cntvct_el0
1:  subs    x2, x2, #1
    b.ne    1b
    isb
    mrs     x4, cntvct_el0
    sub     x5, x4, x1
    str     x5, [x20, #0x20]

    /* MMIO: ROUNDS reads of an emulated register. */
    mov     x2, #ROUNDS
    isb
    mrs     x1, cntvct_el0
2:  ldr     w3, [x20]
    subs    x2, x2, #1
    b.ne    2b
    isb
    mrs     x4, cntvct_el0
    sub     x5, x4, x1
    str     x5, [x20, #0x10]

    /* Interrupts: distributor (emulated) and CPU interface (the GICV frame). */
    mov     w0, #1
    str     w0, [x22, #0x000]             /* GICD_CTLR */
    mov     w0, #(1 << (SPI - 32))
    str     w0, [x22, #0x104]             /* GICD_ISENABLER1 */
    mov     w0, #1
    strb    w0, [x22, #(0x800 + SPI)]     /* GICD_ITARGETSR: CPU 0 */
    mov     w0, #0xa0
    strb    w0, [x22, #(0x400 + SPI)]     /* GICD_IPRIORITYR */
    mov     w0, #0xf0
    str     w0, [x21, #0x004]             /* GICC_PMR */
    mov     w0, #1
    str     w0, [x21, #0x000]             /* GICC_CTLR */
    msr     daifclr, #2                   /* unmask IRQs */

    /* Injection: ROUNDS x (ask the VMM for SPI 40, take it, EOI it). */
    mov     x26, #0                       /* IRQs handled (by the handler) */
    mov     x2, #ROUNDS
    isb
    mrs     x1, cntvct_el0
3:  add     x27, x26, #1
    str     w0, [x20, #0x08]
4:  cmp     x26, x27
    b.ne    4b
    subs    x2, x2, #1
    b.ne    3b
    isb
    mrs     x4, cntvct_el0
    sub     x5, x4, x1
    str     x5, [x20, #0x18]

    str     w0, [x20, #0x28]
5:  wfi
    b       5b

/* EL1 vectors: only IRQ from the current EL with SP_ELx is expected. */
    .balign 2048
vectors:
    .rept   5
    .balign 128
    b       .
    .endr
    .balign 128                            /* +0x280: IRQ, current EL, SP_ELx */
    ldr     w25, [x21, #0x00c]             /* GICC_IAR */
    str     w25, [x21, #0x010]             /* GICC_EOIR */
    add     x26, x26, #1
    eret
    .rept   10
    .balign 128
    b       .
    .endr

    .ltorg
    .balign 8
image_end:
