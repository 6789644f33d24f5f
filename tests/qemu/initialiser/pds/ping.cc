// ping.cc: test PD "ping". Prints, notifies pong on its channel 5, invokes
// an empty slot without blocking (the debug kernel reports that naming the
// thread, which must be "ping"), then faults on purpose (a write to address
// 0x10, never mapped): the initial task must report the fault with the name
// "ping" and leave pong running.
#include "tests/qemu/initialiser/pds/pd.h"

seL4_IPCBuffer* __sel4_ipc_buffer;

constexpr seL4_CPtr kEmptySlot = 1000;  // inside ping's CNode, never filled

extern "C" [[noreturn]] void pd_main() {
  __sel4_ipc_buffer = test_pd::ipc_buffer();
  test_pd::put("ping: hello\n");
  seL4_Signal(microkit::pd_abi::notification_slot(5));
  test_pd::put("ping: notified pong\n");
  seL4_NBSend(kEmptySlot, seL4_MessageInfo_new(0, 0, 0, 0));
  uint64_t address = 0x10;
  asm volatile("" : "+r"(address));  // hide the constant from the optimiser's bounds checks
  *reinterpret_cast<volatile uint64_t*>(address) = 1;
  test_pd::put("ping: not reached\n");
  for (;;) asm volatile("" ::: "memory");
}
