// fault_report.h: the details of a fault report of the initial task, after
// its one-line summary: the fault in words, the faulting PD's registers, a
// backtrace from its frame records and, for PDs with crash_dump, its crash
// dump (the format: runtime/shared/crash_dump.h; docs/debugging.md).
//
// The PD's memory is read through FaultPage steps (initialiser_spec.h): the
// tool copied the caps of the PD's stack (and dumped regions') frames into
// root slots; the initial task maps one at a time, read-only, at a window
// page of its own .bss whose user-image frame it unmaps on first use.
// Debug configurations only: in release builds print.h prints nothing and
// report_details does nothing.
#pragma once

#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser {

// `tag` is the fault message just received (its MRs still in the IPC
// buffer); `pd` indexes the PD table; `tcb` is the PD's TCB.
void report_details(const uint8_t* spec, const initialiser_spec::SpecHeader& h, uint64_t pd, seL4_CPtr tcb,
                    seL4_MessageInfo_t tag);

}  // namespace microkit::initialiser
