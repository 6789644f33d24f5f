// host_abi.h: the contract between the host launcher (host/) and the host
// port of libmicrokit (runtime/libmicrokit/host/), defined once for both.
//
// Each PD process shares one ControlPage with the launcher (a memfd the
// launcher creates; its fd number is in the environment variable
// MICROKIT_HOST_CONTROL_FD). The page is a two-way mailbox:
//
//   PD -> launcher: fill `req_*` (and `mrs`), then bump `to_launcher` and
//                   futex-wake it; then wait for `to_pd` to change.
//   launcher -> PD: fill `ev_*` (and `mrs`), then bump `to_pd` and
//                   futex-wake it; the PD runs until its next request.
//
// So exactly one side owns the page at any time, and in deterministic mode
// exactly one PD runs at a time (the launcher plays a uniprocessor kernel).
// The launcher treats everything in the page as untrusted input: it checks
// every request against its own copy of the PD's rights.
//
// Deterministic mode, direct hand-offs: when the launcher already knows
// that its answer to a PD's PPC or notify would be "run the higher-priority
// peer with this event", and to the peer's return "run the caller again",
// the two PDs hand the CPU to each other through a Link page they share
// (one per channel, see Link), and the launcher is told only if something
// else happens (ControlPage, "Direct hand-offs").
//
// Free-running mode (optional, not deterministic): PDs run concurrently and
// notify and call each other directly through each other's Endpoint page (a
// memfd the launcher gives to exactly the PDs that hold a channel to it);
// only start-up, faults and microkit_host_exit go through the launcher.
//
// Layout changes bump kAbiVersion; the runtime refuses any other version.
// Plain C-compatible types only (the runtime is freestanding-style C++).
#pragma once

#include <linux/futex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace microkit::host_abi {

inline constexpr uint64_t kMagic = 0x54534f484b4d4b4dull;  // "MKMKHOST"
inline constexpr uint32_t kAbiVersion = 6;
inline constexpr uint32_t kMaxMrs = 64;
inline constexpr uint32_t kMaxMaps = 128;
inline constexpr uint32_t kMaxPatches = 256;
inline constexpr uint32_t kMaxBacktrace = 32;
inline constexpr uint32_t kMaxQueuedNotifies = 64;
inline constexpr const char* kControlFdEnv = "MICROKIT_HOST_CONTROL_FD";

// Requests (PD -> launcher).
enum Request : uint32_t {
  kReqNone = 0,
  kReqReady = 1,      // start-up done (mapped, patched); waiting for init
  kReqRecv = 2,       // entry point returned; arg0/arg1 = deferred op kind/ch;
                      // reply_valid/reply_msginfo = reply to a PPC or fault
  kReqNotify = 3,     // arg0 = channel
  kReqIrqAck = 4,     // arg0 = channel
  kReqPpcall = 5,     // arg0 = channel, msginfo + mrs
  kReqPdRestart = 6,  // arg0 = child id, arg1 = entry
  kReqPdStop = 7,     // arg0 = child id
  kReqPdResume = 8,   // arg0 = child id
  kReqFault = 9,      // fault_* filled by the signal handler
  kReqExit = 10,      // arg0 = status
  kReqIllegal = 11,   // an illegal libmicrokit call: arg0 = what, arg1 = channel/child
  kReqPreempted = 12, // the PD's budget ran out (kPreemptSignal); it waits to go on
};

// The signal the launcher sends a PD whose budget ran out while it ran
// (deterministic mode). A real-time signal (glibc's SIGRTMIN is 34).
inline constexpr int kPreemptSignal = 40;

// Deferred operations (kReqRecv arg0).
enum Deferred : uint32_t { kDeferNone = 0, kDeferNotify = 1, kDeferIrqAck = 2 };

// Events (launcher -> PD).
enum Event : uint32_t {
  kEvNone = 0,
  kEvInit = 1,       // call init()
  kEvNotified = 2,   // arg0 = bit mask of channels; call notified() per bit, lowest first
  kEvProtected = 3,  // arg0 = channel, msginfo + mrs; call protected()
  kEvFault = 4,      // arg0 = child id, msginfo + mrs; call fault()
  kEvContinue = 5,   // the request is done (msginfo + mrs hold a PPC's reply)
  kEvRestart = 6,    // arg0 = entry (0: the program's own start); fresh stack
  kEvResume = 7,     // (to a faulted PD) return from the fault: arg0 = a bit mask of
                     // the FaultRegister slots the parent's reply set (0: retry the
                     // faulting instruction as it was)
};

