// pong.cc: test PD "pong". Prints, waits on its input notification for
// ping's signal (pong's end of the channel has id 3, so the badge is 1 << 3),
// then says it is still running; it has a lower priority than ping, so it
// only gets here after ping has faulted.
#include "tests/qemu/initialiser/pds/pd.h"

seL4_IPCBuffer* __sel4_ipc_buffer;

extern "C" [[noreturn]] void pd_main() {
  __sel4_ipc_buffer = test_pd::ipc_buffer();
  test_pd::put("pong: hello\n");
  seL4_Word badge = 0;
  seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge);
  test_pd::put("pong: notification arrived, badge ");
  test_pd::hex(badge);
  test_pd::put("\n");
  test_pd::put("pong: still running after ping's fault\n");
  for (;;) seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge);
}
