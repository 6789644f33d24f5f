/*
 * start.S: RISC-V 64 entry of the microkit loader, and the jump into the
 * kernel.
 *
 * OpenSBI (fw_dynamic, QEMU virt's default firmware) enters the image in
 * S-mode with the MMU off, a0 = this hart's id, a1 = the DTB's physical
 * address. Layout of the first 16 bytes, relied on by the image writer: a
 * jump and a nop (4 bytes each, never compressed or relaxed), then the
 * LoaderInfo (section .loader_info, runtime/shared/loader_image.h) at
 * offset 8.
 */

#ifndef MICROKIT_LOADER_CORES
#define MICROKIT_LOADER_CORES 1     /* the kernel's CONFIG_MAX_NUM_NODES */
#endif
#define SECONDARY_STACK 4096        /* each other hart's stack until it enters the kernel */
#define LOADER_MAX_HARTS 1024       /* arch.cc's kMaxHartId */

    .section .text.start, "ax"
    .global _start
    .option push
    .option norvc
    .option norelax
_start:
    j       loader_entry
    nop
    .option pop

    .text
    .type loader_entry, @function
loader_entry:
    csrw    sie, zero               /* no interrupts, ever */
    csrci   sstatus, 2              /* SIE */
    /*
     * The first hart here is the boot hart. OpenSBI 1.1 (QEMU's) can send a
     * hart the boot hart starts with HSM here instead of to secondary_entry
     * when the hart reaches OpenSBI late (a loaded host): such a hart waits
     * for the core the boot hart gives it (loader_hart_core, set before the
     * start call) and goes on as secondary_entry would; a hart given none
     * waits for ever. The flag and table are .data: the bss clear below must
     * not reset them.
     */
    la      t0, loader_boot_claimed
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    beqz    t1, 4f
    li      t1, LOADER_MAX_HARTS
6:  bgeu    a0, t1, 6b              /* a hart id beyond the table: never a core */
    la      t0, loader_hart_core
    slli    t1, a0, 3
    add     t0, t0, t1
7:  ld      a1, 0(t0)
    beqz    a1, 7b
    fence   r, rw
    j       secondary_entry
4:  mv      s0, a0                  /* hart id and DTB survive the bss clear */
    mv      s1, a1
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  la      sp, __stack_top
    la      t0, loader_trap_entry
    csrw    stvec, t0               /* any trap prints and stops */
    la      t0, loader_boot_hart
    sd      s0, 0(t0)
    la      t0, loader_boot_dtb
    sd      s1, 0(t0)
    call    loader_main
3:  wfi
    j       3b

/*
 * secondary_entry: where SBI HSM hart_start starts every other hart (SMP
 * kernels), in S-mode with the MMU off: a0 = its hart id, a1 = the opaque
 * value the boot hart passed, the logical core index (1..cores-1). Each
 * core gets its own stack, then arch_secondary_main(hart, core), which
 * never returns.
 */
    .global secondary_entry
    .balign 4
secondary_entry:
    csrw    sie, zero
    csrci   sstatus, 2
    la      t0, secondary_stacks
    li      t1, SECONDARY_STACK
    mul     t1, t1, a1
    add     sp, t0, t1              /* core i's stack ends i stacks above the base */
    la      t0, loader_trap_entry
    csrw    stvec, t0
    call    arch_secondary_main
5:  wfi
    j       5b

/*
 * A trap in the loader (a bad page table, a bad address) is a bug: report
 * it on a fresh stack (the loader's own; nothing else runs) and stop.
 */
    .balign 4
loader_trap_entry:
    la      sp, __stack_top
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    loader_trap
4:  wfi
    j       4b

/*
 * void arch_enter_kernel(const uint64_t args[8], uint64_t entry)
 * Loads a0..a7 from args (the seL4 boot protocol) and jumps to entry,
 * after making the copied kernel code visible to instruction fetch.
 */
    .global arch_enter_kernel
    .type arch_enter_kernel, @function
arch_enter_kernel:
    mv      t0, a1
    ld      a7, 56(a0)
    ld      a6, 48(a0)
    ld      a5, 40(a0)
    ld      a4, 32(a0)
    ld      a3, 24(a0)
    ld      a2, 16(a0)
    ld      a1, 8(a0)
    ld      a0, 0(a0)
    fence.i
    jr      t0

    .data
    .balign 8
    .global loader_boot_claimed, loader_hart_core
loader_boot_claimed:
    .word   0
    .balign 8
loader_hart_core:                   /* hart id -> its core (1..), 0: none yet */
    .space  8 * LOADER_MAX_HARTS

    .bss
    .balign 16
secondary_stacks:
    .space SECONDARY_STACK * (MICROKIT_LOADER_CORES - 1)

    .section .note.GNU-stack, "", @progbits
