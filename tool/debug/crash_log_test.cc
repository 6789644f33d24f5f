// Tests of crash_log (reading fault reports back from a serial log) and
// core_file (a report as an ELF core file).
#include "debug/crash_log.h"

#include <gtest/gtest.h>

#include <cstring>

#include "debug/core_file.h"

namespace microkit::debug {
namespace {

// A log as QEMU shows it: PD output around the report, carriage returns,
// one report with a crash dump of one page.
constexpr const char* kLog =
    "Booting all finished, dropped to user space\r\n"
    "crasher: about to fault\r\n"
    "microkit initialiser: PD 'crasher' faulted: VM fault (data access) at address 0x10\r\n"
    "mk-fault pd crasher arch aarch64\r\n"
    "mk-fault what vm access write address 0x0000000000000010 pc 0x0000000000200028\r\n"
    "mk-fault regs pc=0x0000000000200028 sp=0x000000ffffffdf70 spsr=0x0000000060000040 x0=0x10\r\n"
    "mk-fault regs x29=0x000000ffffffdf70 x30=0x0000000000200054\r\n"
    "mk-fault frame 0 0x0000000000200028\r\n"
    "mk-fault frame 1 0x000000000020007c\r\n"
    "mk-fault page 0x000000ffffffd000\r\n"
    "mk-fault mem 0x000000ffffffdf60 00000000000000000000000000000000"
    "80dfffffff0000007c00200000000000\r\n"
    "mk-fault end\r\n"
    "other: still running\r\n";

TEST(CrashLog, ReadsAReportAmongOtherLines) {
  auto reports = parse_crash_log(kLog);
  ASSERT_EQ(reports.size(), 1u);
  const FaultReport& r = reports[0];
  EXPECT_EQ(r.line, 4u);
  EXPECT_EQ(r.pd, "crasher");
  EXPECT_EQ(r.arch, "aarch64");
  EXPECT_EQ(r.kind, "vm");
  EXPECT_EQ(r.access, "write");
  EXPECT_EQ(r.address, 0x10u);
  EXPECT_EQ(r.pc, 0x200028u);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.reg("x30"), 0x200054u);
  EXPECT_EQ(r.reg("x0"), 0x10u);
  EXPECT_EQ(r.reg("x99"), std::nullopt);
  EXPECT_EQ(r.frames, (std::vector<uint64_t>{0x200028, 0x20007c}));
  ASSERT_EQ(r.pages.size(), 1u);
  const auto& page = r.pages.at(0xffffffd000);
  EXPECT_EQ(page[0xf70], 0x80);
  EXPECT_EQ(page[0xf78], 0x7c);
  EXPECT_EQ(page[0xf60], 0);
}

TEST(CrashLog, ACutReportIsKeptIncomplete) {
  auto reports = parse_crash_log("mk-fault pd a arch riscv64\nmk-fault frame 0 0x1000\n");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].complete);
  EXPECT_EQ(reports[0].frames.size(), 1u);
}

// The initial task names frames when the PD's symbol table is embedded;
// the address stays the third word, so such a log reads the same.
TEST(CrashLog, FramesNamedOnTheTargetReadAsAddresses) {
  auto reports = parse_crash_log(
      "mk-fault pd a arch aarch64\n"
      "mk-fault frame 0 0x0000000000200028 level_three+0x8 (crasher.c:21)\n"
      "mk-fault frame 1 0x000000000020007c level_two+0x1c (crasher.c:12)\n"
      "mk-fault frame 2 0x0000000000200090 ?? (crasher.c:30)\n"
      "mk-fault end\n");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].complete);
  EXPECT_EQ(reports[0].frames, (std::vector<uint64_t>{0x200028, 0x20007c, 0x200090}));
}

TEST(CrashLog, MalformedLinesAreSkipped) {
  auto reports = parse_crash_log(
      "mk-fault pd a arch aarch64\n"
      "mk-fault frame 0 zzz\n"
      "mk-fault regs pc=0x12 sp=nonsense\n"
      "mk-fault mem 0x1000 00ff\n"  // no page opened for it
      "mk-fault page 0x1001\n"      // not page-aligned
      "mk-fault end\n"
      "mk-fault frame 0 0x44\n");   // outside any report
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].frames.empty());
  EXPECT_EQ(reports[0].regs.size(), 1u);
  EXPECT_TRUE(reports[0].pages.empty());
}

