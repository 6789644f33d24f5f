/*
 * start.S: entry of the initial task. seL4 starts the initial thread with
 * x0 = the BootInfo frame's address and no stack: make one (in .bss, which
 * the loader zeroed) and call initialiser_main(bootinfo), which never
 * returns.
 */
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x9, =__stack_top
    mov     sp, x9
    bl      initialiser_main
1:  b       1b

    .section .note.GNU-stack, "", %progbits
