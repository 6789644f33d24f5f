// The debugging verbs (docs/debugging.md), which read a serial log rather
// than build a system:
//
//   microkit symbolize LOG [SYSTEM] [--search-path DIR]... [--elf PD=FILE]...
//   microkit coredump LOG [-o DIR]
//
// `symbolize` prints each fault report of the log (runtime/shared/
// crash_dump.h) with every backtrace frame as function, file and line, from
// the faulting PD's ELF: named by --elf, or found as SYSTEM's
// <program_image> through the search path. `coredump` writes DIR/<pd>.core
// (default DIR: the current directory) for each report, an ELF core file
// gdb-multiarch opens with the PD's ELF.
#include "driver/debug_commands.h"

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "debug/core_file.h"
#include "debug/crash_log.h"
#include "debug/symbolizer.h"
#include "driver/files.h"
#include "driver/inputs.h"
#include "driver/options.h"
#include "driver/print.h"
#include "sdf/parse.h"

namespace microkit::driver {
namespace {

struct DebugArgs {
  std::string log;
  std::optional<std::string> system;
  std::vector<std::string> search_paths;
  std::map<std::string, std::string> elves;  // --elf PD=FILE
  std::string output_dir = ".";
};

void usage_error(Diagnostics& diags, const std::string& what) {
  diags.error("debug-usage", kToolName, {}, what,
              "usage: microkit symbolize LOG [SYSTEM] [--search-path DIR]... [--elf PD=FILE]...; "
              "microkit coredump LOG [-o DIR]");
}

// Returns false (with a diagnostic) on a malformed command line.
bool parse_debug_args(const std::vector<std::string>& args, DebugArgs& out, Diagnostics& diags) {
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    if ((a == "--search-path" || a == "--elf" || a == "-o") && !has_value) {
      usage_error(diags, "'" + a + "' needs a value");
      return false;
    }
    if (a == "--search-path") {
      out.search_paths.push_back(args[++i]);
    } else if (a == "--elf") {
      std::string v = args[++i];
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        usage_error(diags, "'--elf " + v + "' is not PD=FILE");
        return false;
      }
      out.elves[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (a == "-o") {
      out.output_dir = args[++i];
    } else if (!a.empty() && a[0] == '-') {
      usage_error(diags, "unknown option '" + a + "'");
      return false;
    } else {
      positional.push_back(a);
    }
  }
  if (positional.empty() || positional.size() > 2) {
    usage_error(diags, "'microkit " + args[0] + "' takes a serial log" +
                           (args[0] == "symbolize" ? std::string(" and optionally the system description") : ""));
    return false;
  }
  out.log = positional[0];
  if (positional.size() == 2) out.system = positional[1];
  return true;
}

std::string absolute(const std::string& path, const Environment& env) {
  return !path.empty() && path[0] == '/' ? path : env.cwd + "/" + path;
}

// PD name -> ELF path: SYSTEM's program images (found through the search
// path), then --elf, which wins.
std::map<std::string, std::string> program_paths(const DebugArgs& a, const Environment& env, Diagnostics& diags) {
  std::map<std::string, std::string> out;
  if (a.system) {
    std::string why;
    std::string path = absolute(*a.system, env);
    auto text = read_file(path, why);
    if (!text) {
      diags.error("cannot-read-system", *a.system, {}, "cannot read the system description: " + why);
      return out;
    }
    Diagnostics parse_diags;
    auto sd = sdf::parse(*text, *a.system, parse_diags);
    diags.append(parse_diags);
    auto dirs = search_dirs(a.search_paths, env.cwd);
    for (const auto& pd : sd ? sd->pds : std::vector<sdf::ProtectionDomain>{}) {
      if (!pd.program_image) continue;
      if (auto found = resolve_path(pd.program_image->path, dirs)) out[pd.name] = *found;
    }
  }
  for (const auto& [pd, file] : a.elves) out[pd] = absolute(file, env);
  return out;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void put_summary(const debug::FaultReport& r, std::string& out) {
  out += "PD '" + r.pd + "' (" + r.arch + ", log line " + std::to_string(r.line) + "): ";
  if (r.kind == "vm") out += "VM fault, " + r.access + " at address " + hex(r.address);
  else out += r.kind + " fault";
  out += ", pc " + hex(r.pc) + (r.complete ? "" : " (the report is cut short)") + "\n";
}

void put_registers(const debug::FaultReport& r, std::string& out) {
  if (r.regs.empty()) return;
  out += "  registers:\n";
  for (size_t i = 0; i < r.regs.size(); ++i) {
    std::string cell = r.regs[i].first + "=" + hex(r.regs[i].second);
    cell.resize(std::max<size_t>(cell.size() + 1, 28), ' ');
    out += (i % 4 == 0 ? "    " : "") + cell;
    if (i % 4 == 3 || i + 1 == r.regs.size()) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += "\n";
    }
  }
}

// x86-64 keeps a return address at the stack pointer until the function
// pushes its frame pointer (and again after it popped it): the word at rsp,
// when the crash dump has the stack.
std::optional<uint64_t> word_at_sp(const debug::FaultReport& r) {
  auto sp = r.reg("rsp");
  if (!sp || *sp % 8) return std::nullopt;
  auto page = r.pages.find(*sp & ~uint64_t{4095});
  if (page == r.pages.end()) return std::nullopt;
  uint64_t v = 0;
  std::memcpy(&v, page->second.data() + (*sp & 4095), sizeof v);
  return v;
}

// The frames with the faulting function's caller added where the frame
// records miss it: a fault in a function that has not saved its return
// address in a frame record yet (or no longer, after its epilogue) leaves
// its caller in the link register only (AArch64 x30, RISC-V ra), or at the
// stack pointer (x86-64). It is that caller when it points outside the
// faulting function and is not the first record's.
std::vector<uint64_t> frames_with_link(const debug::FaultReport& r, const debug::Symbolizer* sym) {
  std::vector<uint64_t> frames = r.frames;
  auto lr = r.arch == "aarch64" ? r.reg("x30") : r.arch == "riscv64" ? r.reg("ra") : word_at_sp(r);
  if (!sym || !lr || *lr == 0 || frames.empty()) return frames;
  if (frames.size() > 1 && frames[1] == *lr) return frames;
  auto here = sym->function_start(frames[0]);
  auto there = sym->function_start(*lr - 1);
  if (!there || here == there) return frames;
  frames.insert(frames.begin() + 1, *lr);
  return frames;
}

// Return addresses point after the call: one byte back lands inside it.
void put_backtrace(const debug::FaultReport& r, const debug::Symbolizer* sym, std::string& out) {
  out += "  backtrace:\n";
  std::vector<uint64_t> frames = frames_with_link(r, sym);
  for (size_t i = 0; i < frames.size(); ++i) {
    uint64_t lookup = i == 0 ? frames[i] : frames[i] - 1;
    std::string where = sym ? debug::describe(sym->at(lookup)) : "??";
    out += "    #" + std::to_string(i) + " " + hex(frames[i]) + " in " + where + "\n";
  }
}

int symbolize(const DebugArgs& a, const std::vector<debug::FaultReport>& reports, const Environment& env,
              Result& result) {
  Diagnostics diags;
  auto programs = program_paths(a, env, diags);
  print_diagnostics(diags, result.err);
  if (diags.has_errors()) return kExitUserError;
  for (const auto& r : reports) {
    put_summary(r, result.out);
    put_registers(r, result.out);
    auto elf = programs.find(r.pd);
    std::unique_ptr<debug::Symbolizer> sym;
    if (elf != programs.end()) sym = std::make_unique<debug::Symbolizer>(elf->second);
    if (elf == programs.end())
      result.err += "microkit: warning: no program for PD '" + r.pd +
                    "': give the system description and --search-path, or --elf " + r.pd + "=FILE\n";
    else if (!sym->ok())
      result.err += "microkit: warning: cannot read the symbols of " + elf->second + "\n";
    put_backtrace(r, sym && sym->ok() ? sym.get() : nullptr, result.out);
    if (!r.pages.empty())
      result.out += "  crash dump: " + std::to_string(r.pages.size()) +
                    " pages of memory ('microkit coredump' writes them into a core file)\n";
  }
  return kExitOk;
}

int coredump(const DebugArgs& a, const std::vector<debug::FaultReport>& reports, const Environment& env,
             Result& result) {
  int exit_code = kExitOk;
  std::map<std::string, int> seen;  // a PD that faulted twice gets <pd>.2.core, ...
  for (const auto& r : reports) {
    std::string why;
    auto bytes = debug::write_core(r, why);
    if (!bytes) {
      result.err += "microkit: error: PD '" + r.pd + "' (log line " + std::to_string(r.line) + "): " + why + "\n";
      exit_code = kExitUserError;
      continue;
    }
    int n = ++seen[r.pd];
    std::string name = r.pd + (n > 1 ? "." + std::to_string(n) : "") + ".core";
    std::string path = absolute(a.output_dir, env) + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
    if (!f) {
      result.err += "microkit: error: cannot write " + path + "\n";
      exit_code = kExitUserError;
      continue;
    }
    result.out += "wrote " + path + " (PD '" + r.pd + "', " + std::to_string(r.pages.size()) + " pages)\n";
  }
  return exit_code;
}

}  // namespace

std::optional<int> run_debug_command(const std::vector<std::string>& args, const Environment& env,
                                     Result& result) {
  if (args.empty() || (args[0] != "symbolize" && args[0] != "coredump")) return std::nullopt;
  Diagnostics diags;
  DebugArgs a;
  if (!parse_debug_args(args, a, diags)) {
    print_diagnostics(diags, result.err);
    return kExitUserError;
  }
  std::string why;
  auto log = read_file(absolute(a.log, env), why);
  if (!log) {
    result.err += "microkit: error: cannot read the log " + a.log + ": " + why + "\n";
    return kExitUserError;
  }
  auto reports = debug::parse_crash_log(*log);
  if (reports.empty()) {
    result.err += "microkit: error: " + a.log + " holds no fault report (\"mk-fault\" lines): "
                  "faults are reported by debug configurations\n";
    return kExitUserError;
  }
  return args[0] == "symbolize" ? symbolize(a, reports, env, result) : coredump(a, reports, env, result);
}

}  // namespace microkit::driver
