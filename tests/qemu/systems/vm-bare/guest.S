/* guest.S: a bare-metal AArch64 guest for the vm-bare test system. It runs
 * at EL1 with its MMU off, at guest-physical 0x40000000 (the MR "guest_ram"
 * holds this code, prefilled from guest.bin). Everything it does is aimed at
 * its VMM:
 *   1. stores x1 (the VMM's life counter) to 0x10000000, where the guest
 *      has no memory: a data abort the VMM emulates;
 *   2. adds 0x100 to TPIDR_EL1 (the VMM writes and reads it), turns on the virtual
 *      GIC CPU interface (the VMM maps the GICV frame at 0x08010000) and
 *      unmasks IRQs;
 *   3. smc: trapped by the hypervisor, a vCPU fault; the VMM moves the pc on;
 *   4. hvc with x0 = 1 (x7 = 0): seL4 takes a guest's hvc as a system call,
 *      so the VMM sees an unknown-syscall fault; it injects virtual IRQ 40
 *      and replies with the pc past the hvc;
 *   5. on the IRQ: stores the interrupt id from GICC_IAR to 0x10000008,
 *      ends it (GICC_EOIR: the VGIC maintenance event), waits a moment,
 *      starts the virtual timer and returns to its loop;
 *   6. the timer's PPI 27 reaches the VMM as a VPPI event; it injects IRQ
 *      27, which the guest stores, stops the timer, ends, then hvc with
 *      x0 = 2: the VMM stops the vCPU and restarts it at its entry (where
 *      the timer's event comes again only if the VMM acked the VPPI).
 * Any other exception stores ESR_EL1 to 0x10000010. */
    .text
    .global _start
_start:
    movz    x0, #0x1000, lsl #16
    str     x1, [x0]
    mrs     x2, tpidr_el1
    add     x2, x2, #0x100
    msr     tpidr_el1, x2
    adr     x2, vectors
    msr     vbar_el1, x2
    isb
    movz    x3, #0x0801, lsl #16
    mov     w4, #0xff
    str     w4, [x3, #0x4]
    mov     w4, #1
    str     w4, [x3, #0x0]
    msr     daifclr, #2
    smc     #0
    mov     x0, #1
    mov     x7, #0
    hvc     #0
1:  b       1b

irq:
    movz    x3, #0x0801, lsl #16
    ldr     w5, [x3, #0xc]
    movz    x0, #0x1000, lsl #16
    str     x5, [x0, #8]
    cmp     w5, #27
    b.ne    5f
    msr     cntv_ctl_el0, xzr
5:  str     w5, [x3, #0x10]
    /* The end of the IRQ raises the maintenance interrupt at once, but QEMU
     * takes interrupts only between translation blocks: a short loop lets it
     * be taken (and reported) before what follows. */
    mov     x6, #16
4:  subs    x6, x6, #1
    b.ne    4b
    cmp     w5, #27
    b.eq    6f
    /* After IRQ 40: the virtual timer fires soon (a VPPI event for the
     * VMM, which injects its IRQ 27); back to the loop meanwhile. */
    mov     x6, #1000
    msr     cntv_tval_el0, x6
    mov     x6, #1
    msr     cntv_ctl_el0, x6
    isb
    eret
6:  mov     x0, #2
    mov     x7, #0
    hvc     #0
2:  b       2b

unexpected:
    mrs     x1, esr_el1
    movz    x0, #0x1000, lsl #16
    str     x1, [x0, #0x10]
3:  b       3b

/* EL1h (SP_EL1) takes its IRQs at vectors + 0x280; every other entry is
 * unexpected here. */
    .balign 2048
vectors:
    .rept 5
    b       unexpected
    .balign 0x80
    .endr
    b       irq
    .balign 0x80
    .rept 10
    b       unexpected
    .balign 0x80
    .endr
