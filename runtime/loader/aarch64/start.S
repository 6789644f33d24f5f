/*
 * start.S: AArch64 entry of the microkit loader, and the few steps that
 * cannot be written in C++ (MMU switch, the jump into the kernel).
 *
 * The previous stage jumps to the image's first byte with the MMU off at
 * EL2 (or EL1). Layout of the first 32 bytes, relied on by the image
 * writer: a branch, a nop, then the LoaderInfo (section .loader_info, see
 * runtime/shared/loader_image.h) at offset 8.
 */

#ifndef MICROKIT_LOADER_CORES
#define MICROKIT_LOADER_CORES 1     /* the kernel's CONFIG_MAX_NUM_NODES */
#endif
#define SECONDARY_STACK 4096        /* each other core's stack until it enters the kernel */

    .section .text.start, "ax"
    .global _start
_start:
    b       loader_entry
    nop

    .text
    .type loader_entry, %function
loader_entry:
    msr     daifset, #0xf           /* no interrupts, ever */
    /* Zero .bss (it holds the stack, so before any call). */
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  ldr     x0, =__stack_top
    mov     sp, x0
    bl      loader_main
3:  wfe
    b       3b

/*
 * secondary_entry: where PSCI CPU_ON starts every other core (SMP kernels),
 * at the boot exception level with the MMU off; x0 = the context id the
 * primary passed, the core's index (1..cores-1). Each core gets its own
 * stack, then arch_secondary_main (never returns).
 */
    .global secondary_entry
    .type secondary_entry, %function
secondary_entry:
    msr     daifset, #0xf
    ldr     x1, =secondary_stacks
    mov     x2, #SECONDARY_STACK
    madd    x1, x0, x2, x1          /* core i's stack ends i stacks above the base */
    mov     sp, x1
    bl      arch_secondary_main
4:  wfe
    b       4b

/*
 * void arch_enable_mmu_el2(uint64_t ttbr0, uint64_t mair, uint64_t tcr)
 * Installs the boot tables in the EL2 regime and turns on the MMU with the
 * data and instruction caches. The caller's code and stack are identity-
 * mapped, so execution continues at the next instruction.
 */
    .global arch_enable_mmu_el2
    .type arch_enable_mmu_el2, %function
arch_enable_mmu_el2:
    msr     mair_el2, x1
    msr     tcr_el2, x2
    msr     ttbr0_el2, x0
    isb
    tlbi    alle2
    dsb     ish
    ic      iallu
    dsb     ish
    isb
    mrs     x3, sctlr_el2
    mov     x4, #((1 << 0) | (1 << 2) | (1 << 12))  /* M, C, I */
    orr     x3, x3, x4
    msr     sctlr_el2, x3
    isb
    ret

/*
 * void arch_enable_mmu_el1(uint64_t ttbr0, uint64_t ttbr1, uint64_t mair,
 *                          uint64_t tcr)
 * The same for the EL1 regime (non-hypervisor kernels): TTBR0_EL1 holds
 * the identity map, TTBR1_EL1 the kernel window.
 */
    .global arch_enable_mmu_el1
    .type arch_enable_mmu_el1, %function
arch_enable_mmu_el1:
    msr     mair_el1, x2
    msr     tcr_el1, x3
    msr     ttbr0_el1, x0
    msr     ttbr1_el1, x1
    isb
    tlbi    vmalle1
    dsb     ish
    ic      iallu
    dsb     ish
    isb
    mrs     x4, sctlr_el1
    mov     x5, #((1 << 0) | (1 << 2) | (1 << 12))  /* M, C, I */
    orr     x4, x4, x5
    msr     sctlr_el1, x4
    isb
    ret

/*
 * void arch_drop_to_el1(void)
 * Called at EL2; returns to the caller at EL1h on the same stack, with
 * interrupts masked. EL1 runs AArch64 (HCR_EL2.RW) with no EL2 traps,
 * may use the physical timer and counter (CNTHCTL_EL2), and FP/SIMD is not
 * trapped to EL2 (CPTR_EL2). SCTLR_EL1 starts from its RES1 bits, MMU off.
 */
    .global arch_drop_to_el1
    .type arch_drop_to_el1, %function
arch_drop_to_el1:
    mov     x9, #(1 << 31)
    msr     hcr_el2, x9
    mov     x9, #3
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    mov     x9, #0x33ff
    msr     cptr_el2, x9
    ldr     x9, =0x30d00800
    msr     sctlr_el1, x9
    mov     x9, sp
    msr     sp_el1, x9
    mov     x9, #0x3c5                /* EL1h, D, A, I, F masked */
    msr     spsr_el2, x9
    msr     elr_el2, x30
    isb
    eret

/*
 * void arch_enter_kernel(const uint64_t args[6], uint64_t entry)
 * Loads x0..x5 from args (the seL4 boot protocol) and branches to entry.
 */
    .global arch_enter_kernel
    .type arch_enter_kernel, %function
arch_enter_kernel:
    mov     x9, x1
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x0, x1, [x0]
    dsb     sy
    isb
    br      x9

    .bss
    .balign 16
secondary_stacks:
    .space SECONDARY_STACK * (MICROKIT_LOADER_CORES - 1)

    .section .note.GNU-stack, "", %progbits
