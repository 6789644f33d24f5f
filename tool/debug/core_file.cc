// core_file: see core_file.h. Layout: ELF header, program headers (one
// PT_NOTE, then a PT_LOAD per dumped page), the notes (NT_PRSTATUS,
// NT_PRPSINFO), then the pages at 4 KiB-aligned offsets.
#include "debug/core_file.h"

#include <cstring>

namespace microkit::debug {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kEhdrSize = 64, kPhdrSize = 56;
constexpr uint32_t kNtPrstatus = 1, kNtPrpsinfo = 3;
constexpr uint64_t kPrRegOffset = 112;  // pr_reg inside Linux's 64-bit elf_prstatus
constexpr uint64_t kPrpsinfoSize = 136;

// Linux's user_regs_struct of each architecture, as seL4_UserContext names
// (crash_dump.h); "0" is a register seL4 does not report.
struct CoreArch {
  const char* name;
  uint16_t machine;
  uint32_t flags;
  std::vector<const char*> regs;
};

const CoreArch* core_arch(const std::string& name) {
  static const CoreArch kArchs[] = {
      {"aarch64", 183, 0,
       {"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10", "x11",
        "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
        "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",  "pc",  "spsr"}},
      // EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE, as the PDs are built.
      {"riscv64", 243, 0x5,
       {"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"}},
      {"x86_64", 62, 0,
       {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",  "r8",      "rax",     "rcx", "rdx", "rsi",
        "rdi", "0",   "rip", "cs",  "rflags", "rsp", "ss", "fs_base", "gs_base", "0",       "0",   "0",   "0"}},
  };
  for (const CoreArch& a : kArchs)
    if (name == a.name) return &a;
  return nullptr;
}

// The signal a Linux process would have died of, for gdb's "terminated with".
uint32_t signal_of(const std::string& kind) {
  if (kind == "vm") return 11;              // SIGSEGV
  if (kind == "user-exception") return 4;   // SIGILL
  if (kind == "debug") return 5;            // SIGTRAP
  if (kind == "cap" || kind == "syscall") return 31;  // SIGSYS
  if (kind == "timeout") return 24;         // SIGXCPU
  return 6;                                 // SIGABRT
}

template <class T>
void put(std::vector<uint8_t>& out, uint64_t at, T v) {
  std::memcpy(out.data() + at, &v, sizeof v);
}

uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint64_t reg_value(const FaultReport& r, const CoreArch& a, const char* name) {
  if (std::string(name) == "0") return 0;
  if (a.machine == 62 && std::string(name) == "cs") return 0x33;  // 64-bit user code segment
  if (a.machine == 62 && std::string(name) == "ss") return 0x2b;
  return r.reg(name).value_or(0);
}

std::vector<uint8_t> prstatus(const FaultReport& r, const CoreArch& a) {
  std::vector<uint8_t> d(align(kPrRegOffset + 8 * a.regs.size() + 4, 8), 0);
  put<uint32_t>(d, 0, signal_of(r.kind));   // si_signo
  put<uint16_t>(d, 12, uint16_t(signal_of(r.kind)));  // pr_cursig
  put<uint32_t>(d, 32, 1);                  // pr_pid
  for (size_t i = 0; i < a.regs.size(); ++i) put<uint64_t>(d, kPrRegOffset + 8 * i, reg_value(r, a, a.regs[i]));
  return d;
}

std::vector<uint8_t> prpsinfo(const FaultReport& r) {
  std::vector<uint8_t> d(kPrpsinfoSize, 0);
  d[1] = 'T';  // pr_sname: stopped
  put<uint32_t>(d, 24, 1);  // pr_pid
  std::memcpy(d.data() + 40, r.pd.data(), std::min<size_t>(r.pd.size(), 15));  // pr_fname
  std::memcpy(d.data() + 56, r.pd.data(), std::min<size_t>(r.pd.size(), 79));  // pr_psargs
  return d;
}

void append_note(std::vector<uint8_t>& notes, uint32_t type, const std::vector<uint8_t>& desc) {
  uint64_t at = notes.size();
  notes.resize(at + 12 + 8 + align(desc.size(), 4), 0);
  put<uint32_t>(notes, at, 5);  // "CORE\0"
  put<uint32_t>(notes, at + 4, uint32_t(desc.size()));
  put<uint32_t>(notes, at + 8, type);
  std::memcpy(notes.data() + at + 12, "CORE", 5);
  std::memcpy(notes.data() + at + 20, desc.data(), desc.size());
}

void put_ehdr(std::vector<uint8_t>& out, const CoreArch& a, uint16_t phnum) {
  const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};  // 64-bit, little-endian, SysV
  std::memcpy(out.data(), ident, sizeof ident);
  put<uint16_t>(out, 16, 4);  // ET_CORE
  put<uint16_t>(out, 18, a.machine);
  put<uint32_t>(out, 20, 1);  // EV_CURRENT
  put<uint64_t>(out, 32, kEhdrSize);  // e_phoff
  put<uint32_t>(out, 48, a.flags);
  put<uint16_t>(out, 52, kEhdrSize);
  put<uint16_t>(out, 54, kPhdrSize);
  put<uint16_t>(out, 56, phnum);
  put<uint16_t>(out, 58, 64);  // e_shentsize (no sections)
}

struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, filesz, memsz, align;
};

void put_phdr(std::vector<uint8_t>& out, uint64_t at, const Phdr& p) {
  put<uint32_t>(out, at, p.type);
  put<uint32_t>(out, at + 4, p.flags);
  put<uint64_t>(out, at + 8, p.offset);
  put<uint64_t>(out, at + 16, p.vaddr);
  put<uint64_t>(out, at + 24, 0);  // p_paddr
  put<uint64_t>(out, at + 32, p.filesz);
  put<uint64_t>(out, at + 40, p.memsz);
  put<uint64_t>(out, at + 48, p.align);
}

}  // namespace

std::optional<std::vector<uint8_t>> write_core(const FaultReport& report, std::string& why) {
  // 1. notes; 2. size the file; 3. headers; 4. pages.
  const CoreArch* a = core_arch(report.arch);
  if (a == nullptr) {
    why = "architecture '" + report.arch + "' has no core file layout here";
    return std::nullopt;
  }
  if (report.regs.empty()) {
    why = "the report has no registers (the log was cut before them)";
    return std::nullopt;
  }
  std::vector<uint8_t> notes;
  append_note(notes, kNtPrstatus, prstatus(report, *a));
  append_note(notes, kNtPrpsinfo, prpsinfo(report));
  uint16_t phnum = uint16_t(1 + report.pages.size());
  uint64_t notes_at = kEhdrSize + kPhdrSize * phnum;
  uint64_t pages_at = align(notes_at + notes.size(), kPage);
  std::vector<uint8_t> out(pages_at + kPage * report.pages.size(), 0);
  put_ehdr(out, *a, phnum);
  put_phdr(out, kEhdrSize, {4 /* PT_NOTE */, 0, notes_at, 0, notes.size(), 0, 4});
  std::memcpy(out.data() + notes_at, notes.data(), notes.size());
  uint64_t k = 0;
  for (const auto& [vaddr, bytes] : report.pages) {
    uint64_t at = pages_at + kPage * k;
    put_phdr(out, kEhdrSize + kPhdrSize * (1 + k), {1 /* PT_LOAD */, 6 /* RW */, at, vaddr, kPage, kPage, kPage});
    std::memcpy(out.data() + at, bytes.data(), kPage);
    ++k;
  }
  return out;
}

}  // namespace microkit::debug
