// Internal to the SDF validator: the state every rule group shares.
//
// validate() builds one Context (name indexes, the limits in force) and hands
// it to each rule group (validate_*.cc). Indexes are built once, so every
// lookup is O(1) and the whole validation stays linear in the input. Only the
// first element of a given name is indexed; later duplicates are reported by
// the name rules and otherwise ignored, so one mistake gives one error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "board/board.h"
#include "runtime/shared/pd_abi.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"
#include "support/text.h"

namespace microkit::sdf::detail {

// Limits of the runtime ABI rather than of a board (they are fixed by
// libmicrokit's data layout, the same on every target).
inline constexpr size_t kMaxNameLength = 63;      // names live in a 64-byte, NUL-terminated buffer
inline constexpr uint64_t kMaxCapSlot = 127;      // extra CSpace slots are 1..127; 0 is the tool's
// Slots of a PD's CSpace root after every table the tool fills: what
// <free_slots> can promise (runtime/shared/pd_abi.h).
inline constexpr uint64_t kFreeSlotCount = MICROKIT_PD_CNODE_SLOTS - MICROKIT_PD_SLOTS_END;
inline constexpr uint64_t kX86IoPortEnd = 0x10000;         // x86 port space is 16 bits
inline constexpr uint64_t kX86IoVirtualEnd = 1ull << 39;  // IOMMU address spaces are 39 bits
inline constexpr uint64_t kX86IoApicPins = 24;            // seL4's IOAPIC_IRQ_LINES
inline constexpr uint64_t kX86MaxIoDomainId = 0xffff;     // seL4_X86_IOSpace_CapData domainID (16 bits)

struct Context {
  const SystemDescription& sd;
  const board::Board& board;
  const board::Config& config;
  const board::Limits& limits;
  Diagnostics& diags;

  std::unordered_map<std::string_view, size_t> pd_index;  // first PD of each name
  std::unordered_map<std::string_view, size_t> mr_index;  // first MR of each name
  size_t suggestions_left = 64;  // "did you mean" is quadratic-ish: bound its total cost

  Context(const SystemDescription& s, const board::Board& b, const board::Config& c,
          Diagnostics& d);

  const ProtectionDomain* pd(std::string_view name) const;
  const MemoryRegion* mr(std::string_view name) const;
  bool x86() const { return board.arch == board::Arch::X86_64; }

  Diagnostic& error(std::string id, Loc loc, std::string message, std::string hint);
  Diagnostic& warning(std::string id, Loc loc, std::string message, std::string hint);
  void note(Loc loc, std::string message);

  // " (did you mean 'x'?)" or "" when no known name is close enough.
  std::string suggest_pd(std::string_view name);
  std::string suggest_mr(std::string_view name);

  // The MR that a <map> or <iomap> names, or nullptr after reporting
  // unknown-memory-region at `where`.
  const MemoryRegion* mapped_mr(const std::string& name, Loc where);
};

// Helpers shared by the rule groups.
using microkit::hex;
bool before(Loc a, Loc b);  // a comes earlier in the file than b
const char* arch_label(board::Arch arch);

// A half-open range [start, end) that must not overlap others of its kind.
struct Span {
  uint64_t start = 0;
  uint64_t end = 0;
  Loc loc;           // where to point when this span is the offender
  std::string what;  // "map of 'rx_buf'", "memory region 'uart'", ...
};

// Sorts `spans` by start and reports each overlap once: the error on the span
// that comes later in the file, a note on the other. Linear after the sort.
void report_overlaps(Context& cx, std::vector<Span> spans, const std::string& id,
                     const std::string& space, const std::string& hint);

// Rule groups, one per file (see the rule table in validate.cc).
void check_names(Context& cx);           // validate_names.cc
void check_pds(Context& cx);             // validate_pds.cc
void check_children(Context& cx);        // validate_pds.cc
void check_virtual_machines(Context& cx);// validate_pds.cc
void check_cspaces(Context& cx);         // validate_pds.cc
void check_late_loads(Context& cx);      // validate_late_load.cc
void check_memory_regions(Context& cx);  // validate_memory.cc
void check_maps(Context& cx);            // validate_memory.cc
void check_setvars(Context& cx);         // validate_memory.cc
void check_channels(Context& cx);        // validate_channels.cc
void check_irqs(Context& cx);            // validate_arch.cc
void check_ioports(Context& cx);         // validate_arch.cc
void check_io_address_spaces(Context& cx);// validate_arch.cc
void check_domains(Context& cx);         // validate_domains.cc

}  // namespace microkit::sdf::detail
