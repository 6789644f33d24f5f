// cxx_pd.cc: a PD program written in C++. It defines the protected entry
// point as microkit_protected (microkit.h binds it to the symbol
// `protected`) and has a static constructor, which libmicrokit must run
// before init() (microkit.ld's init array). Built by the sel4-build tests.
#include <microkit.h>

namespace {

struct Counter {
  seL4_Word value;
  Counter() : value(7) {}
};
Counter counter;

}  // namespace

extern "C" void init(void) {
  microkit_dbg_puts(microkit_name);
  microkit_dbg_put32(static_cast<seL4_Uint32>(counter.value));
}

extern "C" void notified(microkit_channel ch) { counter.value += ch; }

extern "C" microkit_msginfo microkit_protected(microkit_channel ch, microkit_msginfo msginfo) {
  microkit_mr_set(0, counter.value);
  return microkit_msginfo_new(ch, 1);
}
