// fault_symbols: see fault_symbols.h. libdw reads the DWARF from the ELF's
// bytes in memory (no file is opened twice).
#include "debug/fault_symbols.h"

#include <elf.h>
#include <elfutils/libdw.h>
#include <libelf.h>

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "runtime/shared/fault_symbols.h"

namespace microkit::debug {
namespace {

namespace fs = microkit::fault_symbols;

struct RawRow {
  uint64_t address;
  std::string file;  // "" for an end of sequence
  int line;
  size_t order;      // position in the line program, to keep its order at equal addresses
};

struct FunctionSym {
  uint64_t start, size;
  std::string name;
};

std::string base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

void add_unit_rows(Dwarf_Die* cu, std::vector<RawRow>& rows) {
  Dwarf_Lines* lines = nullptr;
  size_t count = 0;
  if (dwarf_getsrclines(cu, &lines, &count) != 0) return;
  for (size_t i = 0; i < count; ++i) {
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    Dwarf_Addr address = 0;
    int line = 0;
    bool end = false;
    if (l == nullptr || dwarf_lineaddr(l, &address) != 0) continue;
    dwarf_lineno(l, &line);
    dwarf_lineendsequence(l, &end);
    const char* file = end ? nullptr : dwarf_linesrc(l, nullptr, nullptr);
    rows.push_back({address, file ? base_name(file) : std::string(), line, rows.size()});
  }
}

// Every row of every unit's line program.
std::vector<RawRow> dwarf_rows(const elf::ElfFile& file) {
  std::vector<RawRow> rows;
  elf_version(EV_CURRENT);
  Elf* e = elf_memory(const_cast<char*>(reinterpret_cast<const char*>(file.bytes.data())), file.bytes.size());
  if (e == nullptr) return rows;
  if (Dwarf* dw = dwarf_begin_elf(e, DWARF_C_READ, nullptr)) {
    Dwarf_CU* cu = nullptr;
    Dwarf_Die cudie, subdie;
    uint8_t unit_type = 0;
    while (dwarf_get_units(dw, cu, &cu, nullptr, &unit_type, &cudie, &subdie) == 0)
      add_unit_rows(&cudie, rows);
    dwarf_end(dw);
  }
  elf_end(e);
  return rows;
}

// One row per address (the line program's last at that address, an end of
// sequence only where nothing starts there), then only rows that change
// the (file, line).
std::vector<RawRow> reduce(std::vector<RawRow> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const RawRow& a, const RawRow& b) {
    if (a.address != b.address) return a.address < b.address;
    bool a_end = a.file.empty(), b_end = b.file.empty();
    return a_end && !b_end;  // an end of one sequence yields to a start of another
  });
  std::vector<RawRow> out;
  for (const RawRow& r : rows) {
    if (!out.empty() && out.back().address == r.address) out.pop_back();
    out.push_back(r);
  }
  std::vector<RawRow> changes;
  for (const RawRow& r : out)
    if (changes.empty() || changes.back().file != r.file || changes.back().line != r.line) changes.push_back(r);
  return changes;
}

// Names as the source spells them: without a compiler clone's suffix
// ("f.constprop.0", "f.isra.0", "f.cold"; no C or mangled C++ name has a
// dot) and C++ names demangled (the target cannot demangle).
std::string source_name(const std::string& symbol) {
  size_t dot = symbol.find('.', 1);
  std::string name = symbol.substr(0, dot);
  if (name.rfind("_Z", 0) != 0) return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  std::string result = status == 0 && out ? out : name;
  std::free(out);
  return result;
}

// Function symbols with a size, one per start address (a global name
// before a local or weak alias).
std::vector<FunctionSym> functions(const elf::ElfFile& file) {
  std::vector<std::pair<int, FunctionSym>> all;
  for (const elf::Symbol& s : file.symbols) {
    if (s.type != STT_FUNC || s.size == 0 || s.name.empty()) continue;
    all.push_back({s.bind == STB_GLOBAL ? 0 : 1, {s.value, s.size, source_name(s.name)}});
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second.start != b.second.start ? a.second.start < b.second.start : a.first < b.first;
  });
  std::vector<FunctionSym> out;
  for (const auto& [rank, f] : all)
    if (out.empty() || out.back().start != f.start) out.push_back(f);
  return out;
}

template <class T>
void append(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

struct Strings {
  std::string bytes;
  std::map<std::string, uint32_t> at;
  uint32_t add(const std::string& s) {
    auto [it, fresh] = at.emplace(s, uint32_t(bytes.size()));
    if (fresh) bytes.append(s).push_back('\0');
    return it->second;
  }
};

// The table bytes; `rows` empty for a functions-only table.
std::vector<uint8_t> serialise(const std::vector<FunctionSym>& fns, const std::vector<RawRow>& rows) {
  uint64_t base = UINT64_MAX;
  for (const auto& f : fns) base = std::min(base, f.start);
  for (const auto& r : rows) base = std::min(base, r.address);
  if (base == UINT64_MAX) base = 0;
  Strings strings;
  std::vector<fs::Function> fentries;
  for (const auto& f : fns) {
    if (f.start - base > UINT32_MAX) continue;
    fentries.push_back({uint32_t(f.start - base), uint32_t(std::min<uint64_t>(f.size, UINT32_MAX)), strings.add(f.name)});
  }
  std::map<std::string, uint16_t> file_index;
  std::vector<uint32_t> file_names;
  std::vector<fs::LineRow> rentries;
  for (const auto& r : rows) {
    if (r.address - base > UINT32_MAX) continue;
    uint16_t file = fs::kNoFile;
    if (!r.file.empty()) {
      auto [it, fresh] = file_index.emplace(r.file, uint16_t(file_names.size()));
      if (fresh) file_names.push_back(strings.add(r.file));
      file = it->second;
    }
    uint16_t line = r.line > 0 && r.line <= fs::kMaxLine ? uint16_t(r.line) : 0;
    rentries.push_back({uint32_t(r.address - base), file, line});
  }
  fs::TableHeader h{fs::kMagic, uint32_t(fentries.size()), uint32_t(rentries.size()),
                    uint32_t(file_names.size()), uint32_t(strings.bytes.size()), 0, base};
  std::vector<uint8_t> out;
  append(out, h);
  for (const auto& f : fentries) append(out, f);
  for (const auto& r : rentries) append(out, r);
  for (uint32_t n : file_names) append(out, n);
  out.insert(out.end(), strings.bytes.begin(), strings.bytes.end());
  while (out.size() % 8) out.push_back(0);
  return out;
}

}  // namespace

FaultSymbols build_fault_symbols(const elf::ElfFile& elf, size_t cap) {
  FaultSymbols out;
  std::vector<FunctionSym> fns = functions(elf);
  std::vector<RawRow> rows = reduce(dwarf_rows(elf));
  if (fns.empty() && rows.empty()) return out;
  std::vector<uint8_t> full = serialise(fns, rows);
  out.full_size = full.size();
  if (full.size() <= cap) {
    out.bytes = std::move(full);
    out.content = FaultSymbols::Content::Full;
    return out;
  }
  std::vector<uint8_t> names = serialise(fns, {});
  if (names.size() > cap || fns.empty()) return out;
  out.bytes = std::move(names);
  out.content = FaultSymbols::Content::FunctionsOnly;
  return out;
}

}  // namespace microkit::debug
