// stub.cc: GDB's remote serial protocol (see stub.h). Written from the
// protocol's description in GDB's manual ("Remote Protocol" appendix).
#include "runtime/debugger/stub.h"

namespace microkit::gdb {
namespace {

constexpr uint32_t kBrk0 = 0xd4200000;  // AArch64 BRK #0
constexpr char kHexDigits[] = "0123456789abcdef";

// GDB's AArch64 core registers; their order is the 'g' packet's.
constexpr char kTargetXml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target><architecture>aarch64</architecture><feature name=\"org.gnu.gdb.aarch64.core\">"
    "<reg name=\"x0\" bitsize=\"64\"/><reg name=\"x1\" bitsize=\"64\"/><reg name=\"x2\" bitsize=\"64\"/>"
    "<reg name=\"x3\" bitsize=\"64\"/><reg name=\"x4\" bitsize=\"64\"/><reg name=\"x5\" bitsize=\"64\"/>"
    "<reg name=\"x6\" bitsize=\"64\"/><reg name=\"x7\" bitsize=\"64\"/><reg name=\"x8\" bitsize=\"64\"/>"
    "<reg name=\"x9\" bitsize=\"64\"/><reg name=\"x10\" bitsize=\"64\"/><reg name=\"x11\" bitsize=\"64\"/>"
    "<reg name=\"x12\" bitsize=\"64\"/><reg name=\"x13\" bitsize=\"64\"/><reg name=\"x14\" bitsize=\"64\"/>"
    "<reg name=\"x15\" bitsize=\"64\"/><reg name=\"x16\" bitsize=\"64\"/><reg name=\"x17\" bitsize=\"64\"/>"
    "<reg name=\"x18\" bitsize=\"64\"/><reg name=\"x19\" bitsize=\"64\"/><reg name=\"x20\" bitsize=\"64\"/>"
    "<reg name=\"x21\" bitsize=\"64\"/><reg name=\"x22\" bitsize=\"64\"/><reg name=\"x23\" bitsize=\"64\"/>"
    "<reg name=\"x24\" bitsize=\"64\"/><reg name=\"x25\" bitsize=\"64\"/><reg name=\"x26\" bitsize=\"64\"/>"
    "<reg name=\"x27\" bitsize=\"64\"/><reg name=\"x28\" bitsize=\"64\"/><reg name=\"x29\" bitsize=\"64\"/>"
    "<reg name=\"x30\" bitsize=\"64\"/><reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/><reg name=\"cpsr\" bitsize=\"32\"/>"
    "</feature></target>";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// At least one hex digit at p; p is left after the last one.
bool parse_hex(const char*& p, uint64_t& v) {
  v = 0;
  const char* start = p;
  for (int d; (d = hex_value(*p)) >= 0; ++p) v = (v << 4) | uint64_t(d);
  return p != start;
}

bool expect(const char*& p, char c) {
  if (*p != c) return false;
  ++p;
  return true;
}

bool starts_with(const char* s, const char* prefix) {
  for (; *prefix != '\0'; ++s, ++prefix)
    if (*s != *prefix) return false;
  return true;
}

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

// `count` bytes from hex pairs at p.
bool decode_hex_bytes(const char* p, uint8_t* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    int hi = hex_value(p[2 * i]), lo = hex_value(p[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return true;
}

// A little-endian value of `bytes` bytes from hex pairs.
bool decode_le(const char* p, unsigned bytes, uint64_t& v) {
  uint8_t b[8];
  if (!decode_hex_bytes(p, b, bytes)) return false;
  v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= uint64_t(b[i]) << (8 * i);
  return true;
}

unsigned register_bytes(uint64_t n) { return n == kRegCpsr ? 4 : 8; }

}  // namespace

// ---- bytes in ----

void Stub::feed(char c) {
  switch (rx_) {
    case RxState::Idle:
      if (c == '\x03') interrupt_ = true;
      if (c == '$') {
        rx_ = RxState::Data;
        in_len_ = 0;
        in_sum_ = 0;
      }
      return;  // '+' and '-' acknowledgements need nothing
    case RxState::Data:
      if (c == '#') {
        rx_ = RxState::Check1;
        return;
      }
      in_sum_ = uint8_t(in_sum_ + uint8_t(c));
      if (in_len_ < kMaxPacket) in_[in_len_++] = c;
      return;
    case RxState::Check1:
      in_check_ = uint8_t(hex_value(c) << 4);
      rx_ = RxState::Check2;
      return;
    case RxState::Check2: {
      rx_ = RxState::Idle;
      bool good = hex_value(c) >= 0 && uint8_t(in_check_ | hex_value(c)) == in_sum_;
      if (!no_ack_) put_(good ? '+' : '-');
      if (!good) return;
      in_[in_len_] = '\0';
      dispatch();
      return;
    }
  }
}

Resume Stub::take_resume() {
  Resume r = resume_;
  resume_ = Resume{};
  return r;
}

bool Stub::take_interrupt() {
  bool i = interrupt_;
  interrupt_ = false;
  return i;
}

// ---- bytes out ----

void Stub::reply(const char* payload, size_t len) {
  uint8_t sum = 0;
  put_('$');
  for (size_t i = 0; i < len; ++i) {
    put_(payload[i]);
    sum = uint8_t(sum + uint8_t(payload[i]));
  }
  put_('#');
  put_(kHexDigits[sum >> 4]);
  put_(kHexDigits[sum & 0xf]);
}

void Stub::reply_str(const char* payload) { reply(payload, length(payload)); }

void Stub::reply_error(uint8_t code) {
  out_reset();
  out_char('E');
  out_hex_byte(code);
  send_out();
}

void Stub::out_char(char c) {
  if (out_len_ < sizeof(out_)) out_[out_len_++] = c;
}

void Stub::out_str(const char* s) {
  while (*s != '\0') out_char(*s++);
}

void Stub::out_hex_byte(uint8_t b) {
  out_char(kHexDigits[b >> 4]);
  out_char(kHexDigits[b & 0xf]);
}

void Stub::out_hex(uint64_t v) {
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) out_char(kHexDigits[(v >> shift) & 0xf]);
}

void Stub::out_thread(uint32_t target) {
  out_char('p');
  out_hex(uint64_t(target) + 1);
  out_str(".1");
}

void Stub::out_le(uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out_hex_byte(uint8_t(v >> (8 * i)));
}

void Stub::send_output(const char* text, size_t len) {
  // Each byte takes two characters after the 'O'.
  for (size_t done = 0; done < len;) {
    out_reset();
    out_char('O');
    for (; done < len && out_len_ + 2 <= kMaxPacket; ++done) out_hex_byte(uint8_t(text[done]));
    send_out();
  }
}

void Stub::console_output(const char* text, size_t len) { send_output(text, len); }

void Stub::stop_reply(const StopEvent& e) {
  out_reset();
  out_char('T');
  out_hex_byte(e.signal);
  out_str("thread:");
  out_thread(e.target);
  out_char(';');
  if (e.why != StopEvent::Why::Signal) {
    out_str(e.why == StopEvent::Why::Watch ? "watch:" : e.why == StopEvent::Why::ReadWatch ? "rwatch:" : "awatch:");
    out_hex(e.address);
    out_char(';');
  }
  send_out();
}

void Stub::report_stop(const StopEvent& e) {
  last_stop_ = e;
  general_ = continue_ = e.target;
  stop_reply(e);
}

// ---- packets ----

void Stub::dispatch() {
  switch (in_[0]) {
    case '?': stop_reply(last_stop_); return;
    case '!': reply_str("OK"); return;
    case 'q': case 'Q': cmd_query(); return;
    case 'H': cmd_set_thread(); return;
    case 'g': cmd_read_registers(); return;
    case 'G': cmd_write_registers(); return;
    case 'p': cmd_read_register(); return;
    case 'P': cmd_write_register(); return;
    case 'm': cmd_read_memory(); return;
    case 'M': cmd_write_memory(); return;
    case 'Z': cmd_breakpoint(true); return;
    case 'z': cmd_breakpoint(false); return;
    case 'c': case 'C': cmd_resume(ResumeKind::Continue); return;
    case 's': case 'S': cmd_resume(ResumeKind::Step); return;
    case 'v': cmd_v(); return;
    case 'T': cmd_thread_alive(); return;
    case 'D': cmd_detach(); return;
    case 'k': resume_ = {ResumeKind::Detach, 0}; return;  // no reply: GDB closes the link
    default: reply_str(""); return;
  }
}

void Stub::cmd_query() {
  const char* q = in_;
  if (starts_with(q, "qSupported")) {
    reply_str("PacketSize=1000;qXfer:features:read+;multiprocess+;QStartNoAckMode+;vContSupported+");
  } else if (starts_with(q, "QStartNoAckMode")) {
    reply_str("OK");
    no_ack_ = true;
  } else if (starts_with(q, "qAttached")) {
    reply_str("1");
  } else if (starts_with(q, "qC") && q[2] == '\0') {
    out_reset();
    out_str("QC");
    out_thread(general_);
    send_out();
  } else if (starts_with(q, "qfThreadInfo")) {
    cmd_thread_info(true);
  } else if (starts_with(q, "qsThreadInfo")) {
    cmd_thread_info(false);
  } else if (starts_with(q, "qThreadExtraInfo,")) {
    const char* p = q + 17;
    uint32_t k = 0;
    bool all = false;
    if (!parse_thread(p, k, all) || all) return reply_error(1);
    out_reset();
    for (const char* n = target_name(k); *n != '\0'; ++n) out_hex_byte(uint8_t(*n));
    send_out();
  } else if (starts_with(q, "qRcmd,")) {
    cmd_monitor(q + 6);
  } else if (starts_with(q, "qXfer:features:read:")) {
    cmd_features(q + 20);
  } else if (starts_with(q, "qSymbol")) {
    reply_str("OK");
  } else {
    reply_str("");
  }
}

// "D" or "D;pid": GDB detaches from one process at a time; the system runs
// again only when the last one is detached (until then GDB still talks to
// the others, and output packets would garble its replies).
void Stub::cmd_detach() {
  uint64_t pid = 0;
  const char* p = in_ + 1;
  if (*p == ';' && (++p, !parse_hex(p, pid) || pid == 0 || pid > target_count())) return reply_error(1);
  if (pid == 0 || pid > 64) detached_ = ~uint64_t{0};
  else detached_ |= uint64_t{1} << (pid - 1);
  reply_str("OK");
  uint64_t all = target_count() >= 64 ? ~uint64_t{0} : (uint64_t{1} << target_count()) - 1;
  if ((detached_ & all) != all) return;
  detached_ = 0;  // a new connection finds every process attached
  resume_ = {ResumeKind::Detach, 0};
}

void Stub::cmd_thread_info(bool first) {
  if (!first) return reply_str("l");
  out_reset();
  out_char('m');
  for (uint32_t k = 0; k < target_count(); ++k) {
    if (k != 0) out_char(',');
    out_thread(k);
  }
  send_out();
}

void Stub::cmd_features(const char* args) {
  if (!starts_with(args, "target.xml:")) return reply_error(0);
  const char* p = args + 11;
  uint64_t offset = 0, len = 0;
  if (!parse_hex(p, offset) || !expect(p, ',') || !parse_hex(p, len)) return reply_error(0);
  uint64_t size = sizeof(kTargetXml) - 1;
  if (offset >= size) return reply_str("l");
  uint64_t n = size - offset;
  if (len > kMaxPacket - 1) len = kMaxPacket - 1;
  bool last = n <= len;
  if (!last) n = len;
  out_reset();
  out_char(last ? 'l' : 'm');
  for (uint64_t i = 0; i < n; ++i) out_char(kTargetXml[offset + i]);
  send_out();
}

// "p<pid>.<tid>", "p<pid>", "-1", "0" or "<tid>". pid -1 or thread -1: all.
bool Stub::parse_thread(const char*& p, uint32_t& target, bool& all) {
  all = false;
  uint64_t v = 0;
  if (*p == 'p') {
    ++p;
    if (starts_with(p, "-1")) {
      all = true;
      p += 2;
    } else if (!parse_hex(p, v) || v > target_count()) {
      return false;
    } else if (v != 0) {  // p0: any process
      target = uint32_t(v - 1);
    }
    if (*p == '.') {
      ++p;
      if (starts_with(p, "-1")) p += 2;
      else if (!parse_hex(p, v)) return false;
    }
    return true;
  }
  if (starts_with(p, "-1")) {
    all = true;
    p += 2;
    return true;
  }
  if (!parse_hex(p, v)) return false;
  if (v != 0) {
    if (v > target_count()) return false;
    target = uint32_t(v - 1);
  }
  return true;
}

void Stub::cmd_set_thread() {
  const char* p = in_ + 2;
  uint32_t k = in_[1] == 'g' ? general_ : continue_;
  bool all = false;
  if ((in_[1] != 'g' && in_[1] != 'c') || !parse_thread(p, k, all)) return reply_error(1);
  if (in_[1] == 'g') general_ = k;
  else continue_ = k;
  reply_str("OK");
}

void Stub::cmd_thread_alive() {
  const char* p = in_ + 1;
  uint32_t k = 0;
  bool all = false;
  if (!parse_thread(p, k, all)) return reply_error(1);
  reply_str("OK");
}

void Stub::cmd_read_registers() {
  uint64_t regs[kRegCount];
  if (!read_registers(general_, regs)) return reply_error(1);
  out_reset();
  for (unsigned r = 0; r < kRegCount; ++r) out_le(regs[r], register_bytes(r));
  send_out();
}

void Stub::cmd_write_registers() {
  uint64_t regs[kRegCount];
  const char* p = in_ + 1;
  for (unsigned r = 0; r < kRegCount; ++r) {
    if (!decode_le(p, register_bytes(r), regs[r])) return reply_error(1);
    p += 2 * register_bytes(r);
  }
  reply_str(write_registers(general_, regs) ? "OK" : "E01");
}

void Stub::cmd_read_register() {
  const char* p = in_ + 1;
  uint64_t n = 0;
  uint64_t regs[kRegCount];
  if (!parse_hex(p, n) || n >= kRegCount) return reply_error(1);
  if (!read_registers(general_, regs)) return reply_error(1);
  out_reset();
  out_le(regs[n], register_bytes(n));
  send_out();
}

void Stub::cmd_write_register() {
  const char* p = in_ + 1;
  uint64_t n = 0, v = 0;
  uint64_t regs[kRegCount];
  if (!parse_hex(p, n) || n >= kRegCount || !expect(p, '=') || !decode_le(p, register_bytes(n), v))
    return reply_error(1);
  if (!read_registers(general_, regs)) return reply_error(1);
  regs[n] = v;
  reply_str(write_registers(general_, regs) ? "OK" : "E01");
}

void Stub::cmd_read_memory() {
  const char* p = in_ + 1;
  uint64_t addr = 0, len = 0;
  if (!parse_hex(p, addr) || !expect(p, ',') || !parse_hex(p, len)) return reply_error(1);
  uint8_t bytes[kMaxPacket / 2];
  if (len > sizeof(bytes)) len = sizeof(bytes);
  if (!read_memory(general_, addr, bytes, len)) return reply_error(0x14);
  out_reset();
  for (uint64_t i = 0; i < len; ++i) out_hex_byte(bytes[i]);
  send_out();
}

void Stub::cmd_write_memory() {
  const char* p = in_ + 1;
  uint64_t addr = 0, len = 0;
  uint8_t bytes[kMaxPacket / 2];
  if (!parse_hex(p, addr) || !expect(p, ',') || !parse_hex(p, len) || !expect(p, ':') ||
      len > sizeof(bytes) || !decode_hex_bytes(p, bytes, len))
    return reply_error(1);
  reply_str(write_memory(general_, addr, bytes, len) ? "OK" : "E14");
}

// "Z<type>,<addr>,<kind>": 0 software, 1 hardware breakpoint, 2 write,
// 3 read, 4 access watchpoint. An unsupported type gets the empty reply.
void Stub::cmd_breakpoint(bool insert) {
  const char* p = in_ + 1;
  char type = *p++;
  uint64_t addr = 0, kind = 0;
  if (!expect(p, ',') || !parse_hex(p, addr) || !expect(p, ',') || !parse_hex(p, kind)) return reply_error(1);
  bool ok = false;
  switch (type) {
    case '0': ok = software_breakpoint(insert, addr); break;
    case '1': ok = hardware_breakpoint(insert, addr); break;
    case '2': case '3': case '4': ok = watchpoint(insert, type, addr, unsigned(kind)); break;
    default: return reply_str("");
  }
  reply_str(ok ? "OK" : "E0e");
}

bool Stub::software_breakpoint(bool insert, uint64_t addr) {
  SoftwareBreakpoint* free_slot = nullptr;
  for (SoftwareBreakpoint& b : sw_) {
    if (b.used && b.target == general_ && b.addr == addr) {
      if (insert) return true;
      uint8_t orig[4] = {uint8_t(b.original), uint8_t(b.original >> 8), uint8_t(b.original >> 16),
                         uint8_t(b.original >> 24)};
      b.used = false;
      return write_memory(general_, addr, orig, 4);
    }
    if (!b.used && free_slot == nullptr) free_slot = &b;
  }
  if (!insert) return true;  // nothing there: already removed
  uint8_t orig[4];
  if (free_slot == nullptr || !read_memory(general_, addr, orig, 4)) return false;
  const uint8_t brk[4] = {uint8_t(kBrk0), uint8_t(kBrk0 >> 8), uint8_t(kBrk0 >> 16), uint8_t(kBrk0 >> 24)};
  if (!write_memory(general_, addr, brk, 4)) return false;
  *free_slot = {true, general_, addr, uint32_t(orig[0]) | uint32_t(orig[1]) << 8 | uint32_t(orig[2]) << 16 |
                                          uint32_t(orig[3]) << 24};
  return true;
}

// A breakpoint or watchpoint in one of `slots` debug registers: the same
// one again is a no-op, a removal frees its slot, an insertion takes the
// first free slot (set(slot) programs it, clear(slot) unprograms it).
template <typename Set, typename Clear>
bool Stub::hardware_slot(HardwareSlot* table, unsigned slots, bool insert, uint64_t addr, Set set, Clear clear) {
  if (slots > kMaxHardwareSlots) slots = kMaxHardwareSlots;
  for (unsigned s = 0; s < slots; ++s) {
    HardwareSlot& h = table[s];
    if (!h.used || h.target != general_ || h.addr != addr) continue;
    if (insert) return true;
    h.used = false;
    return clear(s);
  }
  if (!insert) return true;
  for (unsigned s = 0; s < slots; ++s) {
    if (table[s].used) continue;
    if (!set(s)) return false;
    table[s] = {true, general_, addr};
    return true;
  }
  return false;
}

bool Stub::hardware_breakpoint(bool insert, uint64_t addr) {
  uint32_t k = general_;
  return hardware_slot(
      hw_, hw_breakpoint_slots(), insert, addr, [&](unsigned s) { return set_hw_breakpoint(k, s, addr); },
      [&](unsigned s) { return clear_hw_breakpoint(k, s); });
}

bool Stub::watchpoint(bool insert, char type, uint64_t addr, unsigned size) {
  WatchKind kind = type == '2' ? WatchKind::Write : type == '3' ? WatchKind::Read : WatchKind::Access;
  uint32_t k = general_;
  return hardware_slot(
      watch_, watchpoint_slots(), insert, addr, [&](unsigned s) { return set_watchpoint(k, s, addr, size, kind); },
      [&](unsigned s) { return clear_watchpoint(k, s); });
}

void Stub::cmd_resume(ResumeKind kind) {
  // 'c'/'s' [addr] and 'C'/'S' sig[;addr]: resuming at another address is not supported.
  if (in_[1] != '\0' && in_[0] != 'C' && in_[0] != 'S') return reply_error(1);
  resume_ = {kind, continue_};
}

// vCont;action[:thread]...: the first 's' names the target to step; the rest continue.
void Stub::cmd_v() {
  if (starts_with(in_, "vCont?")) return reply_str("vCont;c;C;s;S");
  if (starts_with(in_, "vCtrlC")) {
    interrupt_ = true;
    return reply_str("OK");
  }
  if (!starts_with(in_, "vCont;")) return reply_str("");
  const char* p = in_ + 5;
  Resume r{ResumeKind::Continue, last_stop_.target};
  while (*p == ';') {
    char action = *++p;
    while (*p != '\0' && *p != ':' && *p != ';') ++p;
    uint32_t k = last_stop_.target;
    bool all = false;
    if (*p == ':' && (++p, !parse_thread(p, k, all))) return reply_error(1);
    if ((action == 's' || action == 'S') && r.kind != ResumeKind::Step) r = {ResumeKind::Step, k};
  }
  resume_ = r;
}

namespace {
struct MonitorSink {
  Stub* stub;
};
void monitor_out(const char* text, size_t len, void* ctx) {
  static_cast<MonitorSink*>(ctx)->stub->send_output(text, len);
}
}  // namespace

void Stub::cmd_monitor(const char* hex) {
  char command[256];
  size_t n = length(hex) / 2;
  if (n >= sizeof(command) || !decode_hex_bytes(hex, reinterpret_cast<uint8_t*>(command), n))
    return reply_error(1);
  command[n] = '\0';
  MonitorSink sink{this};
  bool ok = monitor_command(command, monitor_out, &sink);
  reply_str(ok ? "OK" : "E01");
}

}  // namespace microkit::gdb
