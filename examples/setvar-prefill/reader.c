/*
 * reader: everything it knows about its memory region and its channel was
 * written into its program image by the microkit tool (setvar):
 *
 *   blob         where the region is mapped     (map setvar_vaddr)
 *   blob_size    how big the region is          (map setvar_size)
 *   blob_fill    how many bytes were prefilled  (map setvar_prefill_size)
 *   blob_paddr   the region's physical address  (<setvar region_paddr>)
 *   peer_ch      its channel id for the peer    (channel end setvar_id)
 *
 * It prints them, prints the prefilled text, and checks the text against a
 * checksum compiled in here: the text itself is only in message.txt.
 */
#include <stdint.h>
#include <microkit.h>

#define MESSAGE_LENGTH 123
#define MESSAGE_FNV1A 0xfbc3ecfeu /* FNV-1a (32-bit) of message.txt */
#define PAGE_SIZE 0x1000

/* The tool overwrites each of these; the initial values would be wrong. */
const char *blob = 0;
uint64_t blob_size = 0;
uint64_t blob_fill = 0;
uint64_t blob_paddr = 1;
uint64_t peer_ch = MICROKIT_MAX_CHANNELS; /* not a valid channel id */

static unsigned failures;

static void put_hex(uint64_t value)
{
    char text[19];
    int i = 18;
    text[i] = '\0';
    do {
        unsigned digit = value & 0xf;
        text[--i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
        value >>= 4;
    } while (value != 0);
    text[--i] = 'x';
    text[--i] = '0';
    microkit_dbg_puts(&text[i]);
}

static void check(int ok, const char *what)
{
    microkit_dbg_puts("reader: check ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(ok ? ": ok\n" : ": FAILED\n");
    if (!ok) {
        failures++;
    }
}

static void print_symbols(void)
{
    microkit_dbg_puts("reader: blob       = ");
    put_hex((uintptr_t)blob);
    microkit_dbg_puts("\nreader: blob_size  = ");
    put_hex(blob_size);
    microkit_dbg_puts("\nreader: blob_fill  = ");
    microkit_dbg_put32(blob_fill);
    microkit_dbg_puts("\nreader: peer_ch    = ");
    microkit_dbg_put32(peer_ch);
    microkit_dbg_puts("\n");
}

/* Prints the prefilled text line by line, each line prefixed. */
static void print_text(void)
{
    microkit_dbg_puts("reader: | ");
    for (uint64_t i = 0; i < blob_fill; i++) {
        microkit_dbg_putc(blob[i]);
        if (blob[i] == '\n' && i + 1 < blob_fill) {
            microkit_dbg_puts("reader: | ");
        }
    }
}

static uint32_t fnv1a(const char *bytes, uint64_t length)
{
    uint32_t hash = 0x811c9dc5u;
    for (uint64_t i = 0; i < length; i++) {
        hash ^= (uint8_t)bytes[i];
        hash *= 0x01000193u;
    }
    return hash;
}

static int rest_is_zero(void)
{
    for (uint64_t i = blob_fill; i < blob_size; i++) {
        if (blob[i] != 0) {
            return 0;
        }
    }
    return 1;
}

void init(void)
{
    print_symbols();
    check(blob_size == PAGE_SIZE, "size is the file's length rounded up to a page");
    check(blob_fill == MESSAGE_LENGTH, "prefill size is the file's length");
    check(blob_paddr != 0 && blob_paddr % PAGE_SIZE == 0, "physical address is page-aligned");
    print_text();
    check(fnv1a(blob, blob_fill) == MESSAGE_FNV1A, "text matches message.txt");
    check(rest_is_zero(), "the rest of the region is zero");
    microkit_dbg_puts(failures == 0 ? "reader: all checks passed\n" : "reader: SOME CHECKS FAILED\n");
    microkit_dbg_puts("reader: notifying the peer\n");
    microkit_notify(peer_ch);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
