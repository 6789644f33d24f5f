// Reading a kernel package: each file has one reader; load_kernel_package
// runs them and collects every problem before giving up, so that a broken
// package is described in one go.

#include "kernel/kernel_package.h"

#include "arch/arch.h"

#include <elf.h>

#include <filesystem>

#include "board/json_text.h"
#include "elf/elf_file.h"
#include "kernel/header_defines.h"

namespace microkit::kernel {

using json_text::Json;
namespace fs = std::filesystem;

std::optional<std::string> KernelConfig::get(std::string_view key) const {
  auto it = raw.find(std::string(key));
  if (it == raw.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> KernelPackage::label(std::string_view invocation) const {
  auto it = invocation_labels.find(std::string(invocation));
  if (it == invocation_labels.end()) return std::nullopt;
  return it->second;
}

namespace {

uint64_t kernel_wcet_us(const KernelConfig& c) { return c.platform == "tk1" ? 100 : 10; }

// The kernel's usToTicks(): by whole MHz when the frequency is one, else by kHz.
uint64_t us_to_ticks(uint64_t hz, uint64_t us) {
  if (hz % 1000000 == 0) return us * (hz / 1000000);
  return us * (hz / 1000) / 1000;
}

}  // namespace

std::optional<SchedTimeLimits> sched_time_limits(const KernelConfig& c) {
  if (!c.timer_frequency || *c.timer_frequency < 1000) return std::nullopt;
  uint64_t hz = *c.timer_frequency;
  uint64_t per_us = hz % 1000000 == 0 ? hz / 1000000 : hz / 1000;
  SchedTimeLimits l;
  l.max_us = UINT64_MAX / per_us / 8;
  if (auto fixed = c.get("KERNEL_STATIC_MAX_PERIOD_US"); fixed && *fixed != "0") {
    auto n = json_text::to_u64(json_text::Json(*fixed));
    if (n && *n != 0) l.max_us = *n;
  }
  uint64_t min_ticks = 2 * us_to_ticks(hz, kernel_wcet_us(c)) * c.wcet_scale;
  // The smallest us whose ticks reach min_ticks (usToTicks only grows).
  uint64_t lo = 0, hi = 2 * kernel_wcet_us(c) * c.wcet_scale + 1;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (us_to_ticks(hz, mid) >= min_ticks) hi = mid;
    else lo = mid + 1;
  }
  l.min_us = lo;
  return l;
}

uint64_t KernelPackage::user_vaddr_end() const {
  return config.arch == board::Arch::AArch64 ? sizes.user_top + 1 : sizes.user_top;
}

namespace {

// One JSON file of the package, read and parsed, with its text kept for
// locating keys in messages.
struct JsonFile {
  std::string path;
  std::string text;
  Json json;
  Diagnostics* diags = nullptr;

  Loc loc(std::string_view key) const { return json_text::loc_of_key(text, key); }
  void missing(std::string_view key, std::string_view what) const {
    diags->error("kernel-missing-key", path, {},
                 "missing key '" + std::string(key) + "' (" + std::string(what) + ")",
                 "this file should come from a seL4 16.0.0 build; rebuild or re-copy it");
  }
  void bad(std::string_view key, std::string_view what) const {
    diags->error("kernel-bad-value", path, loc(key),
                 "'" + std::string(key) + "' " + std::string(what));
  }
};

std::optional<JsonFile> open_json(const fs::path& path, Diagnostics& diags) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diags.error("kernel-missing-file", path.string(), {}, "the kernel package has no " +
                path.filename().string(),
                "point at a seL4 16.0.0 kernel install (bin/kernel.elf, libsel4/include, "
                "gen_config.json, invocations_all.json, support/platform_gen.json)");
    return std::nullopt;
  }
  auto text = json_text::read_file(path.string(), "kernel-io", diags);
  if (!text) return std::nullopt;
  auto json = json_text::parse(*text, path.string(), "kernel-json", diags);
  if (!json) return std::nullopt;
  if (!json->is_object()) {
    diags.error("kernel-bad-value", path.string(), {1, 1}, "expected one JSON object");
    return std::nullopt;
  }
  return JsonFile{path.string(), std::move(*text), std::move(*json), &diags};
}

// gen_config.json values are booleans or strings ("17", "qemu-arm-virt").
std::string as_text(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The keys of gen_config.json, read one at a time with their errors.
class ConfigReader {
 public:
  explicit ConfigReader(const JsonFile& f) : f_(f) {}

  std::optional<std::string> text(std::string_view key, bool required) {
    auto it = f_.json.find(key);
    if (it != f_.json.end()) return as_text(*it);
    if (required) f_.missing(key, "a kernel configuration option");
    return std::nullopt;
  }
  bool flag(std::string_view key, bool required = false) {
    auto it = f_.json.find(key);
    if (it == f_.json.end()) {
      if (required) f_.missing(key, "a kernel configuration option");
      return false;
    }
    if (!it->is_boolean()) f_.bad(key, "must be true or false");
    return it->is_boolean() && it->get<bool>();
  }
  std::optional<uint64_t> number(std::string_view key, bool required) {
    auto t = text(key, required);
    if (!t) return std::nullopt;
    auto n = json_text::to_u64(Json(*t));
    if (!n) f_.bad(key, "must be a number, not '" + *t + "'");
    return n;
  }
  template <typename T>
  void number_into(std::string_view key, T* out) {
    if (auto n = number(key, false)) *out = static_cast<T>(*n);
  }

 private:
  const JsonFile& f_;
};

std::optional<board::Arch> arch_of(const std::string& sel4_arch) {
  if (sel4_arch == "aarch64") return board::Arch::AArch64;
  if (sel4_arch == "riscv64") return board::Arch::RiscV64;
  if (sel4_arch == "x86_64") return board::Arch::X86_64;
  return std::nullopt;
}

void read_arch_specific(ConfigReader& r, const JsonFile& f, KernelConfig& c) {
  switch (c.arch) {
    case board::Arch::AArch64:
      c.hypervisor = r.flag("ARM_HYPERVISOR_SUPPORT", true);
      if (r.flag("ARM_PA_SIZE_BITS_40")) c.arm_pa_size_bits = 40;
      if (r.flag("ARM_PA_SIZE_BITS_44")) c.arm_pa_size_bits = 44;
      if (!c.arm_pa_size_bits) f.missing("ARM_PA_SIZE_BITS_40", "or ARM_PA_SIZE_BITS_44 set to true");
      break;
    case board::Arch::RiscV64:
      if (auto n = r.number("PT_LEVELS", true)) c.riscv_pt_levels = static_cast<uint32_t>(*n);
      break;
    case board::Arch::X86_64:
      c.hypervisor = r.flag("VTX");
      break;
    case board::Arch::Host:
      break;
  }
  // ARM and RISC-V kernels know their timer frequency at build time; x86
  // measures the TSC at boot when PC99_TSC_FREQUENCY is 0.
  std::optional<uint64_t> hz = c.arch == board::Arch::X86_64 ? r.number("PC99_TSC_FREQUENCY", false)
                                                            : r.number("TIMER_FREQUENCY", true);
  if (hz && *hz != 0) c.timer_frequency = hz;
}

std::optional<KernelConfig> read_config(const JsonFile& f) {
  KernelConfig c;
  for (const auto& [key, value] : f.json.items()) c.raw[key] = as_text(value);
  size_t errors = f.diags->error_count();
  ConfigReader r(f);
  auto sel4_arch = r.text("SEL4_ARCH", true);
  if (sel4_arch) {
    auto arch = arch_of(*sel4_arch);
    if (arch) c.arch = *arch;
    else f.bad("SEL4_ARCH", "is '" + *sel4_arch + "'; supported: aarch64, riscv64, x86_64");
  }
  if (auto n = r.number("WORD_SIZE", true)) c.word_size = static_cast<uint32_t>(*n);
  if (c.word_size != 64) f.bad("WORD_SIZE", "must be 64 (32-bit kernels are not supported)");
  c.platform = r.text("PLAT", true).value_or("");
  c.mcs = r.flag("KERNEL_MCS", true);
  if (auto n = r.number("ROOT_CNODE_SIZE_BITS", true)) c.root_cnode_size_bits = static_cast<uint32_t>(*n);
  if (auto n = r.number("RETYPE_FAN_OUT_LIMIT", true)) c.retype_fan_out_limit = static_cast<uint32_t>(*n);
  if (c.retype_fan_out_limit == 0) f.bad("RETYPE_FAN_OUT_LIMIT", "must be at least 1");
  if (auto n = r.number("NUM_DOMAINS", true)) c.num_domains = static_cast<uint32_t>(*n);
  if (auto n = r.number("MAX_NUM_NODES", true)) c.max_num_nodes = static_cast<uint32_t>(*n);
  c.debug_build = r.flag("DEBUG_BUILD", true);
  c.printing = r.flag("PRINTING", true);
  c.benchmarks = r.flag("ENABLE_BENCHMARKS");
  c.have_fpu = r.flag("HAVE_FPU");
  r.number_into("PADDR_USER_DEVICE_TOP", &c.paddr_user_device_top);
  r.number_into("KERNEL_STACK_BITS", &c.kernel_stack_bits);
  r.number_into("BOOT_THREAD_TIME_SLICE", &c.boot_thread_time_slice);
  r.number_into("KERNEL_WCET_SCALE", &c.wcet_scale);
  if (sel4_arch && arch_of(*sel4_arch)) read_arch_specific(r, f, c);
  if (f.diags->error_count() != errors) return std::nullopt;
  return c;
}

std::optional<std::map<std::string, uint64_t>> read_labels(const JsonFile& f) {
  std::map<std::string, uint64_t> labels;
  for (const auto& [key, value] : f.json.items()) {
    auto n = json_text::to_u64(value);
    if (!n) {
      f.bad(key, "must be an invocation label number");
      return std::nullopt;
    }
    labels[key] = *n;
  }
  // Planning needs this one first of all; its absence means a wrong file.
  if (!labels.count("UntypedRetype")) {
    f.missing("UntypedRetype", "the invocation labels of the kernel");
    return std::nullopt;
  }
  return labels;
}

bool read_range(const Json& r, MemoryRange& out) {
  if (!r.is_object() || !r.contains("start") || !r.contains("end")) return false;
  auto start = json_text::to_u64(r["start"]);
  auto end = json_text::to_u64(r["end"]);
  if (!start || !end || *start > *end) return false;
  out = MemoryRange{*start, *end};
  return true;
}

std::optional<std::vector<MemoryRange>> read_ranges(const JsonFile& f, std::string_view key) {
  auto it = f.json.find(key);
  if (it == f.json.end()) {
    f.missing(key, "a list of {start, end} physical ranges");
    return std::nullopt;
  }
  if (!it->is_array()) {
    f.bad(key, "must be a list of {\"start\": ..., \"end\": ...}");
    return std::nullopt;
  }
  std::vector<MemoryRange> out;
  for (const Json& r : *it) {
    MemoryRange range;
    if (!read_range(r, range)) {
      f.bad(key, "holds a range without a valid start <= end");
      return std::nullopt;
    }
    out.push_back(range);
  }
  return out;
}

bool read_platform(const JsonFile& f, KernelPackage& pkg) {
  auto memory = read_ranges(f, "memory");
  auto devices = read_ranges(f, "devices");
  if (!memory || !devices) return false;
  pkg.memory = std::move(*memory);
  pkg.devices = std::move(*devices);
  return true;
}

// The object sizes as object_sizes.json calls them, with the libsel4 macro
// each comes from and whether every 64-bit configuration has it.
struct SizeField {
  const char* key;
  const char* macro;
  uint32_t ObjectSizes::*bits;
  std::optional<uint32_t> ObjectSizes::*optional_bits;
};

constexpr SizeField kSizeFields[] = {
    {"tcb", "seL4_TCBBits", &ObjectSizes::tcb, nullptr},
    {"endpoint", "seL4_EndpointBits", &ObjectSizes::endpoint, nullptr},
    {"notification", "seL4_NotificationBits", &ObjectSizes::notification, nullptr},
    {"reply", "seL4_ReplyBits", &ObjectSizes::reply, nullptr},
    {"min_sched_context", "seL4_MinSchedContextBits", &ObjectSizes::min_sched_context, nullptr},
    {"page_table", "seL4_PageTableBits", &ObjectSizes::page_table, nullptr},
    {"vspace", "seL4_VSpaceBits", &ObjectSizes::vspace, nullptr},
    {"asid_pool", "seL4_ASIDPoolBits", &ObjectSizes::asid_pool, nullptr},
    {"slot", "seL4_SlotBits", &ObjectSizes::slot, nullptr},
    {"page", "seL4_PageBits", &ObjectSizes::page, nullptr},
    {"large_page", "seL4_LargePageBits", &ObjectSizes::large_page, nullptr},
    {"huge_page", "seL4_HugePageBits", &ObjectSizes::huge_page, nullptr},
    {"min_untyped", "seL4_MinUntypedBits", &ObjectSizes::min_untyped, nullptr},
    {"max_untyped", "seL4_MaxUntypedBits", &ObjectSizes::max_untyped, nullptr},
    {"bootinfo_frame", "seL4_BootInfoFrameBits", &ObjectSizes::bootinfo_frame, nullptr},
    {"page_table_index", "seL4_PageTableIndexBits", &ObjectSizes::page_table_index, nullptr},
    {"vcpu", "seL4_VCPUBits", nullptr, &ObjectSizes::vcpu},
    {"io_page_table", "seL4_IOPageTableBits", nullptr, &ObjectSizes::io_page_table},
    {"vspace_index", "seL4_VSpaceIndexBits", nullptr, &ObjectSizes::vspace_index},
};

// Stores one size; false when it is out of range for a size in bits.
bool store_size(ObjectSizes& s, const SizeField& field, uint64_t value) {
  if (value >= 64) return false;
  if (field.bits) s.*field.bits = static_cast<uint32_t>(value);
  else s.*field.optional_bits = static_cast<uint32_t>(value);
  return true;
}

std::optional<ObjectSizes> read_sizes_json(const JsonFile& f) {
  auto values = f.json.find("values");
  if (values == f.json.end() || !values->is_object()) {
    f.missing("values", "an object of size facts");
    return std::nullopt;
  }
  ObjectSizes s;
  bool ok = true;
  for (const SizeField& field : kSizeFields) {
    auto it = values->find(field.key);
    if (it == values->end()) {
      if (field.bits) { f.missing(field.key, "an object size in bits"); ok = false; }
      continue;
    }
    auto n = json_text::to_u64(*it);
    if (!n || !store_size(s, field, *n)) { f.bad(field.key, "must be a size in bits (0..63)"); ok = false; }
  }
  auto top = values->find("user_top");
  auto n = top == values->end() ? std::nullopt : json_text::to_u64(*top);
  if (!n) { f.missing("user_top", "seL4_UserTop"); ok = false; }
  else s.user_top = *n;
  if (!ok) return std::nullopt;
  return s;
}

// The libsel4 headers that hold the constants, in the order a C file
// including <sel4/sel4.h> sees them (configuration first).
constexpr const char* kSizeHeaders[] = {
    "kernel/gen_config.h",          "sel4/gen_config.h",        "sel4/sel4_arch/constants.h",
    "sel4/arch/constants.h",        "sel4/constants.h",         "sel4/plat/api/constants.h",
    "sel4/bootinfo_types.h",
};

std::optional<ObjectSizes> read_sizes_headers(const fs::path& include, Diagnostics& diags) {
  HeaderDefines defines;
  for (const char* name : kSizeHeaders) {
    fs::path path = include / name;
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;  // not every architecture has each
    auto text = json_text::read_file(path.string(), "kernel-io", diags);
    if (!text) return std::nullopt;
    if (!defines.scan(*text)) {
      diags.error("kernel-header", path.string(), {}, "unbalanced #if/#endif in a libsel4 header");
      return std::nullopt;
    }
  }
  ObjectSizes s;
  bool ok = true;
  for (const SizeField& field : kSizeFields) {
    auto v = defines.value(field.macro);
    if (!v) {
      if (field.bits) {
        diags.error("kernel-missing-key", include.string(), {},
                    std::string("libsel4 does not define ") + field.macro +
                        " as a number in this configuration",
                    "the package's libsel4/include should be the `ninja install` output of the kernel build");
        ok = false;
      }
      continue;
    }
    if (!store_size(s, field, *v)) {
      diags.error("kernel-bad-value", include.string(), {},
                  std::string(field.macro) + " is " + std::to_string(*v) + ", not a size in bits");
      ok = false;
    }
  }
  auto top = defines.value("seL4_UserTop");
  if (!top) {
    diags.error("kernel-missing-key", include.string(), {},
                "libsel4 does not define seL4_UserTop as a number in this configuration");
    ok = false;
  } else {
    s.user_top = *top;
  }
  if (!ok) return std::nullopt;
  return s;
}

uint32_t flags_of(std::string_view text) {
  uint32_t flags = 0;
  for (char c : text) {
    if (c == 'R') flags |= PF_R;
    if (c == 'W') flags |= PF_W;
    if (c == 'E' || c == 'X') flags |= PF_X;
  }
  return flags;
}

bool require_boundaries(KernelPackage& pkg, const std::string& file, Diagnostics& diags) {
  bool ok = true;
  for (const char* name : {"ki_boot_end", "ki_end"}) {
    auto it = pkg.symbols.find(name);
    if (it == pkg.symbols.end()) {
      diags.error("kernel-missing-key", file, {}, std::string("no symbol '") + name + "'",
                  "the kernel image must keep its symbol table (do not strip kernel.elf)");
      ok = false;
    }
  }
  if (!ok) return false;
  pkg.ki_boot_end = pkg.symbols["ki_boot_end"];
  pkg.ki_end = pkg.symbols["ki_end"];
  return true;
}

bool read_kernel_elf_json(const JsonFile& f, KernelPackage& pkg) {
  auto entry = f.json.contains("entry") ? json_text::to_u64(f.json["entry"]) : std::nullopt;
  if (!entry) { f.missing("entry", "the kernel's entry point"); return false; }
  pkg.entry = *entry;
  auto segs = f.json.find("segments");
  if (segs == f.json.end() || !segs->is_array()) { f.missing("segments", "a list of loadable segments"); return false; }
  for (const Json& s : *segs) {
    KernelSegment k;
    bool ok = s.is_object();
    using Field = std::pair<const char*, uint64_t KernelSegment::*>;
    for (auto [key, field] : {Field{"offset", &KernelSegment::offset}, Field{"vaddr", &KernelSegment::vaddr},
                              Field{"paddr", &KernelSegment::paddr}, Field{"filesz", &KernelSegment::filesz},
                              Field{"memsz", &KernelSegment::memsz}}) {
      auto n = ok && s.contains(key) ? json_text::to_u64(s[key]) : std::nullopt;
      if (!n) { ok = false; break; }
      k.*field = *n;
    }
    if (!ok || !s.contains("flags") || !s["flags"].is_string()) {
      f.bad("segments", "holds a segment without offset, vaddr, paddr, filesz, memsz and flags");
      return false;
    }
    k.flags = flags_of(s["flags"].get<std::string>());
    pkg.segments.push_back(k);
  }
  auto syms = f.json.find("symbols");
  if (syms == f.json.end() || !syms->is_object()) { f.missing("symbols", "the kernel's boundary symbols"); return false; }
  for (const auto& [name, value] : syms->items()) {
    auto n = json_text::to_u64(value);
    if (!n) { f.bad(name, "must be an address"); return false; }
    pkg.symbols[name] = *n;
  }
  return require_boundaries(pkg, f.path, *f.diags);
}

uint16_t machine_of(board::Arch arch) {
  const arch::Traits* t = arch::traits(arch);
  return t ? t->elf_machine : EM_NONE;
}

bool read_kernel_elf(const fs::path& path, KernelPackage& pkg, Diagnostics& diags) {
  auto elf = elf::read_elf(path.string(), diags);
  if (!elf) return false;
  if (elf->machine != machine_of(pkg.config.arch)) {
    diags.error("kernel-arch-mismatch", path.string(), {},
                "kernel.elf is for ELF machine " + std::to_string(elf->machine) +
                    ", but gen_config.json says the kernel is " + board::arch_name(pkg.config.arch),
                "the kernel image and gen_config.json must come from the same build");
    return false;
  }
  pkg.kernel_elf_path = path.string();
  pkg.entry = elf->entry;
  for (const elf::Segment& s : elf->segments)
    pkg.segments.push_back(KernelSegment{s.offset, s.vaddr, s.paddr, s.filesz, s.memsz, s.flags});
  // The symbols planning and image building use, and those the facts list.
  for (const char* name : {"_start", "kernel_stack_alloc", "ki_boot_end", "ki_end", "ki_skim_start",
                           "ki_skim_end"})
    if (const elf::Symbol* sym = elf->find_symbol(name)) pkg.symbols[name] = sym->value;
  // The IRQ numbers the kernel accepts (tool/kernel/kernel_limits.h).
  if (const elf::Symbol* table = elf->find_symbol("intStateIRQTable"); table && table->size)
    pkg.irq_table_entries = table->size / (pkg.config.word_size / 8);
  pkg.kernel_elf = std::make_shared<const elf::ElfFile>(std::move(*elf));
  return require_boundaries(pkg, path.string(), diags);
}

// Where each file of a package is, by kind of folder.
struct Layout {
  KernelPackage::Kind kind;
  fs::path gen_config, platform, kernel_elf, include;
};

Layout layout_of(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(root / "bin" / "kernel.elf", ec))
    return {KernelPackage::Kind::Install, root / "gen_config.json",
            root / "support" / "platform_gen.json", root / "bin" / "kernel.elf",
            root / "libsel4" / "include"};
  if (fs::exists(root / "elf" / "sel4.elf", ec))
    return {KernelPackage::Kind::MicrokitSdk, root / "include" / "kernel" / "gen_config.json",
            root / "platform_gen.json", root / "elf" / "sel4.elf", root / "include"};
  return {KernelPackage::Kind::Facts, root / "gen_config.json", root / "platform_gen.json", {}, {}};
}

void read_sizes(const fs::path& root, const Layout& layout, KernelPackage& pkg, Diagnostics& diags) {
  // The SDK's own object_sizes.json has another format; its headers are the
  // same as an install's.
  std::error_code ec;
  fs::path json = root / "object_sizes.json";
  bool use_json = layout.kind == KernelPackage::Kind::Facts ||
                  (layout.kind == KernelPackage::Kind::Install && fs::exists(json, ec));
  if (!use_json) {
    if (auto s = read_sizes_headers(layout.include, diags)) pkg.sizes = *s;
    return;
  }
  if (auto f = open_json(json, diags))
    if (auto s = read_sizes_json(*f)) pkg.sizes = *s;
}

}  // namespace

