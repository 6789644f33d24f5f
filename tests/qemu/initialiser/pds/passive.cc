// passive.cc: test PD for the passive hand-off. After its "init" it sends
// the monitor an empty message (label 0) on slot 5 and waits on its input,
// as libmicrokit does for passive="true" (docs/sel4-abi.md). The initialiser
// must then move its scheduling context to the PD's notification: the
// signal ping sent earlier is received by the NBSendRecv while the PD still
// has its own SC, which is then taken before the PD runs again, so
// "passive: notified" must never appear.
#include "tests/qemu/initialiser/pds/pd.h"

seL4_IPCBuffer* __sel4_ipc_buffer;

extern "C" [[noreturn]] void pd_main() {
  __sel4_ipc_buffer = test_pd::ipc_buffer();
  test_pd::put("passive: init done\n");
  seL4_Word badge = 0;
  seL4_NBSendRecv(MICROKIT_PD_SLOT_MONITOR_EP, seL4_MessageInfo_new(0, 0, 0, 0), MICROKIT_PD_SLOT_INPUT, &badge,
                  MICROKIT_PD_SLOT_REPLY);
  for (;;) {
    test_pd::put("passive: notified\n");
    seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge);
  }
}
