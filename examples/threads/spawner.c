/*
 * spawner: starts worker threads at run time from granted untyped memory
 * (threads.system). For each of three workers it retypes a TCB and a
 * scheduling context into its free slots, then
 *   - configures the TCB with its own CNode and VSpace (the threads share
 *     the spawner's address space; each gets its own stack below),
 *   - gives the SC a budget with the granted SchedControl cap,
 *   - sets the worker's priority (50, below its own) with its own TCB as
 *     the authority, and starts it at worker() with its number as the
 *     first argument.
 * The workers run once the spawner waits: each sums a range of numbers,
 * stores the sum, and signals a badged copy of a notification the spawner
 * created; when every badge has arrived the spawner prints the sums (it
 * never computes them itself).
 */
#include <microkit.h>

#define WORKERS 3
#define WORKER_PRIORITY 50
#define STACK_WORDS 512 /* 4 KiB per worker */

/* Written by the tool (setvar_slot, setvar_first); in .data so that the
 * values land in file bytes. */
__attribute__((section(".data"))) seL4_CPtr self_tcb = 0;
__attribute__((section(".data"))) seL4_CPtr sched_control = 0;
__attribute__((section(".data"))) seL4_CPtr pool = 0;
__attribute__((section(".data"))) seL4_CPtr first_free = 0;

/* Slots after first_free. */
#define TCB(i) (first_free + (i))
#define SC(i) (first_free + WORKERS + (i))
#define DONE (first_free + 2 * WORKERS)
#define PARK (first_free + 2 * WORKERS + 1)
#define DONE_BADGED(i) (first_free + 2 * WORKERS + 2 + (i))

static seL4_Word stacks[WORKERS][STACK_WORDS] __attribute__((aligned(16)));
static volatile seL4_Word sums[WORKERS];

static void put_dec(seL4_Word v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) microkit_dbg_putc(digits[--n]);
}

/* A worker thread: no IPC buffer, so it uses only register-only calls. */
static void worker(seL4_Word id)
{
    seL4_Word sum = 0;
    for (seL4_Word k = 1; k <= (id + 1) * 1000; k++) sum += k;
    sums[id] = sum;
    seL4_Signal(DONE_BADGED(id));
    for (;;) seL4_Wait(PARK, 0);
}

static int check(const char *what, seL4_Word id, seL4_Error err)
{
    if (err == seL4_NoError) return 1;
    microkit_dbg_puts("spawner: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" of worker ");
    put_dec(id);
    microkit_dbg_puts(" FAILED with seL4 error ");
    put_dec((seL4_Word)err);
    microkit_dbg_puts("\n");
    return 0;
}

static int make_objects(seL4_CPtr self)
{
    seL4_Error err = seL4_Untyped_Retype(pool, seL4_TCBObject, 0, self, 0, 0, TCB(0), WORKERS);
    if (!check("retype the TCB", 0, err)) return 0;
    err = seL4_Untyped_Retype(pool, seL4_SchedContextObject, seL4_MinSchedContextBits, self, 0, 0,
                              SC(0), WORKERS);
    if (!check("retype the SC", 0, err)) return 0;
    err = seL4_Untyped_Retype(pool, seL4_NotificationObject, 0, self, 0, 0, DONE, 2);
    if (!check("retype the notifications", 0, err)) return 0;
    for (seL4_Word i = 0; i < WORKERS; i++) {
        err = seL4_CNode_Mint(self, DONE_BADGED(i), MICROKIT_CSPACE_DEPTH, self, DONE,
                              MICROKIT_CSPACE_DEPTH, seL4_AllRights, 1ul << i);
        if (!check("mint the badged notification", i, err)) return 0;
    }
    microkit_dbg_puts("spawner: retyped 3 TCBs, 3 scheduling contexts and 2 notifications\n");
    return 1;
}

static int start(seL4_CPtr self, seL4_Word i)
{
    /* The CNode cap's guard makes a CPtr a slot number (docs/cspace.md). */
    seL4_Word cspace_data = seL4_CNode_CapData_new(0, MICROKIT_CSPACE_DEPTH - MICROKIT_PD_CNODE_BITS).words[0];
    seL4_Error err = seL4_TCB_Configure(TCB(i), self, cspace_data, MICROKIT_PD_SLOT_VSPACE, 0, 0,
                                        seL4_CapNull);
    if (!check("configure the TCB", i, err)) return 0;
    err = seL4_SchedControl_ConfigureFlags(sched_control, SC(i), 1000, 1000, 0, 0, 0);
    if (!check("give the SC a budget", i, err)) return 0;
    err = seL4_TCB_SetSchedParams(TCB(i), self_tcb, WORKER_PRIORITY, WORKER_PRIORITY, SC(i),
                                  seL4_CapNull);
    if (!check("set the priority", i, err)) return 0;
    seL4_UserContext regs = {0};
#if defined(CONFIG_ARCH_X86_64)
    regs.rip = (seL4_Word)worker;
    /* As if called: a function starts with rsp 8 below a 16-byte boundary. */
    regs.rsp = (seL4_Word)&stacks[i][STACK_WORDS] - 8;
    regs.rdi = i; /* the first argument */
#else
    regs.pc = (seL4_Word)worker;
    regs.sp = (seL4_Word)&stacks[i][STACK_WORDS];
#if defined(CONFIG_ARCH_AARCH64)
    regs.x0 = i; /* the first argument */
#else
    regs.a0 = i; /* RISC-V */
#endif
#endif
    /* Every register (the others zero), then resume. */
    err = seL4_TCB_WriteRegisters(TCB(i), 1, 0, sizeof regs / sizeof(seL4_Word), &regs);
    return check("start", i, err);
}

void init(void)
{
    seL4_CPtr self = microkit_cspace_cnode;
    if (!make_objects(self)) return;
    for (seL4_Word i = 0; i < WORKERS; i++)
        if (!start(self, i)) return;
    microkit_dbg_puts("spawner: started 3 workers at priority 50; waiting for them\n");
    /* The workers share one core and may finish in any order (their
     * budgets run out at times that depend on the clock): collect every
     * badge, then report in worker order. */
    seL4_Word pending = (1ul << WORKERS) - 1;
    while (pending) {
        seL4_Word badge = 0;
        seL4_Wait(DONE, &badge);
        pending &= ~badge;
    }
    for (seL4_Word i = 0; i < WORKERS; i++) {
        microkit_dbg_puts("spawner: worker ");
        put_dec(i);
        microkit_dbg_puts(" signalled; on its own TCB and SC it summed 1..");
        put_dec((i + 1) * 1000);
        microkit_dbg_puts(" = ");
        put_dec(sums[i]);
        microkit_dbg_puts("\n");
    }
    microkit_dbg_puts("spawner: all workers done\n");
}

void notified(microkit_channel ch) { (void)ch; }
