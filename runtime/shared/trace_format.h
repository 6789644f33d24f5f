/* trace_format.h: the event timeline's ring buffer and its text dump, shared
 * by the trace build of libmicrokit (which writes the ring), the host
 * launcher (which dumps it to a file) and the tool (which reads the dump and
 * writes a Chrome/Perfetto trace; tool/trace/).
 *
 * With tracing on (`microkit --trace`), the tool adds one memory region per
 * PD, maps it into that PD only, and patches its address and size into the
 * PD's `microkit_trace_buffer` and `microkit_trace_size` (as setvar does).
 * The region starts with a TraceHeader, then TraceRecords, one per event,
 * written round-robin: record i goes to slot i % capacity, so after an
 * overflow the ring holds the newest `capacity` events. Only the PD writes
 * its ring (one thread per PD; the fault handler never records).
 *
 * The dump is text, one event per line, so that it can travel over a serial
 * line between other output and be cut out of a log:
 *
 *   microkit-trace <pd> clock <ticks per second>
 *   microkit-trace <pd> e <kind> <id> <arg> <time>    (decimal numbers)
 *   microkit-trace <pd> lost <n>                       (overwritten before dumped)
 *
 * Every line names its PD, so lines of different PDs may interleave.
 * Works from C++ hosted or freestanding; includes only <stdint.h>.
 */
#ifndef MICROKIT_TRACE_FORMAT_H
#define MICROKIT_TRACE_FORMAT_H

#include <stdint.h>

#include "put_number.h"

#ifdef __cplusplus
namespace microkit::trace {

inline constexpr uint64_t kMagic = 0x3145434152544b4dull;  // "MKTRACE1", little-endian
inline constexpr uint32_t kVersion = 1;
inline constexpr const char* kLinePrefix = "microkit-trace ";
// The memory region of PD p's ring is named kRingMrPrefix + p.
inline constexpr const char* kRingMrPrefix = "microkit_trace.";
// Symbols of the trace libmicrokit the tool patches.
inline constexpr const char* kBufferSymbol = "microkit_trace_buffer";
inline constexpr const char* kSizeSymbol = "microkit_trace_size";
// Bytes of each PD's ring when --trace does not say (a page holds 252 events).
inline constexpr uint64_t kDefaultRingBytes = 0x10000;

// What happened. "Begin"/"End" pairs bracket an entry point of the PD.
enum class Kind : uint8_t {
  InitBegin = 1,        // arg: the PD's life (1 at boot, +1 per restart)
  InitEnd = 2,
  NotifiedBegin = 3,    // id: channel
  NotifiedEnd = 4,
  IrqBegin = 5,         // id: channel of an <irq> (notified() for an interrupt)
  IrqEnd = 6,
  ProtectedBegin = 7,   // id: channel; arg: the message's label
  ProtectedEnd = 8,     // arg: the reply's label
  FaultBegin = 9,       // id: child; arg: the fault's label
  FaultEnd = 10,        // arg: 1 when the child is resumed by the reply
  Notify = 11,          // id: channel
  PpcCall = 12,         // id: channel; arg: label
  PpcReturn = 13,       // id: channel; arg: the reply's label
  IrqAck = 14,          // id: channel
  DeferredNotify = 15,  // id: channel (sent when the entry point returns)
  DeferredIrqAck = 16,  // id: channel
  Restart = 17,         // id: child
  Stop = 18,            // id: child
  Resume = 19,          // id: child
};
inline constexpr uint8_t kMaxKind = 19;

struct TraceHeader {
  uint64_t magic;             // kMagic once the PD has started
  uint32_t version;           // kVersion
  uint32_t record_size;       // sizeof(TraceRecord)
  uint64_t capacity;          // records that fit after the header
  uint64_t written;           // records ever written (slot = index % capacity)
  uint64_t ticks_per_second;  // the clock of `time` (0: unknown)
  uint64_t dumped;            // records already dumped (streaming dumps)
  uint64_t reserved[2];
};

struct TraceRecord {
  uint64_t time;  // AArch64: CNTPCT_EL0; host: CLOCK_MONOTONIC in ns
  uint32_t arg;
  uint16_t id;
  uint8_t kind;   // Kind
  uint8_t reserved;
};

static_assert(sizeof(TraceHeader) == 64, "the header keeps records 16-byte aligned");
static_assert(sizeof(TraceRecord) == 16, "tool, launcher and library agree on the record");

// The number of records a ring of `bytes` holds.
constexpr uint64_t capacity_of(uint64_t bytes) {
  return bytes <= sizeof(TraceHeader) ? 0 : (bytes - sizeof(TraceHeader)) / sizeof(TraceRecord);
}

// The kind's name in the dump and in the trace viewer.
inline const char* kind_name(uint8_t kind) {
  constexpr const char* kNames[] = {"?",         "init",       "init-end",    "notified",
                                    "notified-end", "irq",     "irq-end",     "protected",
                                    "protected-end", "fault",  "fault-end",   "notify",
                                    "ppcall",    "ppcall-return", "irq-ack",  "deferred-notify",
                                    "deferred-irq-ack", "restart", "stop",    "resume"};
  return kind <= kMaxKind ? kNames[kind] : "?";
}

template <typename PutChar>
void put_text(const char* s, PutChar put) {
  for (; *s != '\0'; ++s) put(*s);
}

template <typename PutChar>
void put_line_start(const char* pd, const char* what, PutChar put) {
  put_text(kLinePrefix, put);
  put_text(pd, put);
  put(' ');
  put_text(what, put);
}

// Writes the dump of the records not yet dumped, a character at a time,
// and marks them dumped. `put` takes a char. Freestanding: used by the
// trace libmicrokit on seL4 and by the host launcher.
template <typename PutChar>
void dump_new_records(TraceHeader* h, const char* pd, PutChar put) {
  const TraceRecord* records = reinterpret_cast<const TraceRecord*>(h + 1);
  if (h->magic != kMagic || h->capacity == 0) return;
  if (h->dumped == 0) {
    put_line_start(pd, "clock ", put);
    microkit::shared::put_decimal(h->ticks_per_second, put);
    put('\n');
  }
  uint64_t first = h->dumped;
  if (h->written - first > h->capacity) {
    put_line_start(pd, "lost ", put);
    microkit::shared::put_decimal(h->written - h->capacity - first, put);
    put('\n');
    first = h->written - h->capacity;
  }
  for (uint64_t i = first; i < h->written; ++i) {
    const TraceRecord& r = records[i % h->capacity];
    put_line_start(pd, "e ", put);
    microkit::shared::put_decimal(r.kind, put);
    put(' ');
    microkit::shared::put_decimal(r.id, put);
    put(' ');
    microkit::shared::put_decimal(r.arg, put);
    put(' ');
    microkit::shared::put_decimal(r.time, put);
    put('\n');
  }
  h->dumped = h->written;
}

}  // namespace microkit::trace
#endif /* __cplusplus */

#endif /* MICROKIT_TRACE_FORMAT_H */
