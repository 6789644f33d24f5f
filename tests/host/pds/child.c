/* Child PDs that misbehave in init(), chosen by name. */
#include <microkit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

uintptr_t ro;   /* setvar_vaddr of a read-only map */
uintptr_t nx;   /* setvar_vaddr of a map without x */
uintptr_t mem;  /* setvar_vaddr of a read-write map */
static int boots = 0;

static int *volatile bad_pointer = (int *)16;
__attribute__((noinline)) void crash_here(void) { *bad_pointer = 1; }

void init(void)
{
    if (strcmp(microkit_name, "ro_writer") == 0) {
        printf("reading %d\n", *(volatile char *)ro);
        *(volatile char *)ro = 1;
        printf("wrote to a read-only map!\n");
    } else if (strcmp(microkit_name, "nx_exec") == 0) {
        ((void (*)(void))nx)();
        printf("executed a non-executable map!\n");
    } else if (strcmp(microkit_name, "bad_call") == 0) {
        microkit_mr_set(0, 77);
        microkit_msginfo r = microkit_ppcall(5, microkit_msginfo_new(42, 1));
        printf("refused ppcall returned label=%lu count=%lu mr0=%lu\n",
               (unsigned long)microkit_msginfo_get_label(r), (unsigned long)microkit_msginfo_get_count(r),
               (unsigned long)microkit_mr_get(0));
    } else if (strcmp(microkit_name, "bad_notify") == 0) {
        microkit_notify(9);
        microkit_irq_ack(9);
        microkit_deferred_notify(9);
        printf("refused notify returned\n");
    } else if (strncmp(microkit_name, "named_", 6) == 0) {
        /* The kernel's name of the thread (/proc/self/comm; reading the file
         * itself is a call the sandbox forbids). */
        char comm[32] = {0};
        prctl(PR_GET_NAME, comm, 0, 0, 0);
        printf("%s: my thread is called '%s'\n", microkit_name, comm);
    } else if (strcmp(microkit_name, "trapper") == 0) {
        /* ud2 (SIGILL): a user exception. The parent's reply moves pc past
         * it; a retry without that would trap for ever. */
        printf("trapper: executing ud2\n");
        __asm__ volatile("ud2");
        printf("trapper: resumed after ud2 at the pc the parent chose\n");
    } else if (strcmp(microkit_name, "rebooter") == 0) {
        boots++;
        (*(volatile int *)mem)++;
        printf("boot %d (shared counter %d)\n", boots, *(volatile int *)mem);
        if (boots < 3) crash_here();
        printf("up after %d boots\n", boots);
    } else if (strcmp(microkit_name, "exiter") == 0) {
        printf("ending the run\n");
        microkit_host_exit(7);
    } else if (strcmp(microkit_name, "quitter") == 0) {
        exit(0);
    } else if (strcmp(microkit_name, "bad_mr") == 0) {
        microkit_mr_set(64, 1);
        printf("set message register 64!\n");
    } else if (strcmp(microkit_name, "crasher") == 0) {
        printf("about to crash\n");
        crash_here();
    } else {
        printf("%s: init\n", microkit_name);
    }
}

void notified(microkit_channel ch) { printf("%s: notified %u\n", microkit_name, ch); }
