// stub.h: GDB's remote serial protocol, the protocol half of the debugger.
//
// A Stub eats the bytes GDB sends (feed), answers every packet (unknown
// ones with the empty reply, as the protocol asks), and tells its caller
// when GDB wants the system to run again (take_resume). It knows nothing
// of seL4: memory, registers and breakpoints go through target.h.
//
// Shape of the conversation (all-stop mode, multiprocess extensions):
//   - target k is process k+1 with thread 1 ("pK+1.1" in hex);
//   - `Hg` picks the target that g/G/p/P/m/M/Z/z work on;
//   - the caller reports why the system stopped (report_stop) and feeds
//     bytes until take_resume() says continue or step;
//   - while the system runs, a 0x03 byte (Ctrl-C) sets interrupt_requested().
// Packets are at most kMaxPacket bytes of payload (qSupported PacketSize).
// Freestanding: no heap, fixed buffers, no standard library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/debugger/target.h"

namespace microkit::gdb {

inline constexpr size_t kMaxPacket = 4096;
inline constexpr unsigned kMaxSoftwareBreakpoints = 64;
inline constexpr unsigned kMaxHardwareSlots = 16;  // of each kind, per system

// GDB's own signal numbers (gdb/signals.def), not the host's.
inline constexpr uint8_t kSigInt = 2, kSigIll = 4, kSigTrap = 5, kSigBus = 10, kSigSegv = 11,
                         kSigSys = 12, kSigAlrm = 14;

struct StopEvent {
  enum class Why : uint8_t { Signal, Watch, ReadWatch, AccessWatch };
  uint32_t target = 0;
  uint8_t signal = kSigTrap;
  Why why = Why::Signal;
  uint64_t address = 0;  // the watched address (Watch kinds)
};

enum class ResumeKind : uint8_t { None, Continue, Step, Detach };
struct Resume {
  ResumeKind kind = ResumeKind::None;
  uint32_t target = 0;  // Step: the target to step (the others continue)
};

class Stub {
 public:
  using PutByte = void (*)(char c);
  explicit Stub(PutByte put) : put_(put) {}

  // One byte from GDB; answers a packet it completes.
  void feed(char c);
  // What the last packet asked for (None until a resuming packet came); taking it clears it.
  Resume take_resume();
  // A Ctrl-C arrived (taking it clears it).
  bool take_interrupt();
  // Sends the stop reply for `e` and makes e.target the current thread.
  void report_stop(const StopEvent& e);
  // Console output of the system as 'O' packets (only while it runs, as GDB expects).
  void console_output(const char* text, size_t len);

  // The target of the last stop (where a Ctrl-C stop is reported).
  uint32_t current_target() const { return last_stop_.target; }
  // The address GDB gave watchpoint `slot`, or `fallback` when it has none.
  uint64_t watch_address(unsigned slot, uint64_t fallback) const {
    return slot < kMaxHardwareSlots && watch_[slot].used ? watch_[slot].addr : fallback;
  }

  // For monitor output: an 'O' packet of `len` bytes (the protocol half of console_output).
  void send_output(const char* text, size_t len);

 private:
  enum class RxState : uint8_t { Idle, Data, Check1, Check2 };
  struct SoftwareBreakpoint {
    bool used = false;
    uint32_t target = 0;
    uint64_t addr = 0;
    uint32_t original = 0;
  };
  struct HardwareSlot {
    bool used = false;
    uint32_t target = 0;
    uint64_t addr = 0;
  };

  void dispatch();
  void reply(const char* payload, size_t len);
  void reply_str(const char* payload);
  void reply_error(uint8_t code);
  // Output buffer helpers: build a payload in out_, then send it.
  void out_reset() { out_len_ = 0; }
  void out_char(char c);
  void out_str(const char* s);
  void out_hex_byte(uint8_t b);
  void out_hex(uint64_t v);  // minimal digits
  void out_thread(uint32_t target);
  void out_le(uint64_t v, unsigned bytes);
  void send_out() { reply(out_, out_len_); }
  void stop_reply(const StopEvent& e);

  void cmd_query();
  void cmd_set_thread();
  void cmd_read_registers();
  void cmd_write_registers();
  void cmd_read_register();
  void cmd_write_register();
  void cmd_read_memory();
  void cmd_write_memory();
  void cmd_breakpoint(bool insert);
  void cmd_v();
  void cmd_resume(ResumeKind kind);
  void cmd_thread_alive();
  void cmd_monitor(const char* hex);
  void cmd_features(const char* annex_args);
  void cmd_thread_info(bool first);
  void cmd_detach();

  bool software_breakpoint(bool insert, uint64_t addr);
  bool hardware_breakpoint(bool insert, uint64_t addr);
  bool watchpoint(bool insert, char type, uint64_t addr, unsigned size);
  template <typename Set, typename Clear>
  bool hardware_slot(HardwareSlot* table, unsigned slots, bool insert, uint64_t addr, Set set, Clear clear);
  bool parse_thread(const char*& p, uint32_t& target, bool& all);

  PutByte put_;
  RxState rx_ = RxState::Idle;
  char in_[kMaxPacket + 1] = {};
  size_t in_len_ = 0;
  uint8_t in_sum_ = 0;
  uint8_t in_check_ = 0;
  char out_[kMaxPacket + 64] = {};
  size_t out_len_ = 0;
  bool no_ack_ = false;
  bool interrupt_ = false;
  Resume resume_;
  uint32_t general_ = 0;   // Hg
  uint32_t continue_ = 0;  // Hc
  uint64_t detached_ = 0;  // bit k: GDB detached from target k
  StopEvent last_stop_;
  SoftwareBreakpoint sw_[kMaxSoftwareBreakpoints];
  HardwareSlot hw_[kMaxHardwareSlots];
  HardwareSlot watch_[kMaxHardwareSlots];
};

}  // namespace microkit::gdb
