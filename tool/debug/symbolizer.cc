// symbolizer: see symbolizer.h. libdw's offline mode reads the ELF at its
// link-time addresses, which are the PD's run-time addresses (PD programs
// are linked where they run).
#include "debug/symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>

#include <cstdlib>

namespace microkit::debug {

struct Symbolizer::State {
  Dwfl* dwfl = nullptr;
  Dwfl_Callbacks callbacks{};
};

Symbolizer::Symbolizer(const std::string& elf_path) : state_(std::make_unique<State>()) {
  state_->callbacks.find_elf = dwfl_build_id_find_elf;
  state_->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
  state_->callbacks.section_address = dwfl_offline_section_address;
  state_->dwfl = dwfl_begin(&state_->callbacks);
  if (state_->dwfl == nullptr) return;
  Dwfl_Module* module = dwfl_report_offline(state_->dwfl, "pd", elf_path.c_str(), -1);
  dwfl_report_end(state_->dwfl, nullptr, nullptr);
  if (module == nullptr) {
    dwfl_end(state_->dwfl);
    state_->dwfl = nullptr;
  }
}

Symbolizer::~Symbolizer() {
  if (state_->dwfl) dwfl_end(state_->dwfl);
}

bool Symbolizer::ok() const { return state_->dwfl != nullptr; }

namespace {

// The compilation unit whose code holds `address`. libdw finds it through
// .debug_aranges, which clang does not emit: then each unit's ranges are asked.
Dwarf_Die* cu_at(Dwfl_Module* module, Dwarf_Addr address, Dwarf_Addr* bias) {
  if (Dwarf_Die* cu = dwfl_module_addrdie(module, address, bias)) return cu;
  for (Dwarf_Die* cu = dwfl_module_nextcu(module, nullptr, bias); cu != nullptr;
       cu = dwfl_module_nextcu(module, cu, bias))
    if (dwarf_haspc(cu, address - *bias) == 1) return cu;
  return nullptr;
}

// The innermost function (inlined or not) whose code holds `address`, by
// its source name; nullptr without DWARF for it. Symbol names can be a
// compiler's clone ("f.constprop.0"); the DWARF name is the one in the source.
const char* dwarf_function(Dwfl_Module* module, Dwarf_Addr address) {
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = cu_at(module, address, &bias);
  if (cu == nullptr) return nullptr;
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes(cu, address - bias, &scopes);
  const char* name = nullptr;
  for (int i = 0; i < n && name == nullptr; ++i) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) name = dwarf_diename(&scopes[i]);
  }
  std::free(scopes);
  return name;
}

}  // namespace

SourcePlace Symbolizer::at(uint64_t address) const {
  SourcePlace place;
  if (!ok()) return place;
  Dwfl_Module* module = dwfl_addrmodule(state_->dwfl, address);
  if (module == nullptr) return place;
  if (const char* name = dwarf_function(module, address)) place.function = name;
  else if (const char* symbol = dwfl_module_addrname(module, address)) place.function = symbol;
  if (Dwfl_Line* row = dwfl_module_getsrc(module, address)) {
    int line = 0;
    if (const char* file = dwfl_lineinfo(row, nullptr, &line, nullptr, nullptr, nullptr)) {
      place.file = file;
      place.line = line;
    }
    return place;
  }
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = cu_at(module, address, &bias);
  Dwarf_Line* row = cu ? dwarf_getsrc_die(cu, address - bias) : nullptr;
  int line = 0;
  const char* file = row ? dwarf_linesrc(row, nullptr, nullptr) : nullptr;
  if (file != nullptr && dwarf_lineno(row, &line) == 0) {
    place.file = file;
    place.line = line;
  }
  return place;
}

std::optional<uint64_t> Symbolizer::function_start(uint64_t address) const {
  if (!ok()) return std::nullopt;
  Dwfl_Module* module = dwfl_addrmodule(state_->dwfl, address);
  GElf_Sym sym;
  if (module == nullptr || dwfl_module_addrsym(module, address, &sym, nullptr) == nullptr) return std::nullopt;
  return sym.st_value;
}

std::string describe(const SourcePlace& place) {
  std::string out = place.function.empty() ? "??" : place.function;
  if (!place.file.empty()) out += " at " + place.file + ":" + std::to_string(place.line);
  return out;
}

}  // namespace microkit::debug
