// sel4_report: the plain-text report of an seL4 system (`microkit -r`).
//
// Per PD: its kernel objects (type, physical address, size), its CSpace slot
// by slot (what, badge, rights) and its memory map (virtual address, size,
// rights, cacheability, what backs it); per MR its frames' physical
// addresses; then the untypeds the kernel gives the initial task and how
// much of them the system uses. Pure: returns the text, writes nothing.
// The format is for people; tests check the facts it states, not its layout.
#pragma once

#include <string>

#include "kernel/boot_emulation.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"

namespace microkit::report {

std::string sel4_report(const plan::Plan& plan, const plan::Sel4Plan& sp,
                        const kernel::BootResult& boot);

}  // namespace microkit::report
