// profiler_checks (see profiler_checks.h).
#include "profile/profiler_checks.h"

namespace microkit::profile {

void check_profiler(const sdf::SystemDescription& sd, const board::Board&, Diagnostics& diags) {
  if (!sd.profiler) return;
  const sdf::Profiler& p = *sd.profiler;
  if (p.frequency == 0 || p.frequency > kMaxFrequency)
    diags.error("profiler-frequency-out-of-range", sd.file, p.at("frequency"),
                "<profiler frequency=\"" + std::to_string(p.frequency) +
                    "\">: the profiler samples 1 to " + std::to_string(kMaxFrequency) + " times a second",
                "write a frequency such as 1000 (one sample per millisecond of CPU time)");
}

}  // namespace microkit::profile
