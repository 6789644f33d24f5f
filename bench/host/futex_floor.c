/* The floor for host IPC: a futex ping-pong between two plain processes
 * sharing one page. Prints nanoseconds per round trip. */
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_for(uint32_t *w, uint32_t want)
{
    uint32_t v;
    while ((v = __atomic_load_n(w, __ATOMIC_ACQUIRE)) != want)
        syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
}

static void set_wake(uint32_t *w, uint32_t v)
{
    __atomic_store_n(w, v, __ATOMIC_RELEASE);
    syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint32_t *ping = &page[0], *pong = &page[16];
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 1; i <= n; i++) {
            wait_for(ping, (uint32_t)i);
            set_wake(pong, (uint32_t)i);
        }
        _exit(0);
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 1; i <= n; i++) {
        set_wake(ping, (uint32_t)i);
        wait_for(pong, (uint32_t)i);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    waitpid(pid, NULL, 0);
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
    printf("futex ping-pong round trip: %.0f ns\n", ns);
    return 0;
}
