// The host PD's sandbox (docs/host-platform.md, "Containment"): after the
// runtime has mapped the PD's memory regions and endpoints, the process is
// confined so that the only ways out are the ones the SDF grants (its MRs,
// the launcher's control page for channels and faults, stdout/stderr for
// debug output). Any other system call raises SIGSYS, which the runtime
// reports to the launcher as a fault (seL4_Fault_UnknownSyscall).
#pragma once

namespace microkit::host_sandbox {

// Closes every descriptor above stderr, sets resource limits (no new
// processes, no new descriptors, no core files) and installs the seccomp
// filter. Returns the step that failed, or nullptr. Irreversible.
const char* enter();

}  // namespace microkit::host_sandbox
