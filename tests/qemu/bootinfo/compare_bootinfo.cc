// compare_bootinfo: checks the tool's boot emulation against a real boot.
//
//   compare_bootinfo --package <kernel package dir> --log <file>
//
// <file> is the output of qemu_boot_test.sh for bootinfo_task: it holds the
// boot registers make_boot_image chose ("boot registers: x0=0x... x5=0x...")
// and the UART, where bootinfo_task printed the kernel's BootInfo
// ("bootinfo: ..." lines, format in bootinfo_task.cc). The registers are the
// loader's arguments to the kernel, so they are exactly the BootInputs of
// emulate_boot(): user image [x0, x1) at virtual x0 - x2, DTB at x4 (x5
// bytes). Prints the predicted and observed untyped lists side by side and
// exits 0 when every fact matches, 1 when any differs, 2 on bad input.
// When the emulation predicts that the kernel refuses the layout, the kernel
// must have failed to boot with the matching error message.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/boot_emulation.h"
#include "kernel/kernel_package.h"
#include "support/diagnostics.h"

namespace {

using microkit::Diagnostics;
using namespace microkit::kernel;

struct Observed {
  std::map<std::string, uint64_t> facts;                // frame, extraLen, ipcBuffer, ...
  std::map<std::string, SlotRegion> regions;            // untyped, empty, ...
  std::vector<UntypedObject> untypeds;
  std::optional<uint64_t> rootserver_tcb_pptr;          // from the kernel's halt message
  bool complete = false;
  std::vector<std::string> kernel_errors;               // "ERROR: ..." lines of a failed boot
  bool kernel_failed = false;
};

std::optional<uint64_t> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (*end != '\0') return std::nullopt;
  return v;
}

// "boot registers: x0=0x... x1=0x... ..." -> {0: value, 1: value, ...}
std::map<int, uint64_t> parse_registers(const std::string& line) {
  std::map<int, uint64_t> regs;
  std::istringstream in(line.substr(line.find(':') + 1));
  std::string word;
  while (in >> word) {
    if (word.size() < 4 || word[0] != 'x' || word[2] != '=') continue;
    if (auto v = number(word.substr(3))) regs[word[1] - '0'] = *v;
  }
  return regs;
}

void parse_bootinfo_line(const std::string& rest, Observed& o) {
  std::istringstream in(rest);
  std::string name, a, b, c;
  in >> name >> a >> b >> c;
  if (name == "end") {
    o.complete = true;
  } else if (name == "ut") {
    auto paddr = number(a), bits = number(b), dev = number(c);
    if (paddr && bits && dev) {
      o.untypeds.push_back({*paddr, static_cast<uint8_t>(*bits), *dev != 0});
    }
  } else if (!b.empty()) {
    auto s = number(a), e = number(b);
    if (s && e) o.regions[name] = {*s, *e};
  } else if (auto v = number(a)) {
    o.facts[name] = *v;
  }
}

struct Log {
  std::map<int, uint64_t> registers;
  Observed observed;
};

std::optional<Log> read_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Log log;
  std::string line;
  const std::string bi = "bootinfo: ";
  const std::string halt = "Debug halt syscall from user thread ";
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("boot registers:", 0) == 0) log.registers = parse_registers(line);
    size_t at = line.find(bi);
    if (at != std::string::npos) parse_bootinfo_line(line.substr(at + bi.size()), log.observed);
    if (line.rfind("ERROR: ", 0) == 0) log.observed.kernel_errors.push_back(line);
    if (line.find("kernel init failed") != std::string::npos) log.observed.kernel_failed = true;
    at = line.find(halt);
    if (at != std::string::npos) {
      std::istringstream rest(line.substr(at + halt.size()));
      std::string word;
      rest >> word;
      log.observed.rootserver_tcb_pptr = number(word);
    }
  }
  return log;
}

std::string ut_text(const UntypedObject& u) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%010" PRIx64 " %2d %s", u.paddr, u.size_bits,
                u.is_device ? "device" : "normal");
  return buf;
}

// Prints both lists, marking each differing line; returns the mismatches.
int compare_untypeds(const std::vector<UntypedObject>& predicted,
                     const std::vector<UntypedObject>& observed) {
  int mismatches = 0;
  std::printf("  #   predicted                     observed\n");
  size_t n = std::max(predicted.size(), observed.size());
  for (size_t i = 0; i < n; ++i) {
    std::string p = i < predicted.size() ? ut_text(predicted[i]) : "-";
    std::string o = i < observed.size() ? ut_text(observed[i]) : "-";
    bool same = i < predicted.size() && i < observed.size() && predicted[i] == observed[i];
    if (!same) ++mismatches;
    std::printf("%3zu   %-28s  %-28s%s\n", i, p.c_str(), o.c_str(), same ? "" : "   <-- differs");
  }
  return mismatches;
}

int compare_fact(const char* name, uint64_t predicted, std::optional<uint64_t> observed) {
  bool same = observed && *observed == predicted;
  char seen[24] = "(missing)";
  if (observed) std::snprintf(seen, sizeof seen, "0x%" PRIx64, *observed);
  std::printf("%-24s predicted 0x%" PRIx64 "  observed %s%s\n", name, predicted, seen,
              same ? "" : "   <-- differs");
  return same ? 0 : 1;
}

