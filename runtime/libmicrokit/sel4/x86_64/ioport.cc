// ioport.cc: the x86-64 I/O port calls of microkit.h (manual: "I/O Ports").
//
// <ioport id=...> gives the PD an I/O port cap for its range at
// MICROKIT_PD_BASE_IOPORT + id; every access is an invocation of that cap,
// performed by the kernel. As with channels, an id the SDF did not give is
// reported and the call does nothing (a read returns 0); a port outside the
// id's range is refused by the kernel, and the PD stops naming the call.
#include "../internal.h"

using microkit::sel4::fail;
using microkit::sel4::id_allowed;
using microkit::sel4::report_bad_id;

namespace {

bool ioport_ok(microkit_ioport id, const char* call) {
  if (id_allowed(microkit_ioports, id, MICROKIT_PD_MAX_IOPORT_ID)) return true;
  report_bad_id(call, "I/O port id", id);
  return false;
}

seL4_CPtr ioport_cap(microkit_ioport id) { return MICROKIT_PD_BASE_IOPORT + id; }

// A read's value, or a stop naming the call when the kernel refused it.
template <class Result>
auto checked(Result r, const char* call) {
  if (r.error != seL4_NoError) fail(call, static_cast<seL4_Error>(r.error));
  return r.result;
}

void check_write(seL4_Error err, const char* call) {
  if (err != seL4_NoError) fail(call, err);
}

}  // namespace

extern "C" {

void microkit_x86_ioport_write_8(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_write_8")) return;
  check_write(seL4_X86_IOPort_Out8(ioport_cap(ioport_id), port_addr, data),
              "microkit_x86_ioport_write_8: port outside the I/O port range");
}

void microkit_x86_ioport_write_16(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_write_16")) return;
  check_write(seL4_X86_IOPort_Out16(ioport_cap(ioport_id), port_addr, data),
              "microkit_x86_ioport_write_16: port outside the I/O port range");
}

void microkit_x86_ioport_write_32(microkit_ioport ioport_id, seL4_Word port_addr, seL4_Word data) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_write_32")) return;
  check_write(seL4_X86_IOPort_Out32(ioport_cap(ioport_id), port_addr, data),
              "microkit_x86_ioport_write_32: port outside the I/O port range");
}

seL4_Uint8 microkit_x86_ioport_read_8(microkit_ioport ioport_id, seL4_Word port_addr) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_read_8")) return 0;
  return checked(seL4_X86_IOPort_In8(ioport_cap(ioport_id), static_cast<seL4_Uint16>(port_addr)),
                 "microkit_x86_ioport_read_8: port outside the I/O port range");
}

seL4_Uint16 microkit_x86_ioport_read_16(microkit_ioport ioport_id, seL4_Word port_addr) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_read_16")) return 0;
  return checked(seL4_X86_IOPort_In16(ioport_cap(ioport_id), static_cast<seL4_Uint16>(port_addr)),
                 "microkit_x86_ioport_read_16: port outside the I/O port range");
}

seL4_Uint32 microkit_x86_ioport_read_32(microkit_ioport ioport_id, seL4_Word port_addr) {
  if (!ioport_ok(ioport_id, "microkit_x86_ioport_read_32")) return 0;
  return checked(seL4_X86_IOPort_In32(ioport_cap(ioport_id), static_cast<seL4_Uint16>(port_addr)),
                 "microkit_x86_ioport_read_32: port outside the I/O port range");
}

}  // extern "C"
