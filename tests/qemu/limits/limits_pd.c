/*
 * limits_pd: the program of every PD of a generated system at the official
 * limits (tests/qemu/limits, limits_test.sh). The generator compiles it with
 *   LIMITS_PDS   the number of PDs, named pd0 .. pd<LIMITS_PDS-1>;
 *   LIMITS_MRS   the number of one-page MRs; PD i maps MRs i, i + LIMITS_PDS,
 *                i + 2 * LIMITS_PDS, ... at LIMITS_MR_VADDR + n * 4 KiB;
 *   LIMITS_MESH  1 when every pair of PDs shares a channel; PD i's channel
 *                to PD j has id j, or j - 1 when j > i (dense from 0), and
 *                the end of the lower-priority PD (the higher index) may
 *                call the other (pp); then one more MR, "shared", is mapped
 *                into every PD at LIMITS_SHARED_VADDR.
 *
 * init() writes a value naming (PD, page) into every page it maps, then reads
 * them all back, so a missing mapping faults and two mappings of one frame
 * read the wrong value; it prints "pd<i>: <n> MRs ok". Then it notifies every
 * peer, after writing its mark into its word of the shared page, and calls
 * every higher-priority PD (lower index), which answers with its own index:
 * it prints "pd<i>: <n> of <i> calls answered". notified()
 * counts the peers heard from (each on its own channel, so its own badge
 * bit); once every peer has notified, every peer has written its mark, so it
 * checks them all and prints "pd<i>: heard from all <n> peers, shared page
 * ok". The test expects exactly these lines from every PD.
 */
#include <microkit.h>

#ifndef LIMITS_PDS
#error "LIMITS_PDS must be defined"
#endif
#ifndef LIMITS_MRS
#error "LIMITS_MRS must be defined"
#endif
#ifndef LIMITS_MESH
#define LIMITS_MESH 0
#endif
#define LIMITS_MR_VADDR 0x10000000ul
#define LIMITS_SHARED_VADDR 0x0f000000ul
#define PAGE 4096ul

static unsigned self;
static seL4_Uint64 heard;  /* bit per channel id */
static unsigned heard_count;

static unsigned index_from_name(void)
{
    unsigned n = 0;
    for (const char *p = microkit_name + 2; *p >= '0' && *p <= '9'; ++p) n = n * 10 + (unsigned)(*p - '0');
    return n;
}

static void put_dec(unsigned v)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) microkit_dbg_putc(digits[--n]);
}

static void say(const char *what, unsigned n, const char *rest)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(what);
    put_dec(n);
    microkit_dbg_puts(rest);
}

static volatile seL4_Uint64 *page_word(unsigned n)
{
    return (volatile seL4_Uint64 *)(LIMITS_MR_VADDR + n * PAGE);
}

static unsigned mapped_mrs(void)
{
    return self < LIMITS_MRS ? (LIMITS_MRS - self + LIMITS_PDS - 1) / LIMITS_PDS : 0;
}

static volatile seL4_Uint64 *shared_word(unsigned pd)
{
    return (volatile seL4_Uint64 *)LIMITS_SHARED_VADDR + pd;
}

static seL4_Uint64 mark_of(unsigned pd)
{
    return 0x5eed000000000000ull | pd;
}

/* Every PD's mark in the shared page (each PD maps the same frame). */
static int check_shared(void)
{
    for (unsigned pd = 0; pd < LIMITS_PDS; ++pd)
        if (*shared_word(pd) != mark_of(pd)) return 0;
    return 1;
}

static int check_mrs(unsigned count)
{
    for (unsigned n = 0; n < count; ++n) *page_word(n) = ((seL4_Uint64)self << 32) | n;
    for (unsigned n = 0; n < count; ++n)
        if (*page_word(n) != (((seL4_Uint64)self << 32) | n)) return 0;
    return 1;
}

/* PD j < self has channel id j here, and answers with label j. */
static unsigned call_higher_pds(void)
{
    unsigned answered = 0;
    for (unsigned j = 0; j < self; ++j) {
        microkit_msginfo reply = microkit_ppcall(j, microkit_msginfo_new(self, 0));
        if (microkit_msginfo_get_label(reply) == j) ++answered;
    }
    return answered;
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    return microkit_msginfo_new(self, 0);
}

void init(void)
{
    self = index_from_name();
    unsigned count = mapped_mrs();
    if (check_mrs(count)) say(": ", count, " MRs ok\n");
    else say(": MR contents wrong after writing ", count, " MRs\n");
    if (!LIMITS_MESH) return;
    *shared_word(self) = mark_of(self);
    for (unsigned ch = 0; ch + 1 < LIMITS_PDS; ++ch) microkit_notify(ch);
    say(": ", call_higher_pds(), " of ");
    put_dec(self);
    microkit_dbg_puts(" calls answered\n");
}

void notified(microkit_channel ch)
{
    if (ch >= 63 || (heard >> ch) & 1) return;
    heard |= (seL4_Uint64)1 << ch;
    if (++heard_count != LIMITS_PDS - 1) return;
    say(": heard from all ", heard_count, check_shared() ? " peers, shared page ok\n" : " peers, shared page WRONG\n");
}
