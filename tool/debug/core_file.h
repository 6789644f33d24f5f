// core_file: a fault report (crash_log.h) as an ELF core file, so that
// `gdb-multiarch PROGRAM CORE` shows the faulting PD as a stopped process:
// its registers (an NT_PRSTATUS note in Linux's layout for the
// architecture) and the memory its crash dump holds (one PT_LOAD per 4 KiB
// page). The program's code and read-only data come from the PD's ELF, which
// gdb reads beside the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "debug/crash_log.h"

namespace microkit::debug {

// The core file's bytes, or nullopt with `why` set (an architecture this
// writer does not know, or a report without registers).
std::optional<std::vector<uint8_t>> write_core(const FaultReport& report, std::string& why);

}  // namespace microkit::debug