int compare_region(const Observed& o, const char* name, SlotRegion predicted) {
  auto it = o.regions.find(name);
  bool same = it != o.regions.end() && it->second == predicted;
  std::printf("%-24s predicted [%" PRIu64 "..%" PRIu64 ")  observed ", name, predicted.start,
              predicted.end);
  if (it == o.regions.end()) {
    std::printf("(missing)");
  } else {
    std::printf("[%" PRIu64 "..%" PRIu64 ")", it->second.start, it->second.end);
  }
  std::printf("%s\n", same ? "" : "   <-- differs");
  return same ? 0 : 1;
}

std::optional<uint64_t> fact(const Observed& o, const char* name) {
  auto it = o.facts.find(name);
  if (it == o.facts.end()) return std::nullopt;
  return it->second;
}

int compare(const BootFacts& facts, const BootResult& r, const Observed& o) {
  int bad = 0;
  bad += compare_fact("frame", r.bootinfo_vaddr, fact(o, "frame"));
  bad += compare_fact("ipcBuffer", r.ipc_buffer_vaddr, fact(o, "ipcBuffer"));
  bad += compare_fact("extraLen", r.extra_bootinfo_size, fact(o, "extraLen"));
  bad += compare_region(o, "userImagePaging", r.user_image_paging);
  bad += compare_region(o, "extraBIPages", r.extra_bootinfo_pages);
  bad += compare_region(o, "schedcontrol", r.sched_control);
  bad += compare_region(o, "userImageFrames", r.user_image_frames);
  bad += compare_region(o, "untyped", r.untyped);
  bad += compare_region(o, "empty", r.empty);
  if (o.rootserver_tcb_pptr) {
    // The kernel names the thread by its tcb_t, which sits at TCB_OFFSET
    // (half the TCB object) inside the object, in the kernel window.
    uint64_t tcb = *o.rootserver_tcb_pptr - facts.pptr_offset - (uint64_t{1} << (facts.tcb_bits - 1));
    bad += compare_fact("rootserver TCB", r.rootserver.tcb, tcb);
  }
  bad += compare_untypeds(r.untypeds, o.untypeds);
  return bad;
}

// What the kernel prints for each refusal the emulation predicts.
const char* kernel_message_for(const std::string& id) {
  static const std::map<std::string, const char*> messages = {
      {"boot-freemem-regions-exhausted", "MAX_NUM_FREEMEM_REG"},
      {"boot-out-of-memory-for-rootserver", "no free memory region is big enough"},
      {"boot-reserved-regions-out-of-order", "in wrong order"},
      {"boot-user-image-above-user-top", "exceeds USER_TOP"},
      {"boot-dtb-outside-kernel-window", "exceeds PADDR_TOP"},
      {"boot-root-cnode-full", "can't add another cap"},
      {"boot-reserved-regions-exhausted", "MAX_NUM_RESV_REG"},
  };
  auto it = messages.find(id);
  return it == messages.end() ? nullptr : it->second;
}

// The emulation said the kernel would refuse this layout: the kernel must
// have refused it too, for the same reason.
int compare_refusal(const Diagnostics& diags, const Observed& o) {
  std::printf("emulate_boot predicts that the kernel refuses this layout:\n");
  for (const auto& d : diags.all()) std::printf("  %s\n", microkit::render(d).c_str());
  std::printf("the kernel printed:\n");
  for (const std::string& e : o.kernel_errors) std::printf("  %s\n", e.c_str());
  if (!o.kernel_failed) {
    std::printf("FAIL: the kernel booted\n");
    return 1;
  }
  for (const auto& d : diags.all()) {
    const char* expected = kernel_message_for(d.id);
    if (!expected) continue;
    for (const std::string& e : o.kernel_errors) {
      if (e.find(expected) != std::string::npos) {
        std::printf("PASS: both refuse (%s)\n", d.id.c_str());
        return 0;
      }
    }
  }
  std::printf("FAIL: the kernel refused for another reason\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string package_dir, log_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--package") package_dir = argv[i + 1];
    else if (a == "--log") log_path = argv[i + 1];
  }
  if (package_dir.empty() || log_path.empty()) {
    std::cerr << "usage: compare_bootinfo --package <kernel package dir> --log <file>\n";
    return 2;
  }
  std::optional<Log> log = read_log(log_path);
  if (!log || log->registers.size() != 6 || !(log->observed.complete || log->observed.kernel_failed)) {
    std::cerr << log_path << ": no boot registers, and neither a complete bootinfo listing "
                             "nor a failed kernel boot\n";
    return 2;
  }
  Diagnostics diags;
  std::optional<KernelPackage> pkg = load_kernel_package(package_dir, diags);
  std::optional<BootFacts> facts = pkg ? boot_facts(*pkg, diags) : std::nullopt;
  BootInputs in;
  in.user_image = {log->registers[0], log->registers[1]};
  in.user_image_vaddr = log->registers[0] - log->registers[2];
  in.dtb_paddr = log->registers[4];
  in.dtb_size = log->registers[5];
  std::optional<BootResult> result = facts ? emulate_boot(*facts, in, diags) : std::nullopt;
  if (!facts) {
    for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
    return 2;
  }
  if (!result) return compare_refusal(diags, log->observed);
  for (const auto& d : diags.all()) std::cerr << microkit::render(d) << "\n";
  if (log->observed.kernel_failed) {
    std::printf("FAIL: emulate_boot predicts a successful boot, but the kernel refused:\n");
    for (const std::string& e : log->observed.kernel_errors) std::printf("  %s\n", e.c_str());
    return 1;
  }
  int bad = compare(*facts, *result, log->observed);
  std::printf("%s: %d difference(s) between emulate_boot and the kernel\n",
              bad == 0 ? "PASS" : "FAIL", bad);
  return bad == 0 ? 0 : 1;
}
