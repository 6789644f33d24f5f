// crash_log: the fault reports of a serial log, read back into data.
//
// The seL4 initial task prints, for each fault that reaches it in a debug
// configuration, a run of "mk-fault ..." lines (runtime/shared/crash_dump.h):
// the PD and architecture, the fault in words, the registers, the backtrace
// and, for PDs with crash_dump, pages of memory. parse_crash_log finds every
// such report in a log, whatever else the log holds (PD output, kernel
// messages, carriage returns); `microkit symbolize` and `microkit coredump`
// (docs/debugging.md) work from the result.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microkit::debug {

struct FaultReport {
  size_t line = 0;  // 1-based line of the report's first line in the log
  std::string pd;
  std::string arch;  // "aarch64", "riscv64", "x86_64"
  std::string kind;  // crash_dump.h's words: "vm", "cap", ...
  std::string access;
  uint64_t address = 0, pc = 0;
  std::vector<std::pair<std::string, uint64_t>> regs;  // in the order printed
  std::vector<uint64_t> frames;                        // #0 the pc, then return addresses
  std::map<uint64_t, std::vector<uint8_t>> pages;      // dumped 4 KiB pages by vaddr
  bool complete = false;                               // its "end" line was seen

  std::optional<uint64_t> reg(std::string_view name) const;
};

// Every report in `log`, in order. A report cut short (no "end" line) is
// kept with complete = false; malformed lines inside a report are skipped.
std::vector<FaultReport> parse_crash_log(std::string_view log);

}  // namespace microkit::debug
