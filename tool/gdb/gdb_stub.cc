// gdb_stub: see gdb_stub.h.
#include "gdb/gdb_stub.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "gdb/uart_pd.h"
#include "runtime/shared/gdb_abi.h"

namespace microkit::gdb {
namespace {

constexpr const char* kUartMr = "microkit_gdb_uart";

// The receive interrupt of the UART the loader and kernel print on.
std::optional<uint64_t> uart_irq(const board::Board& board) {
  if (board.name == "qemu_virt_aarch64" && board.loader && board.loader->uart == "pl011") return 33;
  return std::nullopt;
}

bool check_target(const board::Board& board, const board::Config& config, Diagnostics& diags) {
  auto refuse = [&](const std::string& id, const std::string& what, const std::string& hint) {
    diags.error(id, "microkit", {}, "--gdb-stub: " + what, hint);
    return false;
  };
  if (board.arch != board::Arch::AArch64)
    return refuse("gdb-stub-arch", "the debugger PD exists for AArch64 boards only, and board '" + board.name +
                      "' is not one", "debug this system on qemu_virt_aarch64, or on the host platform "
                      "(microkit run --gdb PD)");
  if (!uart_irq(board))
    return refuse("gdb-stub-board", "no debug UART is known for board '" + board.name +
                      "' (the debugger needs its address and receive interrupt)", "use qemu_virt_aarch64");
  if (!config.debug || config.smp || config.cpus > 1)
    return refuse("gdb-stub-config", "config '" + config.name + "' is not a single-core debug configuration "
                      "(the debugger needs the kernel's debug API and stops the system by running alone)",
                      "build with --config debug");
  return true;
}

// The debugger's UART's interrupt, which no PD may claim (what else it
// cannot share is check_room_for's).
bool check_irq_free(const sdf::SystemDescription& sd, uint64_t irq, Diagnostics& diags) {
  size_t before = diags.error_count();
  for (const auto& pd : sd.pds)
    for (const auto& i : pd.irqs)
      if (i.kind == sdf::Irq::Kind::Number && i.irq == irq)
        diags.error("gdb-stub-irq-taken", sd.file, i.at("irq"),
                    "--gdb-stub: the debugger owns the UART's interrupt " + std::to_string(irq) +
                        " (it speaks GDB's protocol on that UART)", "remove this <irq> to debug the system");
  return diags.error_count() == before;
}

}  // namespace

bool add_debugger(sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  const std::string& debugger_elf, Diagnostics& diags) {
  if (!check_target(board, config, diags)) return false;
  uint64_t irq = *uart_irq(board);
  UartPd added{kDebuggerName, kDebuggerPriority, debugger_elf, kUartMr, board.loader->uart_paddr,
               "--gdb-stub", "debugger", "gdb-stub", sd.loc};
  bool room = check_room_for(sd, added, diags);
  if (!check_irq_free(sd, irq, diags) || !room) return false;
  sdf::ProtectionDomain& pd = add_uart_pd(sd, added);
  pd.stack_size = 0x10000;  // the stub's packet buffers live on it
  sdf::Irq i;
  i.irq = irq;
  i.id = MICROKIT_GDB_UART_IRQ_CHANNEL;
  pd.irqs.push_back(i);
  sd.gdb_debugger = sd.pds.size() - 1;
  return true;
}

namespace {

void put_name(char* dst, const std::string& name) {
  std::memset(dst, 0, MICROKIT_GDB_NAME_BYTES);
  std::memcpy(dst, name.data(), std::min<size_t>(name.size(), MICROKIT_GDB_NAME_BYTES - 1));
}

// `monitor cspace`'s text for one PD: its capabilities, slot by slot.
std::string cspace_listing(const plan::Plan& plan, const plan::Sel4Plan& sp, size_t i) {
  std::string s = "CSpace of '" + plan.pds[i].name + "' (from the plan; slot = CPtr):\n";
  for (const plan::Cap& cap : sp.pds[i].caps) {
    s += "  slot " + std::to_string(cap.slot) + ": " + cap.what;
    if (cap.kind == plan::Cap::Kind::Object) s += " [" + sp.objects[cap.object].name + "]";
    if (cap.badge != 0) s += " badge " + std::to_string(cap.badge);
    s += "\n";
  }
  return s;
}

// The kernel's kind of a planned capability.
arch::CapType cap_type_of(const plan::Cap& cap, const plan::Sel4Plan& sp) {
  using T = arch::CapType;
  switch (cap.kind) {
    case plan::Cap::Kind::IrqHandler: return T::IrqHandler;
    case plan::Cap::Kind::Smc: return T::Smc;
    case plan::Cap::Kind::SchedControl: return T::SchedControl;
    case plan::Cap::Kind::IoPort: return T::IoPorts;
    case plan::Cap::Kind::Object: break;
  }
  switch (sp.objects[cap.object].type) {
    case plan::ObjType::Untyped: return T::Untyped;
    case plan::ObjType::Tcb: return T::Thread;
    case plan::ObjType::SchedContext: return T::SchedContext;
    case plan::ObjType::Reply: return T::Reply;
    case plan::ObjType::Endpoint: return T::Endpoint;
    case plan::ObjType::Notification: return T::Notification;
    case plan::ObjType::CNode: return T::CNode;
    case plan::ObjType::VSpace: return T::VSpace;
    case plan::ObjType::PageTable: return T::PageTable;
    case plan::ObjType::Frame: return T::Frame;
    case plan::ObjType::Vcpu: return T::Vcpu;
    case plan::ObjType::IoPageTable: return T::IoPageTable;
    case plan::ObjType::EptRoot:
    case plan::ObjType::EptTable: return T::Other;  // x86 VT-x only; the debugger is AArch64's
  }
  return T::Other;
}

// Target k's planned capabilities with a known tag, appended to t's checks.
void add_cap_checks(gdb_abi::Table& t, gdb_abi::Target& out, const plan::PdObjects& po,
                    const plan::Sel4Plan& sp, const arch::Traits& arch) {
  out.check_first = t.check_count;
  for (const plan::Cap& cap : po.caps) {
    auto tag = arch::cap_tag(arch, cap_type_of(cap, sp));
    if (!tag || t.check_count == MICROKIT_GDB_MAX_CAP_CHECKS) continue;
    t.checks[t.check_count++] = {uint16_t(cap.slot), *tag, 0};
  }
  out.check_count = t.check_count - out.check_first;
}

void put_cap_names(gdb_abi::Table& t, const arch::Traits& arch) {
  for (auto tags : {arch::common_cap_tags(), arch.arch_cap_tags})
    for (const arch::CapTag& c : tags)
      if (c.tag < MICROKIT_GDB_CAP_TAGS)
        std::strncpy(t.cap_names[c.tag], c.name, MICROKIT_GDB_CAP_NAME_BYTES - 1);
}

}  // namespace

std::vector<uint8_t> debugger_table(const plan::Plan& plan, const plan::Sel4Plan& sp, uint64_t user_top,
                                    const arch::Traits& arch) {
  auto t = std::make_unique<gdb_abi::Table>();
  std::memset(t.get(), 0, sizeof(gdb_abi::Table));
  t->magic = MICROKIT_GDB_TABLE_MAGIC;
  t->version = MICROKIT_GDB_TABLE_VERSION;
  t->user_top = user_top;
  const auto& targets = plan.debugger->targets;
  t->target_count = uint32_t(targets.size());
  std::string text;
  for (size_t k = 0; k < targets.size(); ++k) {
    const plan::Pd& pd = plan.pds[targets[k]];
    gdb_abi::Target& out = t->targets[k];
    put_name(out.name, pd.name);
    out.priority = pd.priority;
    out.budget_us = pd.budget_us;
    out.period_us = pd.period_us;
    out.passive = pd.passive ? 1 : 0;
    if (pd.parent) {
      auto it = std::find(targets.begin(), targets.end(), *pd.parent);
      out.parent = uint32_t(it - targets.begin()) + 1;
    }
    std::string listing = cspace_listing(plan, sp, targets[k]);
    size_t room = MICROKIT_GDB_TEXT_BYTES - text.size();
    if (listing.size() > room) listing = listing.substr(0, room);
    out.cspace_text = uint32_t(text.size());
    out.cspace_size = uint32_t(listing.size());
    text += listing;
    add_cap_checks(*t, out, sp.pds[targets[k]], sp, arch);
  }
  put_cap_names(*t, arch);
  std::memcpy(t->text, text.data(), text.size());
  size_t n = std::min<size_t>(sp.debugger_ranges.size(), MICROKIT_GDB_MAX_RANGES);
  for (size_t r = 0; r < n; ++r) {
    const plan::DebuggerRange& d = sp.debugger_ranges[r];
    t->ranges[r] = {uint32_t(d.target), uint32_t(d.mr), d.vaddr, d.size};
  }
  t->range_count = uint32_t(n);
  const auto* bytes = reinterpret_cast<const uint8_t*>(t.get());
  return {bytes, bytes + sizeof(gdb_abi::Table)};
}

std::string gdb_script(const plan::Plan& plan, const std::vector<std::string>& programs) {
  std::string s =
      "# Written by `microkit build --gdb-stub` (docs/debugging.md).\n"
      "# Every protection domain is a GDB inferior with its own program, in the\n"
      "# order the debugger numbers them; then the connection to the debugger:\n"
      "# $MICROKIT_GDB_REMOTE (host:port or a device), else " + std::string(kDefaultRemote) + ".\n"
      "set pagination off\nset confirm off\nset architecture aarch64\n"
      "# The UART is slow and the system may still be booting: be patient.\n"
      "set remotetimeout 30\n"
      "# One system: continuing runs every PD, not only the current inferior's.\n"
      "set schedule-multiple on\n";
  const auto& targets = plan.debugger->targets;
  for (size_t k = 0; k < targets.size(); ++k) {
    const std::string& path = programs[targets[k]];
    s += "# inferior " + std::to_string(k + 1) + ": " + plan.pds[targets[k]].name + "\n";
    if (path.empty())  // late-loaded: no program at build time
      s += k == 0 ? "" : "add-inferior\n";
    else
      s += (k == 0 ? "file " : "add-inferior -exec ") + path + "\n";
  }
  s += "inferior 1\n"
       "python import os; gdb.execute('target extended-remote ' + os.environ.get('MICROKIT_GDB_REMOTE', '" +
       std::string(kDefaultRemote) + "'))\n";
  return s;
}

}  // namespace microkit::gdb
