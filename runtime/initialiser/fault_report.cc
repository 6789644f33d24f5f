// fault_report.cc: see fault_report.h.
#include "runtime/initialiser/fault_report.h"

#include <stddef.h>

#include "runtime/initialiser/arch.h"
#include "runtime/initialiser/print.h"
#include "runtime/initialiser/spec_decode.h"
#include "runtime/shared/crash_dump.h"
#include "runtime/shared/fault_decode.h"
#include "runtime/shared/fault_symbols.h"

namespace microkit::initialiser {
namespace {

namespace spec = microkit::initialiser_spec;
namespace cd = microkit::crash_dump;
namespace fd = microkit::fault_decode;

constexpr uint64_t kPage = 4096;
constexpr uint32_t kRegCount = sizeof(seL4_UserContext) / sizeof(seL4_Word);

#if defined(__aarch64__)
constexpr const char* kArchName = "aarch64";
constexpr const auto& kRegNames = cd::kAarch64Regs;
constexpr cd::FrameRecord kFrame = cd::kAarch64Frame;
static_assert(offsetof(seL4_UserContext, x29) / 8 == cd::kAarch64Frame.fp_index);
static_assert(offsetof(seL4_UserContext, x30) / 8 == 16 && offsetof(seL4_UserContext, x9) / 8 == 17);
static_assert(offsetof(seL4_UserContext, tpidrro_el0) / 8 == 35);
#elif defined(__riscv)
constexpr const char* kArchName = "riscv64";
constexpr const auto& kRegNames = cd::kRiscv64Regs;
constexpr cd::FrameRecord kFrame = cd::kRiscv64Frame;
static_assert(offsetof(seL4_UserContext, s0) / 8 == cd::kRiscv64Frame.fp_index);
static_assert(offsetof(seL4_UserContext, a0) / 8 == 16 && offsetof(seL4_UserContext, tp) / 8 == 31);
#elif defined(__x86_64__)
constexpr const char* kArchName = "x86_64";
constexpr const auto& kRegNames = cd::kX86_64Regs;
constexpr cd::FrameRecord kFrame = cd::kX86_64Frame;
static_assert(offsetof(seL4_UserContext, rbp) / 8 == cd::kX86_64Frame.fp_index);
static_assert(offsetof(seL4_UserContext, r8) / 8 == 10 && offsetof(seL4_UserContext, gs_base) / 8 == 19);
#endif
static_assert(sizeof kRegNames / sizeof kRegNames[0] == kRegCount, "crash_dump.h names every register");

// The window: one page of .bss. Its user-image frame is unmapped on first
// use so that PD frames can be mapped there in turn.
alignas(kPage) uint8_t g_window[kPage];
bool g_window_open = false;
uint64_t g_mapped = 0;  // root slot of the frame mapped at the window now; 0 = none

bool open_window(const spec::SpecHeader& h) {
  if (g_window_open) return true;
  uint64_t slot = h.user_image_frames_start + (reinterpret_cast<uint64_t>(g_window) - h.user_image_vaddr) / kPage;
  g_window_open = arch::unmap_frame(slot) == seL4_NoError;
  return g_window_open;
}

void close_window() {
  if (g_mapped != 0) arch::unmap_frame(g_mapped);
  g_mapped = 0;
}

// The window showing `frame`, or nullptr.
const volatile uint8_t* show(const spec::SpecHeader& h, uint64_t frame) {
  if (g_mapped == frame) return g_window;
  close_window();
  if (!open_window(h)) return nullptr;
  if (arch::map_for_copy(frame, reinterpret_cast<seL4_Word>(g_window)) != seL4_NoError) return nullptr;
  g_mapped = frame;
  return g_window;
}

// PD `pd`'s FaultPage step for the page at `vaddr` with `flag`, if any.
bool find_page(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd, uint64_t vaddr, uint32_t flag,
               uint64_t* frame) {
  for (uint64_t n = 0; n < h.step_count; ++n) {
    auto s = read_at<spec::Step>(bytes, h.step_offset + n * spec::kStepSize);
    if (s.kind != uint32_t(spec::StepKind::FaultPage) || !(s.small & flag)) continue;
    if (s.arg[0] != pd || s.arg[2] != vaddr) continue;
    *frame = s.arg[1];
    return true;
  }
  return false;
}

bool read_stack_word(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd, uint64_t vaddr, uint64_t* out) {
  uint64_t frame = 0;
  if (vaddr % 8 != 0 || !find_page(bytes, h, pd, vaddr & ~(kPage - 1), spec::kFaultPageStack, &frame)) return false;
  const volatile uint8_t* w = show(h, frame);
  if (w == nullptr) return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | w[(vaddr & (kPage - 1)) + i];
  *out = v;
  return true;
}

bool has_crash_dump(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd) {
  for (uint64_t n = 0; n < h.step_count; ++n) {
    auto s = read_at<spec::Step>(bytes, h.step_offset + n * spec::kStepSize);
    if (s.kind == uint32_t(spec::StepKind::CrashDump) && s.arg[0] == pd) return true;
  }
  return false;
}

void line(const char* what) {
  print::put(cd::kLinePrefix);
  print::put(what);
}

// The one-word kind of crash_dump.h's "what" line.
const char* kind_word(fd::Kind k) {
  switch (k) {
    case fd::Kind::Vm: return "vm";
    case fd::Kind::Cap: return "cap";
    case fd::Kind::UserException: return "user-exception";
    case fd::Kind::UnknownSyscall: return "syscall";
    case fd::Kind::Timeout: return "timeout";
    case fd::Kind::DebugException: return "debug";
    default: return "other";
  }
}

void put_words(const fd::Fault& f) {
  line("what ");
  print::put(kind_word(f.kind));
  print::put(" access ");
  print::put(fd::access_name(f.access));
  print::put(" address ");
  print::hex(f.address);
  print::put(" pc ");
  print::hex(f.pc);
  print::put("\n");
}

void put_registers(const seL4_Word* regs) {
  for (uint32_t i = 0; i < kRegCount; ++i) {
    if (i % 4 == 0) line("regs");
    print::put(" ");
    print::put(kRegNames[i]);
    print::put("=");
    print::hex(regs[i]);
    if (i % 4 == 3 || i + 1 == kRegCount) print::put("\n");
  }
}

// PD `pd`'s fault symbol table (the spec checked it lies inside), or an
// empty one.
struct Symbols {
  const uint8_t* table = nullptr;
  uint64_t size = 0;
};

Symbols symbols_of(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd) {
  auto e = read_at<spec::PdEntry>(bytes, h.pd_offset + pd * sizeof(spec::PdEntry));
  if (e.symbols_size == 0) return {};
  return {bytes + e.symbols_offset, e.symbols_size};
}

// Hex without leading zeros, for offsets into a function.
void short_hex(uint64_t v) {
  print::put("0x");
  int shift = 60;
  while (shift > 0 && (v >> shift) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) print::put_char("0123456789abcdef"[(v >> shift) & 0xf]);
}

// " function+0xoff (file:line)" for the frame at `pc`; a return address
// (frames after 0) is looked up one byte back, inside its call, as
// `microkit symbolize` does.
void put_symbol(const Symbols& sym, uint64_t pc, bool return_address) {
  if (sym.table == nullptr) return;
  uint64_t at = return_address ? pc - 1 : pc;
  microkit::fault_symbols::Place p = microkit::fault_symbols::lookup(sym.table, sym.size, at);
  if (p.function == nullptr && p.file == nullptr) return;
  print::put(" ");
  print::put(p.function ? p.function : "??");
  if (p.function) {
    print::put("+");
    short_hex(p.offset + (return_address ? 1 : 0));
  }
  if (p.file == nullptr) return;
  print::put(" (");
  print::put(p.file);
  print::put(":");
  print::dec(p.line);
  print::put(")");
}

void put_frame(const Symbols& sym, uint32_t n, uint64_t pc) {
  line("frame ");
  print::dec(n);
  print::put(" ");
  print::hex(pc);
  put_symbol(sym, pc, n > 0);
  print::put("\n");
}

// Frame 0 is the faulting pc; then each frame record {caller's frame
// pointer, return address}, which must lie in the PD's stack pages at
// rising addresses (a chain that leaves them, or loops, stops the walk).
void put_backtrace(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd, const seL4_Word* regs) {
  Symbols sym = symbols_of(bytes, h, pd);
  put_frame(sym, 0, regs[kFrame.pc_index]);
  uint64_t fp = regs[kFrame.fp_index];
  uint64_t floor = regs[kFrame.sp_index];
  for (uint32_t n = 1; n < cd::kMaxFrames && fp != 0; ++n) {
    uint64_t record = fp + kFrame.record_offset;
    uint64_t caller_fp = 0, ret = 0;
    if (record < floor || !read_stack_word(bytes, h, pd, record, &caller_fp) ||
        !read_stack_word(bytes, h, pd, record + 8, &ret) || ret == 0)
      return;
    put_frame(sym, n, ret);
    floor = record + 16;
    fp = caller_fp;
  }
}

void put_dump_page(const spec::SpecHeader& h, uint64_t frame, uint64_t vaddr) {
  const volatile uint8_t* w = show(h, frame);
  if (w == nullptr) return;
  line("page ");
  print::hex(vaddr);
  print::put("\n");
  for (uint64_t at = 0; at < kPage; at += cd::kDumpLineBytes) {
    bool zero = true;
    for (uint32_t i = 0; i < cd::kDumpLineBytes && zero; ++i) zero = w[at + i] == 0;
    if (zero) continue;
    line("mem ");
    print::hex(vaddr + at);
    print::put(" ");
    for (uint32_t i = 0; i < cd::kDumpLineBytes; ++i) {
      print::put_char("0123456789abcdef"[w[at + i] >> 4]);
      print::put_char("0123456789abcdef"[w[at + i] & 0xf]);
    }
    print::put("\n");
  }
}

void put_dump(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd) {
  for (uint64_t n = 0; n < h.step_count; ++n) {
    auto s = read_at<spec::Step>(bytes, h.step_offset + n * spec::kStepSize);
    if (s.kind == uint32_t(spec::StepKind::FaultPage) && (s.small & spec::kFaultPageDump) && s.arg[0] == pd)
      put_dump_page(h, s.arg[1], s.arg[2]);
  }
}

void put_pd_line(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd) {
  auto e = read_at<spec::PdEntry>(bytes, h.pd_offset + pd * sizeof(spec::PdEntry));
  line("pd ");
  print::put_n(reinterpret_cast<const char*>(bytes + h.strings_offset + e.name_offset), e.name_size);
  print::put(" arch ");
  print::put(kArchName);
  print::put("\n");
}

}  // namespace

void report_details(const uint8_t* bytes, const spec::SpecHeader& h, uint64_t pd, seL4_CPtr tcb,
                    seL4_MessageInfo_t tag) {
  if constexpr (!print::kEnabled) return;
  // 1. the fault's words, before any call overwrites the message registers;
  // 2. registers; 3. backtrace; 4. crash dump (crash_dump PDs).
  uint64_t mr[seL4_MsgMaxLength < 20 ? seL4_MsgMaxLength : 20];
  uint32_t count = seL4_MessageInfo_get_length(tag);
  if (count > sizeof mr / sizeof mr[0]) count = sizeof mr / sizeof mr[0];
  for (uint32_t i = 0; i < count; ++i) mr[i] = seL4_GetMR(i);
  fd::Fault f = fd::decode(fd::kThisArch, seL4_MessageInfo_get_label(tag), mr, count);
  put_pd_line(bytes, h, pd);
  put_words(f);
  seL4_UserContext ctx = {};
  if (seL4_TCB_ReadRegisters(tcb, seL4_False, 0, kRegCount, &ctx) == seL4_NoError) {
    const auto* regs = reinterpret_cast<const seL4_Word*>(&ctx);
    put_registers(regs);
    put_backtrace(bytes, h, pd, regs);
  }
  if (has_crash_dump(bytes, h, pd)) put_dump(bytes, h, pd);
  close_window();
  line("end\n");
}

}  // namespace microkit::initialiser
