/* The loader: loads an ELF program into its late-loaded child "worker",
 * does what the tool does for a program at build time (patches
 * libmicrokit's variables), starts it, and later replaces it.
 *
 * Everything about the child comes from loader_cspace.h, which
 * `microkit headers` writes from the system description (docs/cspace.md):
 * its child id, the address its programs are linked at (_VADDR), the
 * program memory's size and where that memory is mapped here (_WINDOW), and
 * the values of the variables libmicrokit reads. */
#include <stddef.h>
#include <stdint.h>
#include <microkit.h>

#include "loader_cspace.h"

#define WORKER 0  /* the channel to the worker */

/* libmicrokit.a has them; there is no C library. */
void *memcpy(void *to, const void *from, size_t n);
void *memset(void *to, int byte, size_t n);

extern const uint8_t first_elf[], first_elf_end[];
extern const uint8_t second_elf[], second_elf_end[];

/* ---- the few ELF64 structures a loader reads */
typedef struct {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf_header;
typedef struct {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} elf_segment;
typedef struct {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
} elf_section;
typedef struct {
    uint32_t name;
    uint8_t info, other;
    uint16_t shndx;
    uint64_t value, size;
} elf_symbol;
#define PT_LOAD 1
#define SHT_SYMTAB 2

static uint8_t *const window = (uint8_t *)MICROKIT_LATE_LOAD_WORKER_WINDOW;

static void say(const char *a, const char *b) {
    microkit_dbg_puts("loader: ");
    microkit_dbg_puts(a);
    microkit_dbg_puts(b);
    microkit_dbg_puts("\n");
}

static int streq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

/* Where the child's address `vaddr` (and `size` bytes after it) is in the
 * window, or 0 when it lies outside the program memory. */
static uint8_t *in_window(uint64_t vaddr, uint64_t size) {
    uint64_t base = MICROKIT_LATE_LOAD_WORKER_VADDR, end = base + MICROKIT_LATE_LOAD_WORKER_SIZE;
    if (vaddr < base || vaddr > end || size > end - vaddr) return 0;
    return window + (vaddr - base);
}

static int copy_segments(const uint8_t *elf, uint64_t elf_size) {
    const elf_header *h = (const elf_header *)elf;
    if (h->phentsize != sizeof(elf_segment) || h->phoff > elf_size ||
        h->phnum * sizeof(elf_segment) > elf_size - h->phoff) return 0;
    for (uint16_t i = 0; i < h->phnum; i++) {
        const elf_segment *s = (const elf_segment *)(elf + h->phoff + i * h->phentsize);
        if (s->type != PT_LOAD) continue;
        uint8_t *to = in_window(s->vaddr, s->memsz);
        if (!to || s->filesz > s->memsz || s->offset + s->filesz > elf_size) return 0;
        memcpy(to, elf + s->offset, s->filesz);
    }
    return 1;
}

/* Writes `size` bytes at the program's symbol `name`, if it has it (as the
 * tool does for a program it loads itself). */
static void patch(const uint8_t *elf, uint64_t elf_size, const char *name, const void *value,
                  uint64_t size) {
    const elf_header *h = (const elf_header *)elf;
    const elf_section *sections = (const elf_section *)(elf + h->shoff);
    if (h->shoff > elf_size || h->shnum * sizeof(elf_section) > elf_size - h->shoff) return;
    for (uint16_t i = 0; i < h->shnum; i++) {
        if (sections[i].type != SHT_SYMTAB || sections[i].link >= h->shnum) continue;
        if (sections[i].offset + sections[i].size > elf_size) continue;
        const elf_symbol *syms = (const elf_symbol *)(elf + sections[i].offset);
        const char *names = (const char *)(elf + sections[sections[i].link].offset);
        for (uint64_t k = 0; k < sections[i].size / sizeof(elf_symbol); k++) {
            if (!streq(names + syms[k].name, name)) continue;
            uint8_t *at = in_window(syms[k].value, size);
            if (at) memcpy(at, value, size);
            return;
        }
    }
}

static void patch_libmicrokit(const uint8_t *elf, uint64_t elf_size) {
    char name[64] = MICROKIT_LATE_LOAD_WORKER_NAME;
    seL4_Word irqs = MICROKIT_LATE_LOAD_WORKER_IRQS;
    seL4_Word notifications = MICROKIT_LATE_LOAD_WORKER_NOTIFICATIONS;
    seL4_Word pps = MICROKIT_LATE_LOAD_WORKER_PPS;
    patch(elf, elf_size, "microkit_name", name, sizeof(name));
    patch(elf, elf_size, "microkit_irqs", &irqs, sizeof(irqs));
    patch(elf, elf_size, "microkit_notifications", &notifications, sizeof(notifications));
    patch(elf, elf_size, "microkit_pps", &pps, sizeof(pps));
}

/* The child fetches instructions from memory this PD wrote through another
 * mapping: make the writes visible to instruction fetch. */
static void sync_instructions(void) {
#if defined(__aarch64__)
    uint64_t ctr;
    asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
    uint64_t dline = 4u << ((ctr >> 16) & 0xf), iline = 4u << (ctr & 0xf);
    uint64_t start = (uint64_t)window, end = start + MICROKIT_LATE_LOAD_WORKER_SIZE;
    for (uint64_t a = start & ~(dline - 1); a < end; a += dline) asm volatile("dc cvau, %0" ::"r"(a) : "memory");
    asm volatile("dsb ish" ::: "memory");
    for (uint64_t a = start & ~(iline - 1); a < end; a += iline) asm volatile("ic ivau, %0" ::"r"(a) : "memory");
    asm volatile("dsb ish\n isb" ::: "memory");
#elif defined(__riscv)
    asm volatile("fence rw, rw\n fence.i" ::: "memory");
#endif
}

/* Loads the ELF program [elf, end) into the worker and starts it. */
static void load_and_start(const char *what, const uint8_t *elf, const uint8_t *end) {
    const elf_header *h = (const elf_header *)elf;
    uint64_t size = (uint64_t)(end - elf);
    if (size < sizeof(*h) || h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[4] != 2) {
        say(what, ": not an ELF64 file");
        return;
    }
    memset(window, 0, MICROKIT_LATE_LOAD_WORKER_SIZE);  /* .bss, and nothing left of the last program */
    if (!copy_segments(elf, size)) {
        say(what, ": a segment does not fit the worker's program memory");
        return;
    }
    patch_libmicrokit(elf, size);
    sync_instructions();
    say("starting the worker with ", what);
    microkit_pd_restart(MICROKIT_LATE_LOAD_WORKER_ID, h->entry);
}

void init(void) {
    say("the worker has no program yet; loading ", "first.elf");
    load_and_start("first.elf", first_elf, first_elf_end);
}

void notified(microkit_channel ch) {
    static int programs_run = 0;
    if (ch != WORKER) return;
    programs_run++;
    microkit_pd_stop(MICROKIT_LATE_LOAD_WORKER_ID);
    say("the worker signalled; stopped it", "");
    if (programs_run == 1) {
        load_and_start("second.elf", second_elf, second_elf_end);
    } else {
        say("done", "");
    }
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo) {
    (void)msginfo;
    (void)reply_msginfo;
    say("the worker faulted; stopping it", "");
    microkit_pd_stop(child);
    return seL4_False;
}
