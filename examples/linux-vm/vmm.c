/* vmm.c: a VMM PD that boots Linux with the VMM library (microkit_vmm.h).
 *
 * The guest's images are prefilled memory regions the system description
 * maps into this PD (its <linux> element lets the tool check at build time
 * that they fit guest RAM); its machine is guest.dts. Everything the guest does that needs the VMM
 * arrives in fault(): the library emulates the GIC distributor, PSCI and the
 * PL011 console, whose bytes travel to the serial PD over two shared rings,
 * and a virtio console (/dev/hvc0) whose output shares the PL011's ring and
 * whose input has a ring of its own (the serial PD chooses which console
 * gets typed bytes), and a virtio block device (/dev/vda) whose storage is
 * the block PD's RAM disk. */
#include <microkit.h>
#include <microkit_vmm.h>

#ifndef GUEST_CPUS
#define GUEST_CPUS 1                 /* the Makefile's GUEST_CPUS: vCPUs and cpus in the guest's DTB */
#endif
#define GUEST_RAM_GPA 0x40000000ul  /* the guest's <map mr="guest_ram" vaddr> */
#define GUEST_GICD_GPA 0x08000000ul
#define GUEST_UART_GPA 0x09000000ul
#define GUEST_UART_IRQ 33            /* SPI 1, as guest.dts says */
#define GUEST_VIRTIO_GPA 0x0a000000ul
#define GUEST_VIRTIO_IRQ 48          /* SPI 16, as guest.dts says */
#define GIC_LIST_REGISTERS 4         /* QEMU's GICv2 */
#define GUEST_BLOCK_GPA 0x0a000200ul
#define GUEST_BLOCK_IRQ 49           /* SPI 17, as guest.dts says */
#define CONSOLE_RING_SIZE 0x1000
#define BLOCK_RING_SIZE 0x1000
#define BLOCK_DATA_SIZE 0x10000      /* the slots: as blk_ramdisk.c says */
#define BLOCK_SECTORS (0x100000 / 512)  /* the block PD's disk */
#define SERIAL_CHANNEL 1
#define BLOCK_CHANNEL 2

/* Set by the tool (setvar_vaddr, setvar_size, setvar_prefill_size in the system description). */
uintptr_t guest_ram_vaddr;
uint64_t guest_ram_size;
uintptr_t console_tx;
uintptr_t console_rx;
uintptr_t console_vrx;
uintptr_t blk_requests;
uintptr_t blk_answers;
uintptr_t blk_data;
uintptr_t guest_kernel, guest_dtb, guest_initrd;
uint64_t guest_kernel_size, guest_dtb_size, guest_initrd_size;

static microkit_vmm vmm;
static microkit_vmm_console console;
static microkit_vmm_vconsole vconsole;   /* /dev/hvc0: output into the console's tx ring, input from its own */
static microkit_vmm_vblock block;         /* /dev/vda */

void init(void)
{
    microkit_vmm_config config = {
        .ram_vaddr = guest_ram_vaddr,
        .ram_gpa = GUEST_RAM_GPA,
        .ram_size = guest_ram_size,
        .num_vcpus = GUEST_CPUS,
        .gicd_gpa = GUEST_GICD_GPA,
        .num_list_registers = GIC_LIST_REGISTERS,
    };
    microkit_vmm_init(&vmm, &config);
    if (microkit_vmm_console_init(&console, &vmm, GUEST_UART_GPA, GUEST_UART_IRQ, (void *)console_tx,
                                  CONSOLE_RING_SIZE, (void *)console_rx, SERIAL_CHANNEL) != 0) {
        microkit_dbg_puts("vmm: no console\n");
        return;
    }
    if (microkit_vmm_vconsole_init(&vconsole, &vmm, GUEST_VIRTIO_GPA, GUEST_VIRTIO_IRQ, console.tx,
                                   (void *)console_vrx, SERIAL_CHANNEL) != 0) {
        microkit_dbg_puts("vmm: no virtio console\n");
        return;
    }
    if (microkit_vmm_vblock_init(&block, &vmm, GUEST_BLOCK_GPA, GUEST_BLOCK_IRQ, BLOCK_SECTORS, (void *)blk_requests,
                                 BLOCK_RING_SIZE, (void *)blk_answers, (void *)blk_data, BLOCK_DATA_SIZE,
                                 BLOCK_CHANNEL) != 0) {
        microkit_dbg_puts("vmm: no virtio block device\n");
        return;
    }
    if (microkit_vmm_load_linux(&vmm, (const void *)guest_kernel, guest_kernel_size, (const void *)guest_dtb,
                                guest_dtb_size, (const void *)guest_initrd, guest_initrd_size) != 0) {
        return;
    }
    microkit_dbg_puts("vmm: starting Linux\n");
    microkit_vmm_start(&vmm);
}

void notified(microkit_channel ch)
{
    if (ch == SERIAL_CHANNEL) {
        microkit_vmm_console_notified(&console);
        microkit_vmm_vconsole_notified(&vconsole);
        return;
    }
    if (ch == BLOCK_CHANNEL) {
        microkit_vmm_vblock_notified(&block);
        return;
    }
    if (!microkit_vmm_notified(&vmm, ch)) {
        microkit_dbg_puts("vmm: notification on an unexpected channel\n");
    }
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
#ifdef VMM_STATS_SECONDS
    /* make VMM_STATS=N: each vCPU's exits by kind every N seconds, to see where the guest's time goes */
    static uint64_t last;
    uint64_t now, hz;
    __asm__ volatile("mrs %0, cntpct_el0" : "=r"(now));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    if (now - last > hz * VMM_STATS_SECONDS) {
        last = now;
        microkit_dbg_puts("vmm: exits by kind at ");
        microkit_dbg_put32((uint32_t)(now / hz));
        microkit_dbg_puts(" s\n");
        microkit_vmm_print_stats(&vmm);
    }
#endif
    return microkit_vmm_fault(&vmm, child, msginfo, reply_msginfo);
}
