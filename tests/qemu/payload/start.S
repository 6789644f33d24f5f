/*
 * start.S: entry of the QEMU test payload, a stand-in for the seL4 kernel.
 * Saves the boot-protocol registers x0..x5 on a fresh stack and passes
 * them to payload_main().
 */
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x9, =__stack_top
    mov     sp, x9
    sub     sp, sp, #48
    stp     x0, x1, [sp]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    mov     x0, sp
    bl      payload_main
1:  wfe
    b       1b

    .section .note.GNU-stack, "", %progbits
