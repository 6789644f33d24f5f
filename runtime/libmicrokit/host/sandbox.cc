// The host PD's sandbox (sandbox.h). The seccomp filter is an allow-list:
// what the runtime, the C library's output and memory allocation need, and
// nothing that reaches outside the process. Everything else traps.
#include "sandbox.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <initializer_list>

// Built with a sanitizer? (GCC defines these, Clang has __has_feature.)
#if defined(__SANITIZE_ADDRESS__)
#define MICROKIT_HOST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define MICROKIT_HOST_SANITIZED 1
#endif
#endif

#if defined(MICROKIT_HOST_SANITIZED)
// Lets the sanitizer runtime read what it needs (/proc/self/maps) before
// the sandbox closes the file system to it.
extern "C" __attribute__((weak)) void __sanitizer_sandbox_on_notify(void*);
#endif

namespace microkit::host_sandbox {
namespace {

// An argument comparison (libseccomp's SCMP_Ax macros leave datum_b out,
// which clang warns about).
scmp_arg_cmp arg(unsigned index, scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0) {
  return scmp_arg_cmp{index, op, a, b};
}

bool allow(scmp_filter_ctx f, int nr) { return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0) == 0; }

bool allow_if(scmp_filter_ctx f, int nr, scmp_arg_cmp a) {
  return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 1, a) == 0;
}

bool allow_if(scmp_filter_ctx f, int nr, scmp_arg_cmp a, scmp_arg_cmp b) {
  return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 2, a, b) == 0;
}

// Calls that touch nothing outside this process.
bool allow_private(scmp_filter_ctx f) {
  const int calls[] = {
      SCMP_SYS(futex),          // the control page, links and endpoints (the only shared words)
      SCMP_SYS(futex_waitv),
      SCMP_SYS(exit),           SCMP_SYS(exit_group),     SCMP_SYS(rt_sigreturn),
      SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack),    SCMP_SYS(restart_syscall),
      SCMP_SYS(brk),            SCMP_SYS(munmap),         SCMP_SYS(mremap),
      SCMP_SYS(madvise),        SCMP_SYS(getrandom),      SCMP_SYS(sched_yield),
      SCMP_SYS(getpid),         SCMP_SYS(gettid),         SCMP_SYS(getppid),
      SCMP_SYS(clock_gettime),  SCMP_SYS(clock_getres),   SCMP_SYS(gettimeofday),
      SCMP_SYS(time),           SCMP_SYS(nanosleep),      SCMP_SYS(clock_nanosleep),
  };
  for (int nr : calls)
    if (!allow(f, nr)) return false;
  return true;
}

// Debug output goes to stdout and stderr (the launcher's pipe); stdin is
// /dev/null. No other descriptor exists.
bool allow_output(scmp_filter_ctx f) {
  for (int fd : {1, 2})
    if (!allow_if(f, SCMP_SYS(write), arg(0, SCMP_CMP_EQ, (scmp_datum_t)fd)) ||
        !allow_if(f, SCMP_SYS(writev), arg(0, SCMP_CMP_EQ, (scmp_datum_t)fd)))
      return false;
  return allow_if(f, SCMP_SYS(read), arg(0, SCMP_CMP_EQ, 0)) &&
         allow_if(f, SCMP_SYS(prctl), arg(0, SCMP_CMP_EQ, PR_GET_NAME)) &&  // its own name
         // whether the launcher has read all of it (before a direct hand-off)
         allow_if(f, SCMP_SYS(ioctl), arg(0, SCMP_CMP_EQ, 1), arg(1, SCMP_CMP_EQ, FIONREAD));
}

// New memory is anonymous and never executable: the PD's code is what was
// loaded, its MRs are what the SDF maps. mprotect is not allowed at all, so
// no map (an MR above all) changes its rights after start-up.
bool allow_memory(scmp_filter_ctx f) {
  return allow_if(f, SCMP_SYS(mmap), arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
                  arg(3, SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
}

// Signals only to itself (abort() raises SIGABRT); signal handlers may be
// read, and set only for SIGABRT (abort() resets it), so the runtime's
// fault handlers stay in place.
bool allow_self_signals(scmp_filter_ctx f) {
  auto pid = (scmp_datum_t)getpid();
  return allow_if(f, SCMP_SYS(kill), arg(0, SCMP_CMP_EQ, pid)) &&
         allow_if(f, SCMP_SYS(tgkill), arg(0, SCMP_CMP_EQ, pid)) &&
         allow_if(f, SCMP_SYS(tkill), arg(0, SCMP_CMP_EQ, pid)) &&
         allow_if(f, SCMP_SYS(rt_sigaction), arg(1, SCMP_CMP_EQ, 0)) &&
         allow_if(f, SCMP_SYS(rt_sigaction), arg(0, SCMP_CMP_EQ, SIGABRT));
}

// No descriptors beyond stdin/stdout/stderr, no processes, no core files.
const char* limit_resources() {
  if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0) return "closing inherited descriptors";
  const rlimit none{0, 0}, three{3, 3};
  if (setrlimit(RLIMIT_NPROC, &none) != 0) return "setting RLIMIT_NPROC";
  if (setrlimit(RLIMIT_CORE, &none) != 0) return "setting RLIMIT_CORE";
  if (setrlimit(RLIMIT_NOFILE, &three) != 0) return "setting RLIMIT_NOFILE";
  return nullptr;
}

const char* install_filter() {
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
  if (!f) return "creating the seccomp filter";
  bool ok = allow_private(f) && allow_output(f) && allow_memory(f) && allow_self_signals(f);
  ok = ok && seccomp_load(f) == 0;  // sets no_new_privs too (SCMP_FLTATR_CTL_NNP)
  seccomp_release(f);
  return ok ? nullptr : "installing the seccomp filter";
}

}  // namespace

const char* enter() {
#if defined(MICROKIT_HOST_SANITIZED)
  if (__sanitizer_sandbox_on_notify) __sanitizer_sandbox_on_notify(nullptr);
#endif
  if (const char* failed = limit_resources()) return failed;
  return install_filter();
}

}  // namespace microkit::host_sandbox
