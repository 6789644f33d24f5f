/*
 * scheduler: runs alpha and beta one after the other, although it is the
 * parent of neither: the tool granted it their TCBs and SCs and the
 * SchedControl capability of core 0 (user-scheduler.system).
 *   init:        suspends beta, gives alpha a budget of 500 us every 1 ms
 *                and beta 250 us every 1 ms;
 *   alpha done:  suspends alpha, resumes beta;
 *   beta done:   reads how much time each has consumed through its SC.
 * alpha and beta only print and notify; the order of the lines shows that
 * each step took effect.
 */
#include <microkit.h>

#define ALPHA 0
#define BETA 1

/* Written by the tool (setvar_slot); in .data so that they land in file bytes. */
__attribute__((section(".data"))) seL4_CPtr alpha_tcb = 0;
__attribute__((section(".data"))) seL4_CPtr alpha_sc = 0;
__attribute__((section(".data"))) seL4_CPtr beta_tcb = 0;
__attribute__((section(".data"))) seL4_CPtr beta_sc = 0;
__attribute__((section(".data"))) seL4_CPtr sched_control = 0;

static void check(const char *what, seL4_Error err)
{
    microkit_dbg_puts("scheduler: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(err == seL4_NoError ? ": ok\n" : ": FAILED\n");
}

static void report_consumed(const char *who, seL4_CPtr sc)
{
    seL4_SchedContext_Consumed_t c = seL4_SchedContext_Consumed(sc);
    microkit_dbg_puts("scheduler: ");
    microkit_dbg_puts(who);
    microkit_dbg_puts(c.error == seL4_NoError && c.consumed > 0 ? " has consumed CPU time on its SC\n"
                                                                : " has no consumed time: FAILED\n");
}

void init(void)
{
    check("suspend beta before it starts", seL4_TCB_Suspend(beta_tcb));
    check("give alpha 500 us every 1 ms",
          seL4_SchedControl_ConfigureFlags(sched_control, alpha_sc, 500, 1000, 0, 0, 0));
    check("give beta 250 us every 1 ms",
          seL4_SchedControl_ConfigureFlags(sched_control, beta_sc, 250, 1000, 0, 0, 0));
    microkit_dbg_puts("scheduler: alpha may run\n");
}

void notified(microkit_channel ch)
{
    if (ch == ALPHA) {
        check("suspend alpha", seL4_TCB_Suspend(alpha_tcb));
        check("resume beta", seL4_TCB_Resume(beta_tcb));
        return;
    }
    if (ch == BETA) {
        report_consumed("alpha", alpha_sc);
        report_consumed("beta", beta_sc);
        microkit_dbg_puts("scheduler: done\n");
    }
}
