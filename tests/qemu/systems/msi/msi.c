/*
 * msi: drives QEMU's edu device (a PCI device for teaching drivers) to
 * raise message-signalled interrupts. init() finds the device in PCI
 * configuration space, turns on memory decoding and bus mastering (an MSI
 * is a memory write by the device), points the device's MSI capability at
 * the local APIC with seL4's CPU vector for the <irq vector>, and asks the
 * device for an interrupt. Each interrupt arrives in notified(); the PD
 * clears it in the device, acknowledges it to seL4 and asks for the next,
 * twice.
 */
#include <microkit.h>

#define PCI_IOPORT 0        /* <ioport id="0">: 0xcf8 (address) and 0xcfc (data) */
#define MSI_CHANNEL 1       /* <irq id="1"> */
#define MSI_VECTOR 40       /* <irq vector="40"> */
#define EDU_DEVICE 4        /* 0:4.0 */

/* seL4 on x86-64 gives user vector v the CPU vector v + 0x30 (its first
 * user vector, after the 0x20 exceptions and the 16 legacy PIC lines). */
#define CPU_VECTOR (MSI_VECTOR + 0x30)
#define LAPIC_MSI_ADDRESS 0xfee00000u  /* destination: the boot core's local APIC */

/* edu registers (BAR 0) */
#define EDU_IDENT 0x00
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64

volatile uint32_t *edu;  /* patched by the tool (setvar_vaddr) */
uint64_t edu_paddr;      /* patched by the tool (setvar region_paddr): where BAR 0 must be */

static unsigned interrupts;

static uint32_t config_address(uint32_t offset)
{
    return 0x80000000u | (EDU_DEVICE << 11) | (offset & 0xfc);
}

static uint32_t config_read(uint32_t offset)
{
    microkit_x86_ioport_write_32(PCI_IOPORT, 0xcf8, config_address(offset));
    return microkit_x86_ioport_read_32(PCI_IOPORT, 0xcfc);
}

static void config_write(uint32_t offset, uint32_t value)
{
    microkit_x86_ioport_write_32(PCI_IOPORT, 0xcf8, config_address(offset));
    microkit_x86_ioport_write_32(PCI_IOPORT, 0xcfc, value);
}

static void put_hex(uint32_t value)
{
    char text[11] = "0x";
    for (int i = 0; i < 8; i++) {
        unsigned digit = (value >> (28 - 4 * i)) & 0xf;
        text[2 + i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
    }
    text[10] = '\0';
    microkit_dbg_puts(text);
}

/* The offset of the MSI capability (id 5) in the device's list, or 0. */
static uint32_t find_msi_capability(void)
{
    if (!(config_read(0x04) & (1u << 20))) {  /* status: capability list present */
        return 0;
    }
    uint32_t at = config_read(0x34) & 0xfc;
    for (int hops = 0; at != 0 && hops < 48; hops++) {
        uint32_t header = config_read(at);
        if ((header & 0xff) == 0x05) {
            return at;
        }
        at = (header >> 8) & 0xfc;
    }
    return 0;
}

static void raise(uint32_t value)
{
    edu[EDU_IRQ_RAISE / 4] = value;
}

void init(void)
{
    uint32_t id = config_read(0x00);
    microkit_dbg_puts("msi: PCI 0:4.0 vendor:device ");
    put_hex(id);
    microkit_dbg_puts("\n");
    uint32_t msi = find_msi_capability();
    if (id != 0x11e81234u || msi == 0) {
        microkit_dbg_puts("msi: FAILED: no edu device with an MSI capability at 0:4.0\n");
        return;
    }
    /* BAR 0 where the memory region is (the firmware's choice may differ
     * from one QEMU to another): moved with memory decoding off. */
    if ((config_read(0x10) & ~0xfu) != (uint32_t)edu_paddr) {
        config_write(0x04, config_read(0x04) & ~0x2u);
        config_write(0x10, (uint32_t)edu_paddr);
    }
    config_write(0x04, config_read(0x04) | 0x6);          /* memory space, bus master */
    uint32_t control = config_read(msi) >> 16;
    config_write(msi + 4, LAPIC_MSI_ADDRESS);
    uint32_t data_at = (control & (1u << 7)) ? msi + 12 : msi + 8;  /* 64-bit address capable? */
    if (control & (1u << 7)) {
        config_write(msi + 8, 0);
    }
    config_write(data_at, CPU_VECTOR);
    config_write(msi, (config_read(msi) & 0xffff) | ((control | 1u) << 16));  /* MSI enable */
    microkit_dbg_puts("msi: edu ident ");
    put_hex(edu[EDU_IDENT / 4]);
    microkit_dbg_puts(", MSI enabled; raising interrupt 1\n");
    raise(1);
}

void notified(microkit_channel ch)
{
    if (ch != MSI_CHANNEL) {
        microkit_dbg_puts("msi: notified on an unexpected channel\n");
        return;
    }
    uint32_t status = edu[EDU_IRQ_STATUS / 4];
    interrupts++;
    microkit_dbg_puts("msi: interrupt ");
    microkit_dbg_put32(interrupts);
    microkit_dbg_puts(", edu status ");
    put_hex(status);
    microkit_dbg_puts("\n");
    edu[EDU_IRQ_ACK / 4] = status;
    microkit_irq_ack(MSI_CHANNEL);
    if (interrupts < 2) {
        raise(2);
        return;
    }
    microkit_dbg_puts("msi: done\n");
}
