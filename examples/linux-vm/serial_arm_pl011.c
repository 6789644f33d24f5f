/* serial_arm_pl011.c: the serial PD. It owns the board's PL011 UART and
 * carries the guest's consoles: bytes the VMM puts in the tx ring go out of
 * the UART; bytes the UART receives go into one of two rx rings for the
 * VMM, the PL011's (ttyAMA0) or the virtio console's (hvc0). Ctrl-] on the
 * serial line switches between them. */
#include <stdint.h>
#include <microkit.h>
#include <microkit_vmm_parts.h>

#define UART_IRQ_CHANNEL 0
#define VMM_CHANNEL 1
#define RING_SIZE 0x1000
#define SWITCH_KEY 0x1d /* Ctrl-] */

#define REG(offset) (*(volatile uint32_t *)(uart_base + (offset)))
#define UART_DR REG(0x000)
#define UART_FR REG(0x018)
#define UART_IMSC REG(0x038)
#define UART_ICR REG(0x044)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

/* Set by the tool (setvar_vaddr). */
uintptr_t uart_base;
uintptr_t console_tx;
uintptr_t console_rx;
uintptr_t console_vrx;

static microkit_vmm_ring *rx;  /* where typed bytes go now: */
static microkit_vmm_ring *pl011_rx, *virtio_rx;

static void say(const char *text)
{
    for (; *text != 0; ++text) {
        while (UART_FR & FR_TXFF) {
        }
        UART_DR = (uint8_t)*text;
    }
}

/* Ctrl-]: typed bytes now go to the other console; the line says which. */
static void switch_console(void)
{
    rx = rx == pl011_rx ? virtio_rx : pl011_rx;
    say(rx == virtio_rx ? "\r\n[serial: input to /dev/hvc0]\r\n" : "\r\n[serial: input to ttyAMA0]\r\n");
}

static void transmit_waiting_bytes(void)
{
    microkit_vmm_ring *tx = (microkit_vmm_ring *)console_tx;
    /* A full ring holds a virtio transmit buffer in the VMM until it hears there is room. */
    int was_full = microkit_vmm_ring_count(tx) == tx->size;
    uint8_t byte;
    while (microkit_vmm_ring_pop(tx, &byte)) {
        while (UART_FR & FR_TXFF) {
        }
        UART_DR = byte;
#ifdef SERIAL_TRANSMITTED
        SERIAL_TRANSMITTED(byte); /* a hook for bench/sel4/vm (timestamps the guest's prompt) */
#endif
    }
    if (was_full) {
        microkit_notify(VMM_CHANNEL);
    }
}

static void receive_waiting_bytes(void)
{
    int got = 0;
    while (!(UART_FR & FR_RXFE)) {
        uint8_t byte = (uint8_t)UART_DR;
        if (byte == SWITCH_KEY) {
            switch_console();
            continue;
        }
        got |= microkit_vmm_ring_push(rx, byte);
    }
    UART_ICR = INT_RX | INT_RT;
    if (got) {
        microkit_notify(VMM_CHANNEL);
    }
}

void init(void)
{
    pl011_rx = microkit_vmm_ring_init((void *)console_rx, RING_SIZE);
    virtio_rx = microkit_vmm_ring_init((void *)console_vrx, RING_SIZE);
    rx = pl011_rx;
    UART_IMSC = INT_RX | INT_RT;
}

void notified(microkit_channel ch)
{
    if (ch == UART_IRQ_CHANNEL) {
        receive_waiting_bytes();
        microkit_irq_ack(UART_IRQ_CHANNEL);
    } else if (ch == VMM_CHANNEL) {
        transmit_waiting_bytes();
    }
}
