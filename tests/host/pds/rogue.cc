// A hostile PD for direct hand-offs (docs/host-platform.md, "Limits"):
// before the runtime's start-up (from .preinit_array, which runs before
// every constructor, the runtime's included) it maps
// the link page of its channel to the server from its own control page,
// and later, from a SIGALRM handler while it is not running, enters the
// server through it: once as a notification (its end may not notify) and
// once as a call (its end may call, but nothing is offered while the rogue
// is not running). The server must run neither. The sleeper holds the CPU
// meanwhile, then says how many pokes were made and notifies the server,
// which must still take legitimate entries.
#include <microkit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "host_abi.h"

using namespace microkit::host_abi;

constexpr microkit_channel kServer = 1, kSleeperToServer = 2;

extern "C" uintptr_t pokes_mr;  // setvar: an MR the rogue and the sleeper share
uintptr_t pokes_mr;
static Link* link_page;
static volatile sig_atomic_t rogue_ready;

static volatile uint64_t& pokes() { return *reinterpret_cast<volatile uint64_t*>(pokes_mr); }

static void on_alarm(int) {
  if (!rogue_ready || pokes() >= 2) return;
  link_page->kind = pokes() == 0 ? kDirectNotify : kDirectCall;
  link_page->msginfo = 0;
  hand_over(&link_page->to_high);  // enter the server, out of turn
  pokes() = pokes() + 1;
}

// The value of `name` in `env` (getenv does not work yet in .preinit_array
// of a dynamically linked program, as under the sanitizers).
static const char* env_value(char** env, const char* name) {
  size_t n = strlen(name);
  for (; env && *env; ++env)
    if (strncmp(*env, name, n) == 0 && (*env)[n] == '=') return *env + n + 1;
  return nullptr;
}

// Before the runtime's own start-up (a constructor).
static void grab_link(int, char**, char** env) {
  const char* fd_text = env_value(env, kControlFdEnv);
  if (!fd_text) return;
  void* page = mmap(nullptr, kControlPageSize, PROT_READ, MAP_SHARED, atoi(fd_text), 0);
  if (page == MAP_FAILED) return;
  const auto* cp = static_cast<const ControlPage*>(page);
  if (strcmp(cp->name, "rogue") != 0) return;
  void* at = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cp->channels[kServer].ep_fd, 0);
  if (at == MAP_FAILED) return;
  link_page = static_cast<Link*>(at);
  signal(SIGALRM, on_alarm);
  itimerval every{{0, 30000}, {0, 30000}};
  setitimer(ITIMER_REAL, &every, nullptr);
}

__attribute__((used, section(".preinit_array"))) static void (*const grab_first)(int, char**, char**) = grab_link;

void init(void) {
  printf("%s: init\n", microkit_name);
  if (strcmp(microkit_name, "rogue") == 0) rogue_ready = link_page != nullptr;
  if (strcmp(microkit_name, "sleeper") != 0) return;
  for (int i = 0; i < 200 && pokes() < 2; i++) {
    timespec t{0, 10000000};
    nanosleep(&t, nullptr);
  }
  printf("sleeper: the rogue poked the server %lu times\n", (unsigned long)pokes());
  microkit_notify(kSleeperToServer);
  printf("sleeper: done\n");
}

void notified(microkit_channel ch) { printf("%s: notified %u\n", microkit_name, ch); }

microkit_msginfo microkit_protected(microkit_channel ch, microkit_msginfo msginfo) {
  printf("%s: protected ch=%u\n", microkit_name, ch);
  return msginfo;
}
