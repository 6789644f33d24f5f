/*
 * reader: checks a prefilled region with 2 MiB pages byte by byte: the
 * prefill (a 16-byte pattern, "0123456789abcde\n" repeated) and zeros
 * after it, through both mappings.
 */
#include <microkit.h>

const volatile uint8_t *table;          /* setvar_vaddr (cached) */
const volatile uint8_t *table_uncached; /* setvar_vaddr (cached="false") */
seL4_Word table_size;                   /* setvar_size */
seL4_Word table_fill;                   /* setvar_prefill_size */

static const char pattern[16] = "0123456789abcde\n";

/* The first offset where `m` differs from what it must hold, or table_size. */
static seL4_Word first_difference(const volatile uint8_t *m)
{
    for (seL4_Word i = 0; i < table_size; i++) {
        uint8_t want = i < table_fill ? (uint8_t)pattern[i % 16] : 0;
        if (m[i] != want) {
            return i;
        }
    }
    return table_size;
}

static void check(const char *what, const volatile uint8_t *m)
{
    seL4_Word at = first_difference(m);
    microkit_dbg_puts("reader: ");
    microkit_dbg_puts(what);
    if (at == table_size) {
        microkit_dbg_puts(": every byte as prefilled\n");
        return;
    }
    microkit_dbg_puts(": first wrong byte at offset ");
    microkit_dbg_put32((seL4_Uint32)at);
    microkit_dbg_puts("\n");
}

void init(void)
{
    microkit_dbg_puts("reader: region of ");
    microkit_dbg_put32((seL4_Uint32)(table_size >> 10));
    microkit_dbg_puts(" KiB, ");
    microkit_dbg_put32((seL4_Uint32)table_fill);
    microkit_dbg_puts(" bytes prefilled\n");
    check("cached mapping", table);
    check("uncached mapping", table_uncached);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