std::optional<KernelPackage> load_kernel_package(const std::string& dir, Diagnostics& diags) {
  // 1. which kind of folder; 2. configuration (it decides what else must be
  // there); 3. labels, platform memory, kernel image facts, object sizes.
  fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    diags.error("kernel-missing-file", dir, {}, "the kernel package folder does not exist",
                "give the install folder of a seL4 16.0.0 kernel build");
    return std::nullopt;
  }
  Layout layout = layout_of(root);
  KernelPackage pkg;
  pkg.dir = dir;
  pkg.kind = layout.kind;
  size_t errors = diags.error_count();

  auto gen_config = open_json(layout.gen_config, diags);
  auto config = gen_config ? read_config(*gen_config) : std::nullopt;
  if (!config) return std::nullopt;
  pkg.config = std::move(*config);

  if (auto f = open_json(root / "invocations_all.json", diags))
    if (auto labels = read_labels(*f)) pkg.invocation_labels = std::move(*labels);
  if (pkg.config.arch != board::Arch::X86_64)
    if (auto f = open_json(layout.platform, diags)) read_platform(*f, pkg);
  if (layout.kind != KernelPackage::Kind::Facts) {
    read_kernel_elf(layout.kernel_elf, pkg, diags);
  } else if (auto f = open_json(root / "kernel_elf.json", diags)) {
    read_kernel_elf_json(*f, pkg);
  }
  read_sizes(root, layout, pkg, diags);
  if (diags.error_count() != errors) return std::nullopt;
  return pkg;
}

}  // namespace microkit::kernel
