// passive.cc: test PD for passive PDs. Its scheduling context is bound to
// its TCB and, by a SchedContextBind step, to its notification too. ping's
// signal arrives while it is still in its "init"; its first receive gets
// that signal on its own SC ("passive: notified"), and the next blocking
// receive hands the SC to the notification inside the kernel (no message
// to the monitor, so no window in which the signal could be lost).
#include "tests/qemu/initialiser/pds/pd.h"

seL4_IPCBuffer* __sel4_ipc_buffer;

extern "C" [[noreturn]] void pd_main() {
  __sel4_ipc_buffer = test_pd::ipc_buffer();
  test_pd::put("passive: init done\n");
  for (;;) {
    seL4_Word badge = 0;
    seL4_Wait(MICROKIT_PD_SLOT_INPUT, &badge);
    test_pd::put("passive: notified\n");
  }
}
