/* Drives the host serial device: prints a greeting through TX, then echoes
 * each chunk of RX input (upper-cased) and acks the IRQ. */
#include <microkit.h>
#include <stdio.h>
#include <string.h>

uintptr_t uart;

static volatile uint64_t *reg(unsigned off) { return (volatile uint64_t *)(uart + off); }

static void send(const char *s, size_t n)
{
    memcpy((char *)(uart + MICROKIT_HOST_SERIAL_TX_BUF), s, n);
    *reg(MICROKIT_HOST_SERIAL_TX_LEN) = n;
}

void init(void) { send("hello serial\n", 13); }

void notified(microkit_channel ch)
{
    char buf[MICROKIT_HOST_SERIAL_BUF_SIZE];
    size_t n = *reg(MICROKIT_HOST_SERIAL_RX_LEN);
    for (size_t i = 0; i < n; i++) {
        char c = ((const char *)(uart + MICROKIT_HOST_SERIAL_RX_BUF))[i];
        buf[i] = (c >= 'a' && c <= 'z') ? c - 32 : c;
    }
    printf("got %zu bytes on channel %u\n", n, ch);
    *reg(MICROKIT_HOST_SERIAL_RX_LEN) = 0;
    send(buf, n);
    microkit_irq_ack(ch);
}
