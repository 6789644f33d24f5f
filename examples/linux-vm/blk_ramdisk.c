/* blk_ramdisk.c: the block PD. It serves a RAM disk (an MR of its own) to
 * the VMM's virtio block device: requests arrive on a shared ring, data in
 * shared slots, answers go back on another ring, a notification each way.
 * The disk starts with a known text in every sector ("linux-vm disk sector
 * N of M"), which the boot test reads in the guest. It outlives guest
 * restarts: what the guest writes is still there after a reboot. */
#include <stdint.h>
#include <microkit.h>
#include <microkit_vmm_parts.h>

#define VMM_CHANNEL 0
#define RING_SIZE 0x1000
#define DISK_SIZE 0x100000
#define DATA_SIZE 0x10000
#define SLOT_SIZE (DATA_SIZE / MICROKIT_VMM_BLK_SLOTS)
#define SECTORS (DISK_SIZE / MICROKIT_VMM_BLK_SECTOR)

/* Set by the tool (setvar_vaddr). */
uintptr_t disk;
uintptr_t blk_requests;
uintptr_t blk_answers;
uintptr_t blk_data;

static microkit_vmm_ring *answers;

static void copy(uint8_t *to, const uint8_t *from, uint32_t n)
{
    while (n-- != 0) {
        *to++ = *from++;
    }
}

static char *put_text(char *at, const char *text)
{
    while (*text != 0) {
        *at++ = *text++;
    }
    return at;
}

static char *put_decimal(char *at, uint32_t n)
{
    char digits[10];
    int count = 0;
    do {
        digits[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    while (count != 0) {
        *at++ = digits[--count];
    }
    return at;
}

/* Every sector begins with its own line of text; the rest is zero (the MR starts zeroed). */
static void fill_disk(void)
{
    for (uint32_t sector = 0; sector < SECTORS; ++sector) {
        char *at = (char *)(disk + sector * MICROKIT_VMM_BLK_SECTOR);
        at = put_text(at, "linux-vm disk sector ");
        at = put_decimal(at, sector);
        at = put_text(at, " of ");
        at = put_decimal(at, SECTORS);
        *at = '\n';
    }
}

/* Checked here too: the VMM is another PD, and the disk is ours to guard. */
static uint32_t serve(const microkit_vmm_blk_message *request)
{
    uint64_t sectors = request->bytes / MICROKIT_VMM_BLK_SECTOR;
    if (request->type == MICROKIT_VMM_BLK_T_FLUSH) {
        return MICROKIT_VMM_BLK_S_OK; /* RAM: nothing to write back */
    }
    if (request->slot >= MICROKIT_VMM_BLK_SLOTS || request->bytes > SLOT_SIZE ||
        request->bytes % MICROKIT_VMM_BLK_SECTOR != 0 || request->sector > SECTORS ||
        sectors > SECTORS - request->sector) {
        return MICROKIT_VMM_BLK_S_IOERR;
    }
    uint8_t *on_disk = (uint8_t *)(disk + request->sector * MICROKIT_VMM_BLK_SECTOR);
    uint8_t *slot = (uint8_t *)(blk_data + request->slot * SLOT_SIZE);
    if (request->type == MICROKIT_VMM_BLK_T_IN) {
        copy(slot, on_disk, request->bytes);
        return MICROKIT_VMM_BLK_S_OK;
    }
    if (request->type == MICROKIT_VMM_BLK_T_OUT) {
        copy(on_disk, slot, request->bytes);
        return MICROKIT_VMM_BLK_S_OK;
    }
    return MICROKIT_VMM_BLK_S_UNSUPP;
}

void init(void)
{
    answers = microkit_vmm_ring_init((void *)blk_answers, RING_SIZE);
    fill_disk();
}

void notified(microkit_channel ch)
{
    if (ch != VMM_CHANNEL) {
        return;
    }
    microkit_vmm_ring *requests = (microkit_vmm_ring *)blk_requests;
    microkit_vmm_blk_message message;
    int answered = 0;
    /* At most MICROKIT_VMM_BLK_SLOTS requests are in flight: the answer ring always has room. */
    while (microkit_vmm_ring_read(requests, &message, sizeof message)) {
        message.status = serve(&message);
        answered |= microkit_vmm_ring_write(answers, &message, sizeof message);
    }
    if (answered) {
        microkit_notify(VMM_CHANNEL);
    }
}