// The registers of a fault, in seL4 x86-64's UnknownSyscall message order
// (the largest fault message): fault_gpr[0..14], then pc, sp and flags.
// A fault reply sets some of them (kEvResume's mask, bit i = slot i).
enum FaultRegister : uint32_t {
  kRegRax = 0, kRegR15 = 14, kRegPc = 15, kRegSp = 16, kRegFlags = 17, kRegCount = 18,
};

struct MapEntry {
  uint64_t vaddr;
  uint64_t size;
  int32_t fd;      // memfd (read-only fd for maps without w)
  uint32_t prot;   // PROT_* bits
};

struct PatchEntry {
  uint64_t vaddr;
  uint64_t size;   // 1, 2, 4 or 8
  uint64_t value;
};

// One slot of the PD's channel table.
enum ChannelFlags : uint32_t { kChNotify = 1, kChPpcall = 2 };
// Deterministic mode: this PD's end of the channel's Link page.
enum LinkRole : uint32_t { kLinkNone = 0, kLinkLow = 1, kLinkHigh = 2 };
struct ChannelEntry {
  uint32_t used;     // 1: a channel to another PD
  uint32_t flags;    // ChannelFlags
  uint64_t peer_id;  // the id the peer uses for this channel
  int32_t ep_fd;     // free-running: the peer's Endpoint memfd; deterministic:
                     // the channel's Link memfd (-1: none)
  uint32_t link_role;  // LinkRole (deterministic mode)
};

// Deterministic mode: the page two PDs of different priorities share for
// one channel between them, to hand the CPU to each other directly. Only
// the lower-priority end ("low") starts a hand-off (a PPC or a notify to a
// higher priority), only when its control page's direct_*_mask offers it;
// the higher end ("high") hands the CPU back when its entry point returns
// with nothing the launcher must see (no request made, no deferred
// operation, no queued notify but to the low end, no unprinted output).
enum DirectKind : uint32_t { kDirectCall = 1, kDirectNotify = 2 };
struct Link {
  uint32_t to_high;   // futex word: bumped by low to enter high
  uint32_t to_low;    // futex word: bumped by high to hand back
  uint32_t kind;      // DirectKind
  uint32_t back;      // on hand-back: 1 if high notified low on this channel
  uint64_t msginfo;   // the call's message, then the reply's
  uint64_t mrs[kMaxMrs];
};

// A PD's inbox in free-running mode (one page, shared with its peers).
struct Endpoint {
  uint32_t wake;        // futex word, bumped for every event
  uint32_t idle;        // 1 while the PD waits with nothing to do
  uint64_t pending;     // notification bits
  uint32_t call_lock;   // futex mutex held by the caller for a whole PPC
  uint32_t call_state;  // futex word: 0 free, 1 request posted, 2 reply posted
  uint64_t call_badge, call_msginfo;
  uint64_t call_mrs[kMaxMrs];
};

struct ControlPage {
  uint64_t magic;
  uint32_t version;
  uint32_t pad0;
  // Futex words: sequence numbers, bumped by the side that hands over.
  uint32_t to_pd;
  uint32_t to_launcher;

  // Request.
  uint32_t req;
  uint32_t reply_valid;
  uint64_t arg0, arg1;
  uint64_t reply_msginfo;

  // Event.
  uint32_t ev;
  uint32_t pad1;
  uint64_t ev_arg0;
  uint64_t msginfo;
  uint64_t mrs[kMaxMrs];

  // Virtual time when the launcher last handed the PD control.
  uint64_t time_ns;

  // Fault (filled by the PD's signal handler for kReqFault).
  uint64_t fault_signal, fault_code, fault_addr, fault_pc, fault_sp, fault_flags;
  uint64_t fault_err, fault_trapno;  // SIGSYS: trapno = the Linux system call number
  uint64_t fault_gpr[15];             // rax rbx rcx rdx rsi rdi rbp r8..r15 (FaultRegister)
  uint64_t backtrace_count;
  uint64_t backtrace[kMaxBacktrace];

  // Start-up description, written by the launcher before exec.
  char name[64];
  uint64_t stack_size;
  uint64_t map_count;
  MapEntry maps[kMaxMaps];
  uint64_t patch_count;
  PatchEntry patches[kMaxPatches];

  // The channels this PD may use (bit c = channel c), as seL4's libmicrokit
  // has them patched in: a call on another channel is refused in the PD
  // with the seL4 port's message, before it reaches the launcher.
  uint64_t notify_mask, irq_mask, pp_mask;

