// check.h: the loader's one error regime.
//
// The loader cannot recover from anything: the image is wrong or the
// hardware is not what the image was built for. Each phase announces itself
// with step("...") and then asserts with check(cond, "what failed"); a
// failed check prints
//     microkit loader: FAILED while <step>: <what failed>
// on the UART (in every build, release too) and parks the CPU. The step
// text tells which phase broke; the `what` text names the rule.
#pragma once

#include <stdint.h>

namespace microkit::loader {

// Records the phase now running; in debug builds also prints it.
void step(const char* what);

[[noreturn]] void fail(const char* what);

inline void check(bool cond, const char* what) {
  if (!cond) [[unlikely]] fail(what);
}

// Parks this CPU forever (arch code).
[[noreturn]] void halt();

}  // namespace microkit::loader