TEST(CrashLog, TwoReports) {
  auto reports = parse_crash_log("mk-fault pd a arch aarch64\nmk-fault end\nmk-fault pd b arch x86_64\nmk-fault end\n");
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[1].pd, "b");
}

template <class T>
T read(const std::vector<uint8_t>& b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

TEST(CoreFile, Aarch64CoreHasPrstatusAndThePages) {
  auto r = parse_crash_log(kLog)[0];
  std::string why;
  auto core = write_core(r, why);
  ASSERT_TRUE(core) << why;
  const auto& b = *core;
  EXPECT_EQ(read<uint16_t>(b, 16), 4);    // ET_CORE
  EXPECT_EQ(read<uint16_t>(b, 18), 183);  // EM_AARCH64
  ASSERT_EQ(read<uint16_t>(b, 56), 2);    // PT_NOTE + one PT_LOAD
  uint64_t phoff = read<uint64_t>(b, 32);
  EXPECT_EQ(read<uint32_t>(b, phoff), 4u);  // PT_NOTE first
  uint64_t note = read<uint64_t>(b, phoff + 8);
  EXPECT_EQ(read<uint32_t>(b, note + 8), 1u);  // NT_PRSTATUS
  uint64_t prstatus = note + 20;
  EXPECT_EQ(read<uint32_t>(b, note + 4), 392u);  // aarch64 elf_prstatus
  EXPECT_EQ(read<uint32_t>(b, prstatus), 11u);   // SIGSEGV
  // pr_reg: x0..x30, sp, pc, pstate
  EXPECT_EQ(read<uint64_t>(b, prstatus + 112 + 0 * 8), 0x10u);
  EXPECT_EQ(read<uint64_t>(b, prstatus + 112 + 29 * 8), 0xffffffdf70u);
  EXPECT_EQ(read<uint64_t>(b, prstatus + 112 + 30 * 8), 0x200054u);
  EXPECT_EQ(read<uint64_t>(b, prstatus + 112 + 31 * 8), 0xffffffdf70u);
  EXPECT_EQ(read<uint64_t>(b, prstatus + 112 + 32 * 8), 0x200028u);
  uint64_t load = phoff + 56;
  EXPECT_EQ(read<uint32_t>(b, load), 1u);  // PT_LOAD
  EXPECT_EQ(read<uint64_t>(b, load + 16), 0xffffffd000u);
  uint64_t at = read<uint64_t>(b, load + 8);
  EXPECT_EQ(at % 4096, 0u);
  EXPECT_EQ(b[at + 0xf78], 0x7c);
  EXPECT_EQ(b.size(), at + 4096);
}

TEST(CoreFile, RefusesUnknownArchitecturesAndMissingRegisters) {
  std::string why;
  FaultReport r;
  r.arch = "sparc";
  r.regs = {{"pc", 1}};
  EXPECT_FALSE(write_core(r, why));
  EXPECT_NE(why.find("sparc"), std::string::npos);
  r.arch = "riscv64";
  r.regs.clear();
  EXPECT_FALSE(write_core(r, why));
  EXPECT_NE(why.find("no registers"), std::string::npos);
}

TEST(CoreFile, X86RegistersGoWhereLinuxPutsThem) {
  FaultReport r;
  r.arch = "x86_64";
  r.kind = "user-exception";
  r.regs = {{"rip", 0x401000}, {"rsp", 0x7000}, {"rbp", 0x7010}, {"r15", 15}};
  std::string why;
  auto core = write_core(r, why);
  ASSERT_TRUE(core) << why;
  uint64_t note = read<uint64_t>(*core, read<uint64_t>(*core, 32) + 8);
  uint64_t regs = note + 20 + 112;
  EXPECT_EQ(read<uint32_t>(*core, note + 20), 4u);  // SIGILL
  EXPECT_EQ(read<uint64_t>(*core, regs + 0 * 8), 15u);        // r15
  EXPECT_EQ(read<uint64_t>(*core, regs + 4 * 8), 0x7010u);    // rbp
  EXPECT_EQ(read<uint64_t>(*core, regs + 16 * 8), 0x401000u); // rip
  EXPECT_EQ(read<uint64_t>(*core, regs + 19 * 8), 0x7000u);   // rsp
}

}  // namespace
}  // namespace microkit::debug