  // Deterministic mode: a notify on a channel of `quiet_notify_mask` (the
  // peer's priority is not above this PD's, so it cannot preempt it) is
  // only queued here; the launcher performs the queue, in order, at the
  // PD's next request, before that request. Nothing can observe the
  // difference, and the PD is spared two hand-offs per notify.
  uint64_t quiet_notify_mask;
  uint32_t queued_notify_count;
  uint8_t queued_notify[kMaxQueuedNotifies];

  // Deterministic mode: the notifications the PD may take itself when its
  // entry point returns (0: none; ask the launcher). The launcher sets them
  // at each hand-over when its decision at the PD's next kReqRecv is already
  // known: no other runnable PD has its priority or above, and the PD serves
  // no PPC or fault, maps no device and has these bits pending. The PD
  // takes them only if it left no deferred operation and queued no notify
  // (either could change that decision): it sets `fast_taken` and runs
  // `notified` without a hand-over; the launcher books the take at the PD's
  // next request, before that request. Saves two hand-offs per notification.
  uint64_t fast_pending;
  uint32_t fast_taken;
  uint32_t pad2;

  // Deterministic mode, direct hand-offs (Link). The launcher offers them at
  // each hand-over to this PD: channels it may call or notify directly now
  // (the peer is idle with nothing pending, and would be chosen), and
  // whether it may run notified() itself for bits handed back to it (the
  // same conditions as fast_pending, without pending bits). The PD marks a
  // hand-off under way in direct_active/direct_ch/direct_kind; if the peer
  // then needs the launcher (a request of its own), the launcher books the
  // hand-off as the PPC or notify it stands for, then serves the peer.
  // direct_pending: bits handed back and not yet taken (the launcher adds
  // them to the PD's pending ones at its next request). runs: bumped at
  // each run that began without the launcher (budget and watchdog count
  // a run from there).
  uint64_t direct_call_mask, direct_notify_mask;
  // The other side: the channels a lower-priority peer may enter this PD on
  // now (set while that peer holds the CPU with the offer), by kind. An
  // entry without its bit (a peer out of turn) is ignored.
  uint64_t enter_call_mask, enter_notify_mask;
  uint32_t may_take_own;
  uint32_t direct_active;
  uint64_t direct_ch, direct_kind;
  uint64_t direct_pending;
  uint64_t runs;

  // Free-running mode only.
  uint32_t free_running;
  int32_t own_ep_fd;
  ChannelEntry channels[64];
};

static_assert(offsetof(ControlPage, to_pd) == 16, "futex words are pinned");
static_assert(offsetof(ControlPage, mrs) % 8 == 0, "message registers are 8-aligned");
static_assert(sizeof(MapEntry) == 24 && sizeof(PatchEntry) == 24, "table entries are pinned");
static_assert(sizeof(ChannelEntry) == 24 && sizeof(Endpoint) <= 4096, "free-running layouts");
static_assert(sizeof(Link) <= 4096, "a link is one page");

inline constexpr size_t kControlPageSize = (sizeof(ControlPage) + 4095) / 4096 * 4096;

// A hand-off: bump the other side's sequence word and wake it; the other
// side sleeps on its word until it moves on from the value it last saw.
// (Spinning before sleeping was tried: on the shared two-core build
// machine it made round trips slower, as a spinning side holds a core the
// woken side needs; docs/host-platform.md, "Performance".)
inline void hand_over(uint32_t* seq) {
  __atomic_fetch_add(seq, 1, __ATOMIC_RELEASE);
  syscall(SYS_futex, seq, FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

// Sleeps while *seq is `seen` (until woken, or `timeout`; nullptr: none).
inline void sleep_while(uint32_t* seq, uint32_t seen, const timespec* timeout) {
  syscall(SYS_futex, seq, FUTEX_WAIT, seen, timeout, nullptr, 0);
}

// Sleeps until one of the words in `w` (each with the value it was seen
// at, FUTEX_32) moves on, or until the CLOCK_MONOTONIC time `deadline`
// (nullptr: none); returns at once if one already has.
inline void sleep_while_any(futex_waitv* w, unsigned n, const timespec* deadline) {
  syscall(SYS_futex_waitv, w, n, 0, deadline, CLOCK_MONOTONIC);
}

inline futex_waitv waiter(uint32_t* word, uint32_t seen) {
  futex_waitv w{};
  w.val = seen;
  w.uaddr = (uint64_t)(uintptr_t)word;
  w.flags = FUTEX_32;
  return w;
}

}  // namespace microkit::host_abi
