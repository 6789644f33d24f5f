/* crt0.S: the PD's entry point on AArch64 (the ELF entry, first in .text).
 *
 * The initial task starts the PD's TCB with pc = _start and sp = the stack
 * top of runtime/shared/pd_abi.h (just below the guard page under the IPC
 * buffer); the stack is already mapped and the IPC buffer is at the address
 * libmicrokit's __sel4_ipc_buffer holds, so nothing needs to be set up here
 * but a clean frame chain. microkit_main never returns; if it did, the PD
 * traps (a user exception its fault handler reports).
 */
    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    mov     x0, sp
    and     x0, x0, #~0xf       /* AAPCS64: sp 16-byte aligned at calls */
    mov     sp, x0
    mov     x29, #0             /* end of the frame-pointer chain */
    mov     x30, #0
    bl      microkit_main
1:  brk     #0
    b       1b
    .size _start, . - _start

    .section .note.GNU-stack, "", %progbits
