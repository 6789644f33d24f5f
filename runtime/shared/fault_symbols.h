// fault_symbols.h: the compact symbol table the tool embeds per PD (debug
// configurations, docs/debugging.md) so that the initial task can name each
// frame of a fault backtrace: function+offset and file:line.
//
// Written by tool/debug/fault_symbols.cc from the PD's ELF (its function
// symbols and its DWARF line table), read in place by the initial task
// (runtime/initialiser/fault_report.cc). Layout, little-endian, 8-aligned:
//
//   TableHeader                          32 bytes
//   Function[function_count]             12 bytes each, sorted by start
//   LineRow[row_count]                    8 bytes each, sorted by start
//   uint32_t file_name[file_count]       string offsets of the file names
//   char strings[strings_size]           NUL-terminated names
//
// Addresses are offsets from `base` (the lowest address in the table), so
// 32 bits suffice for any PD program. A line row covers [start, next row's
// start); a row with file kNoFile ends a sequence (no line from there).
//
// Freestanding: only <stdint.h>; the lookup is shared by the tool's tests
// and the initial task.
#pragma once

#include <stdint.h>

namespace microkit::fault_symbols {

inline constexpr uint32_t kMagic = 0x59534b4du;  // "MKSY"
inline constexpr uint16_t kNoFile = 0xffff;
inline constexpr uint16_t kMaxLine = 0xffff;  // longer line numbers are stored as 0 (unknown)

struct TableHeader {
  uint32_t magic;
  uint32_t function_count;
  uint32_t row_count;
  uint32_t file_count;
  uint32_t strings_size;
  uint32_t reserved;
  uint64_t base;
};

struct Function {
  uint32_t start;  // offset from base
  uint32_t size;   // bytes, >= 1
  uint32_t name;   // string offset
};

struct LineRow {
  uint32_t start;  // offset from base
  uint16_t file;   // index into file_name, or kNoFile
  uint16_t line;   // 0 = unknown
};

static_assert(sizeof(TableHeader) == 32 && sizeof(Function) == 12 && sizeof(LineRow) == 8);

// What a table says about an address; null names when it says nothing.
struct Place {
  const char* function = nullptr;
  uint64_t offset = 0;  // from the function's start
  const char* file = nullptr;
  uint32_t line = 0;
};

namespace detail {

template <class T>
T read(const uint8_t* p) {
  T v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// The string at `offset`, if it is NUL-terminated inside the table.
inline const char* string_at(const uint8_t* strings, uint32_t size, uint32_t offset) {
  if (offset >= size) return nullptr;
  for (uint32_t i = offset; i < size; ++i)
    if (strings[i] == 0) return reinterpret_cast<const char*>(strings + offset);
  return nullptr;
}

// The index of the last entry (stride bytes, start at offset 0) whose start
// is <= key, or -1.
inline int64_t last_at_or_below(const uint8_t* entries, uint32_t count, uint32_t stride, uint32_t key) {
  int64_t lo = 0, hi = int64_t(count) - 1, found = -1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (read<uint32_t>(entries + mid * stride) <= key) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

}  // namespace detail

// The table's parts, checked against its size; false when malformed.
struct View {
  TableHeader h{};
  const uint8_t* functions = nullptr;
  const uint8_t* rows = nullptr;
  const uint8_t* files = nullptr;
  const uint8_t* strings = nullptr;
};

inline bool open(const uint8_t* table, uint64_t size, View* v) {
  if (table == nullptr || size < sizeof(TableHeader)) return false;
  v->h = detail::read<TableHeader>(table);
  if (v->h.magic != kMagic) return false;
  uint64_t need = sizeof(TableHeader) + uint64_t(v->h.function_count) * sizeof(Function) +
                  uint64_t(v->h.row_count) * sizeof(LineRow) + uint64_t(v->h.file_count) * 4 + v->h.strings_size;
  if (need > size) return false;
  v->functions = table + sizeof(TableHeader);
  v->rows = v->functions + uint64_t(v->h.function_count) * sizeof(Function);
  v->files = v->rows + uint64_t(v->h.row_count) * sizeof(LineRow);
  v->strings = v->files + uint64_t(v->h.file_count) * 4;
  return true;
}

// Where `address` is, by the table.
inline Place lookup(const uint8_t* table, uint64_t size, uint64_t address) {
  Place p;
  View v;
  if (!open(table, size, &v) || address < v.h.base || address - v.h.base > 0xffffffffu) return p;
  auto key = uint32_t(address - v.h.base);
  int64_t f = detail::last_at_or_below(v.functions, v.h.function_count, sizeof(Function), key);
  if (f >= 0) {
    auto fn = detail::read<Function>(v.functions + f * sizeof(Function));
    if (key - fn.start < fn.size) {
      p.function = detail::string_at(v.strings, v.h.strings_size, fn.name);
      p.offset = key - fn.start;
    }
  }
  int64_t r = detail::last_at_or_below(v.rows, v.h.row_count, sizeof(LineRow), key);
  if (r < 0) return p;
  auto row = detail::read<LineRow>(v.rows + r * sizeof(LineRow));
  if (row.file >= v.h.file_count) return p;
  p.file = detail::string_at(v.strings, v.h.strings_size, detail::read<uint32_t>(v.files + row.file * 4u));
  p.line = row.line;
  return p;
}

}  // namespace microkit::fault_symbols
