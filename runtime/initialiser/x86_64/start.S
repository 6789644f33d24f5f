/*
 * start.S: x86-64 entry of the initial task. seL4 starts the initial thread
 * with rdi = the BootInfo frame's address (the first argument register of
 * the System V ABI) and no stack: make one (in .bss, which the kernel
 * zeroed when it loaded the ELF) and call initialiser_main(bootinfo), which
 * never returns. The call pushes the return address, so the callee sees
 * rsp = 16n + 8 as the ABI requires.
 */
    .section .text.start, "ax"
    .global _start
_start:
    leaq    __stack_top(%rip), %rsp
    xorl    %ebp, %ebp
    call    initialiser_main
1:  jmp     1b

    .section .note.GNU-stack, "", @progbits
