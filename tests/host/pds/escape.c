/* A PD that tries to leave its sandbox in init(), one way per PD name. Each
 * attempt is a Linux system call the SDF grants no right to; on the host
 * platform each must fault (seL4_Fault_UnknownSyscall) before it has any
 * effect. "escaped" is printed only if a call got through. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <microkit.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

uintptr_t ro; /* setvar_vaddr of a read-only map */

/* Where the "open" PD tries to create a file: the system's own folder. */
#define ESCAPE_FILE "escape-was-here.txt"

__attribute__((noinline)) static void open_a_file(void)
{
    int fd = open(ESCAPE_FILE, O_CREAT | O_WRONLY, 0644);
    printf("escaped: open gave %d\n", fd);
}

static void try_escape(const char *how)
{
    if (strcmp(how, "open") == 0) {
        open_a_file();
    } else if (strcmp(how, "fork") == 0) {
        pid_t pid = fork();
        printf("escaped: fork gave %d\n", (int)pid);
    } else if (strcmp(how, "socket") == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr = {htonl(0x7f000001)}};
        printf("escaped: socket gave %d, connect %d\n", s, connect(s, (struct sockaddr *)&a, sizeof a));
    } else if (strcmp(how, "mprotect") == 0) {
        int r = mprotect((void *)ro, 0x1000, PROT_READ | PROT_WRITE);
        *(volatile char *)ro = 1;
        printf("escaped: mprotect gave %d and the read-only MR was written\n", r);
    } else if (strcmp(how, "mmap_exec") == 0) {
        void *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("escaped: executable memory at %p\n", p);
    } else if (strcmp(how, "kill") == 0) {
        int r = kill(getppid(), SIGKILL); /* the launcher */
        printf("escaped: kill gave %d\n", r);
    } else if (strcmp(how, "proc_mem") == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int)getpid() - 1); /* a sibling PD */
        int fd = open(path, O_RDONLY);
        printf("escaped: %s gave %d\n", path, fd);
    } else if (strcmp(how, "emulated") == 0) {
        /* The parent answers this forbidden call for us (RAX = -EPERM, pc past it). */
        int fd = open(ESCAPE_FILE, O_CREAT | O_WRONLY, 0644);
        printf("emulated: open returned %d\n", fd);
    } else if (strcmp(how, "writer") == 0) {
        /* Runs after the others: the MR try_mprotect maps read-only. */
        printf("writer: the shared MR still reads %d\n", *(volatile char *)ro);
    }
}

void init(void)
{
    const char *how = strchr(microkit_name, '_');
    try_escape(how ? how + 1 : microkit_name);
}

void notified(microkit_channel ch) { (void)ch; }
