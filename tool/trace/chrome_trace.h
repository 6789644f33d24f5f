// chrome_trace: a trace dump (runtime/shared/trace_format.h) to the Chrome
// trace-event JSON that Perfetto (ui.perfetto.dev) and chrome://tracing read.
//
// The dump is the text the trace build of libmicrokit prints on seL4 or the
// host launcher writes; lines without the "microkit-trace " marker (the
// rest of a serial log) are skipped. The Plan of the same system says which
// PD is at the other end of each channel and who is whose child, so the
// events become, on one track (tid) per PD:
//   - slices (B/E) for init(), notified(), protected(), fault() and for the
//     time a PD waits in microkit_ppcall;
//   - instants (i) for notify, irq_ack, deferred calls, restart/stop/resume;
//   - flows (s/f) from a notify to the notified() it caused, from a ppcall
//     to protected() and back, from a faulting PD to its parent's fault(),
//     and from a restart to the child's next init().
// A PD's slices still open when its parent's fault() begins end there (the
// PD faulted inside them). Timestamps: microseconds since the first event.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.h"
#include "support/diagnostics.h"

namespace microkit::trace {

struct Event {
  size_t pd = 0;     // index into Plan::pds
  uint8_t kind = 0;  // trace_format.h Kind
  uint32_t id = 0;
  uint64_t arg = 0;
  uint64_t time = 0;  // in the PD's clock ticks
};

struct Dump {
  std::vector<Event> events;               // in dump order per PD
  std::vector<uint64_t> ticks_per_second;  // per PD; 0 when no clock line came
  std::vector<uint64_t> lost;              // per PD: overwritten before dumped
  size_t bad_lines = 0;                    // marked lines that did not parse
};

// Reads the marked lines of `text`; PD names not in `plan` are warnings.
Dump parse_dump(std::string_view text, const plan::Plan& plan, const std::string& file,
                Diagnostics& diags);

// The trace JSON ({"traceEvents": [...]}) of `dump`.
std::string chrome_json(const Dump& dump, const plan::Plan& plan, const std::string& system);

}  // namespace microkit::trace
