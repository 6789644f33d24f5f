/*
 * peer: waits for the reader's notification and checks that it arrived on
 * the channel id the tool wrote into `reader_ch` (channel end setvar_id).
 */
#include <stdint.h>
#include <microkit.h>

uint64_t reader_ch = MICROKIT_MAX_CHANNELS; /* overwritten by the tool */

void init(void)
{
    microkit_dbg_puts("peer: init\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("peer: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(ch == reader_ch ? ", the id in reader_ch: ok\n" : ", NOT the id in reader_ch\n");
}
