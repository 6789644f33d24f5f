// trace_ring.h: how the trace build of libmicrokit writes its ring buffer
// (runtime/shared/trace_format.h), for both ports.
//
// The trace build is a different library (libmicrokit_trace.a on seL4,
// microkit_host_runtime_trace on the host), compiled with MICROKIT_TRACE
// defined. In the ordinary library MICROKIT_TRACE_EVENT expands to nothing,
// so tracing costs nothing when it is off. Each port defines
// microkit::trace::now() (its clock) and ticks_per_second() before using
// the macro. The tool patches the ring's address and size; a traced program
// in a system built without --trace finds them 0 and records nothing.
#pragma once

#include <microkit.h>

#include "trace_format.h"

extern "C" {
// Patched by the tool (trace_format.h: kBufferSymbol, kSizeSymbol).
extern uint64_t microkit_trace_buffer;
extern uint64_t microkit_trace_size;
}

namespace microkit::trace {

uint64_t now();
uint64_t ticks_per_second();

inline TraceHeader* ring() { return reinterpret_cast<TraceHeader*>(microkit_trace_buffer); }

// At the start of each life: the header is written once (the ring and what
// it holds survive restarts).
inline void ring_start() {
  TraceHeader* h = ring();
  if (h == nullptr || h->magic == kMagic) return;
  h->version = kVersion;
  h->record_size = sizeof(TraceRecord);
  h->capacity = capacity_of(microkit_trace_size);
  h->written = 0;
  h->dumped = 0;
  h->ticks_per_second = ticks_per_second();
  h->magic = kMagic;
}

inline void record(Kind kind, unsigned int id, uint64_t arg) {
  TraceHeader* h = ring();
  if (h == nullptr || h->capacity == 0) return;
  TraceRecord& r = reinterpret_cast<TraceRecord*>(h + 1)[h->written % h->capacity];
  r.time = now();
  r.arg = static_cast<uint32_t>(arg);
  r.id = static_cast<uint16_t>(id);
  r.kind = static_cast<uint8_t>(kind);
  r.reserved = 0;
  h->written = h->written + 1;
}

#if defined(MICROKIT_TRACE)
// notified(ch) between two events: an <irq> channel's as irq delivery.
inline void notified_traced(unsigned int ch, bool irq) {
  record(irq ? Kind::IrqBegin : Kind::NotifiedBegin, ch, 0);
  notified(ch);
  record(irq ? Kind::IrqEnd : Kind::NotifiedEnd, ch, 0);
}
#else
inline void notified_traced(unsigned int ch, bool) { notified(ch); }
#endif

}  // namespace microkit::trace

#if defined(MICROKIT_TRACE)
#define MICROKIT_TRACE_EVENT(kind, id, arg) \
  ::microkit::trace::record(::microkit::trace::Kind::kind, (id), (arg))
#else
#define MICROKIT_TRACE_EVENT(kind, id, arg) ((void)0)
#endif
