// trace_buffers (see trace_buffers.h).
#include "trace/trace_buffers.h"

#include <algorithm>

#include "runtime/shared/trace_format.h"

namespace microkit::trace {
namespace {

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

const elf::Symbol* find_symbol(const elf::ElfFile& elf, std::string_view name) {
  for (const auto& s : elf.symbols)
    if (s.name == name) return &s;
  return nullptr;
}

// The end of the highest thing in the PD's address space.
uint64_t highest_end(const plan::Pd& pd, const elf::ElfFile* elf) {
  uint64_t end = 0;
  for (const plan::Mapping& m : pd.mappings) end = std::max(end, m.vaddr + m.size);
  if (elf)
    for (const elf::Segment& s : elf->segments) end = std::max(end, s.vaddr + s.memsz);
  return end;
}

// The program's ELF as loaded for planning, or nullptr (late-loaded PDs).
const elf::ElfFile* program_of(const sdf::ProtectionDomain& p, const plan::Inputs& inputs) {
  if (!p.program_image) return nullptr;
  auto it = inputs.programs.find(p.program_image->path);
  return it == inputs.programs.end() ? nullptr : &it->second;
}

plan::SymbolPatch patch(const elf::Symbol& sym, uint64_t value, Loc loc) {
  plan::SymbolPatch sp;
  sp.symbol = sym.name;
  sp.value = value;
  sp.vaddr = sym.value;
  sp.size = sym.size == 0 ? 8 : std::min<uint64_t>(sym.size, 8);
  sp.loc = loc;
  return sp;
}

void report_untraced(const sdf::ProtectionDomain& p, const std::string& file, Diagnostics& diags) {
  diags.error("trace-library-missing", file, p.program_image->at("path"),
              "--trace: the program '" + p.program_image->path + "' of protection domain '" + p.name +
                  "' was not linked against the trace build of libmicrokit (it has no '" +
                  kBufferSymbol + "')",
              "link it with -lmicrokit_trace instead of -lmicrokit (host CMake: "
              "microkit_host_pd(<target> TRACE ...)), or build without --trace");
}

// One PD's ring: the region, its mapping and the two patches.
bool add_ring(plan::Plan& plan, size_t index, const sdf::SystemDescription& sd,
              const plan::Inputs& inputs, const board::Board& board, uint64_t bytes,
              Diagnostics& diags) {
  const sdf::ProtectionDomain& p = sd.pds[index];
  plan::Pd& pd = plan.pds[index];
  const elf::ElfFile* elf = program_of(p, inputs);
  const elf::Symbol* buffer = elf ? find_symbol(*elf, kBufferSymbol) : nullptr;
  const elf::Symbol* size = elf ? find_symbol(*elf, kSizeSymbol) : nullptr;
  if (!elf) {
    diags.warning("trace-late-load", sd.file, p.at("name"),
                  "--trace: protection domain '" + p.name +
                      "' is late-loaded, so the tool cannot give it a ring; it is not traced", "");
    return true;
  }
  if (!buffer || !size) {
    report_untraced(p, sd.file, diags);
    return false;
  }
  uint64_t page = board.smallest_page_size();
  uint64_t vaddr = round_up(std::max(highest_end(pd, elf), board.user_vaddr.start), page) + page;
  if (vaddr + bytes > board.user_vaddr.end) {
    diags.error("trace-ring-does-not-fit", sd.file, p.at("name"),
                "--trace: no room for protection domain '" + p.name + "''s trace ring of " +
                    std::to_string(bytes) + " bytes above its mappings",
                "map the PD's regions lower, or give a smaller --trace-ring");
    return false;
  }
  plan::Mr mr;
  mr.name = ring_mr_name(p.name);
  for (const plan::Mr& other : plan.mrs)
    if (other.name == mr.name) {
      diags.error("trace-ring-name-taken", sd.file, p.at("name"),
                  "--trace: the memory region name '" + mr.name + "' for protection domain '" +
                      p.name + "''s trace ring is already taken",
                  "rename that memory region: names starting with '" + std::string(kRingMrPrefix) +
                      "' are the tool's when tracing");
      return false;
    }
  mr.size = bytes;
  mr.page_size = page;
  plan.mrs.push_back(mr);
  pd.mappings.push_back({plan.mrs.size() - 1, vaddr, bytes, true, true, false, true, false});
  pd.patches.push_back(patch(*buffer, vaddr, p.at("name")));
  pd.patches.push_back(patch(*size, bytes, p.at("name")));
  return true;
}

}  // namespace

std::string ring_mr_name(const std::string& pd) { return kRingMrPrefix + pd; }

bool add_trace_buffers(plan::Plan& plan, const sdf::SystemDescription& sd,
                       const plan::Inputs& inputs, const board::Board& board,
                       uint64_t ring_bytes, Diagnostics& diags) {
  uint64_t bytes = round_up(std::max<uint64_t>(ring_bytes, 1), board.smallest_page_size());
  bool ok = true;
  for (size_t i = 0; i < plan.pds.size() && i < sd.pds.size(); ++i)
    ok = add_ring(plan, i, sd, inputs, board, bytes, diags) && ok;
  return ok;
}

}  // namespace microkit::trace
