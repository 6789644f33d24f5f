// Board files: boards/<name>.json, read into board::Board.
//
// Reading is strict (unknown keys, wrong types and impossible values are
// errors) because a board fixes the limits every system is checked against;
// a typo that silently fell back to a default would move those limits.

#include "board/board.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <set>

#include "board/json_text.h"

#ifndef MICROKIT_SOURCE_DIR
#define MICROKIT_SOURCE_DIR "."
#endif

namespace microkit::board {

using json_text::Json;
namespace fs = std::filesystem;

const char* arch_name(Arch arch) {
  switch (arch) {
    case Arch::AArch64: return "aarch64";
    case Arch::RiscV64: return "riscv64";
    case Arch::X86_64: return "x86_64";
    case Arch::Host: return "host";
  }
  return "unknown";
}

static std::optional<Arch> arch_from_name(std::string_view name) {
  for (Arch a : {Arch::AArch64, Arch::RiscV64, Arch::X86_64, Arch::Host})
    if (name == arch_name(a)) return a;
  return std::nullopt;
}

const Config* Board::find_config(std::string_view config_name) const {
  for (const Config& c : configs)
    if (c.name == config_name) return &c;
  return nullptr;
}

const Board* BoardDatabase::find(std::string_view board_name) const {
  for (const Board& b : boards)
    if (b.name == board_name) return &b;
  return nullptr;
}

std::vector<std::string> BoardDatabase::names() const {
  std::vector<std::string> out;
  for (const Board& b : boards) out.push_back(b.name);
  return out;
}

namespace {

// Reads the members of one JSON object, reporting against the file's text.
// `where` names the object in messages ("board", "config 'debug'", ...).
class Reader {
 public:
  Reader(std::string_view text, const std::string& file, Diagnostics& diags)
      : text_(text), file_(file), diags_(diags) {}

  Loc loc(std::string_view key) const { return json_text::loc_of_key(text_, key); }
  bool failed() const { return diags_.error_count() != errors_at_start_; }

  // Errors for keys of `object` outside `allowed`.
  void reject_unknown(const Json& object, std::initializer_list<std::string_view> allowed,
                      const std::string& where) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      diags_.error("board-unknown-key", file_, loc(key),
                   "unknown key '" + key + "' in " + where,
                   "the keys allowed here are: " + list);
    }
  }

  const Json* require(const Json& object, std::string_view key, const std::string& where,
                      Loc at) {
    auto it = object.find(key);
    if (it != object.end()) return &*it;
    diags_.error("board-missing-key", file_, at,
                 "missing key '" + std::string(key) + "' in " + where,
                 "add \"" + std::string(key) + "\" to " + where);
    return nullptr;
  }

  void bad_value(std::string_view key, const std::string& what) {
    diags_.error("board-bad-value", file_, loc(key),
                 "'" + std::string(key) + "' " + what);
  }

  std::optional<uint64_t> number(const Json& value, std::string_view key) {
    auto n = json_text::to_u64(value);
    if (!n) bad_value(key, "must be a non-negative integer (a number, or a string \"0x...\")");
    return n;
  }

  std::optional<std::string> string(const Json& value, std::string_view key) {
    if (value.is_string()) return value.get<std::string>();
    bad_value(key, "must be a string");
    return std::nullopt;
  }

  std::optional<bool> boolean(const Json& value, std::string_view key) {
    if (value.is_boolean()) return value.get<bool>();
    bad_value(key, "must be true or false");
    return std::nullopt;
  }

  bool object(const Json& value, std::string_view key) {
    if (value.is_object()) return true;
    bad_value(key, "must be a JSON object");
    return false;
  }

 private:
  std::string_view text_;
  const std::string& file_;
  Diagnostics& diags_;
  size_t errors_at_start_ = diags_.error_count();
};

// Assigns `key` of `object` to `*out` when present and well-typed.
void optional_u64(Reader& r, const Json& object, std::string_view key, uint64_t* out) {
  auto it = object.find(key);
  if (it == object.end()) return;
  if (auto n = r.number(*it, key)) *out = *n;
}

void optional_bool(Reader& r, const Json& object, std::string_view key, bool* out) {
  auto it = object.find(key);
  if (it == object.end()) return;
  if (auto b = r.boolean(*it, key)) *out = *b;
}

void read_limits(Reader& r, const Json& j, Limits& limits, const std::string& where) {
  if (!r.object(j, "limits")) return;
  r.reject_unknown(j,
                   {"max_pds", "max_channel_id", "max_priority", "max_child_id", "max_vcpu_id",
                    "max_ioport_id", "min_stack_size", "max_stack_size", "max_x86_vector",
                    "max_domains", "max_domain_schedule"},
                   "the limits of " + where);
  optional_u64(r, j, "max_pds", &limits.max_pds);
  optional_u64(r, j, "max_channel_id", &limits.max_channel_id);
  optional_u64(r, j, "max_priority", &limits.max_priority);
  optional_u64(r, j, "max_child_id", &limits.max_child_id);
  optional_u64(r, j, "max_vcpu_id", &limits.max_vcpu_id);
  optional_u64(r, j, "max_ioport_id", &limits.max_ioport_id);
  optional_u64(r, j, "min_stack_size", &limits.min_stack_size);
  optional_u64(r, j, "max_stack_size", &limits.max_stack_size);
  optional_u64(r, j, "max_x86_vector", &limits.max_x86_vector);
  for (auto [key, field] : {std::pair{"max_domains", &limits.max_domains},
                             std::pair{"max_domain_schedule", &limits.max_domain_schedule}}) {
    uint64_t value = 0;
    if (j.contains(key)) optional_u64(r, j, key, &value), *field = value;
  }
  if (limits.min_stack_size > limits.max_stack_size)
    r.bad_value("min_stack_size", "is larger than max_stack_size in " + where);
}

std::optional<Config> read_config(Reader& r, const Json& j, size_t index) {
  if (!j.is_object()) {
    r.bad_value("configs", "must hold JSON objects, one per configuration");
    return std::nullopt;
  }
  std::string where = "configs[" + std::to_string(index) + "]";
  Config c;
  const Json* name = r.require(j, "name", where, r.loc("configs"));
  if (name) {
    auto s = r.string(*name, "name");
    if (s) c.name = *s;
    where = "config '" + c.name + "'";
  }
  r.reject_unknown(j, {"name", "debug", "benchmark", "smp", "cpus", "limits"}, where);
  optional_bool(r, j, "debug", &c.debug);
  optional_bool(r, j, "benchmark", &c.benchmark);
  optional_bool(r, j, "smp", &c.smp);
  optional_u64(r, j, "cpus", &c.cpus);
  if (auto it = j.find("limits"); it != j.end()) read_limits(r, *it, c.limits, where);
  if (c.cpus == 0) r.bad_value("cpus", "must be at least 1 in " + where);
  if (!c.smp && c.cpus > 1)
    r.bad_value("cpus", "is more than 1 in " + where + ", which is not an SMP configuration");
  return c;
}

void read_configs(Reader& r, const Json& j, Board& board) {
  if (!j.is_array() || j.empty()) {
    r.bad_value("configs", "must be a non-empty array of configurations");
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < j.size(); ++i) {
    auto c = read_config(r, j[i], i);
    if (!c) continue;
    if (!seen.insert(c->name).second)
      r.bad_value("configs", "names configuration '" + c->name + "' twice");
    if (c->cpus > board.cpu_count)
      r.bad_value("cpus", "of config '" + c->name + "' exceeds the board's cpu_count (" +
                              std::to_string(board.cpu_count) + ")");
    board.configs.push_back(std::move(*c));
  }
}

void read_page_sizes(Reader& r, const Json& j, Board& board) {
  if (!j.is_array() || j.empty()) {
    r.bad_value("page_sizes", "must be a non-empty array of sizes");
    return;
  }
  for (const Json& v : j) {
    auto n = r.number(v, "page_sizes");
    if (!n) continue;
    if (*n == 0 || (*n & (*n - 1)) != 0) {
      r.bad_value("page_sizes", "holds " + std::to_string(*n) + ", which is not a power of two");
      continue;
    }
    if (!board.page_sizes.empty() && *n <= board.page_sizes.back()) {
      r.bad_value("page_sizes", "must be in ascending order without repeats");
      continue;
    }
    board.page_sizes.push_back(*n);
  }
}

void read_user_vaddr(Reader& r, const Json& j, Board& board) {
  if (!r.object(j, "user_vaddr")) return;
  r.reject_unknown(j, {"start", "end"}, "user_vaddr");
  const Json* start = r.require(j, "start", "user_vaddr", r.loc("user_vaddr"));
  const Json* end = r.require(j, "end", "user_vaddr", r.loc("user_vaddr"));
  if (!start || !end) return;
  auto s = r.number(*start, "start");
  auto e = r.number(*end, "end");
  if (!s || !e) return;
  if (*s >= *e) r.bad_value("user_vaddr", "is empty: start must be below end (end is exclusive)");
  board.user_vaddr = Range{*s, *e};
}


// The loader's facts: a UART driver the loader has for the board's
// architecture, its address and the end of RAM; GIC addresses on AArch64.
void read_loader(Reader& r, const Json& j, Board& board) {
  if (!r.object(j, "loader")) return;
  if (board.arch != Arch::AArch64 && board.arch != Arch::RiscV64) {
    r.bad_value("loader", std::string("is for aarch64 and riscv64 boards; ") + arch_name(board.arch) +
                              " boards boot without this project's loader");
    return;
  }
  r.reject_unknown(j, {"uart", "uart_paddr", "ram_end", "gicd_paddr", "gicc_paddr"}, "loader");
  LoaderFacts f;
  for (std::string_view key : {"uart", "uart_paddr", "ram_end"})
    if (!r.require(j, key, "loader", r.loc("loader"))) return;
  if (auto s = r.string(j.at("uart"), "uart")) f.uart = *s;
  const char* driver = board.arch == Arch::RiscV64 ? "ns16550" : "pl011";
  if (!f.uart.empty() && f.uart != driver)
    r.bad_value("uart", "is '" + f.uart + "'; the " + arch_name(board.arch) + " loader has a '" + driver +
                            "' driver (add runtime/loader/" + arch_name(board.arch) + "/" + f.uart +
                            ".cc for another)");
  if (auto n = r.number(j.at("uart_paddr"), "uart_paddr")) f.uart_paddr = *n;
  if (auto n = r.number(j.at("ram_end"), "ram_end")) f.ram_end = *n;
  for (auto [key, field] : {std::pair{"gicd_paddr", &f.gicd_paddr}, std::pair{"gicc_paddr", &f.gicc_paddr}})
    if (auto it = j.find(key); it != j.end()) *field = r.number(*it, key);
  if (board.arch == Arch::AArch64 && (!f.gicd_paddr || !f.gicc_paddr))
    r.bad_value("loader", "needs gicd_paddr and gicc_paddr on aarch64 (the loader sets up the GICv2)");
  if (board.loader_address && f.ram_end <= *board.loader_address)
    r.bad_value("ram_end", "must be above loader_address");
  board.loader = f;
}

// The placeholders a QEMU command may hold, and which one it must.
constexpr std::array kQemuPlaceholders = {std::string_view("{image}"), std::string_view("{kernel32}"),
                                          std::string_view("{cpus}")};

bool known_placeholders(const std::string& word) {
  for (size_t at = word.find('{'); at != std::string::npos; at = word.find('{', at + 1)) {
    auto known = [&](std::string_view p) { return word.compare(at, p.size(), p) == 0; };
    if (std::none_of(kQemuPlaceholders.begin(), kQemuPlaceholders.end(), known)) return false;
  }
  return true;
}

std::optional<std::vector<std::string>> read_words(Reader& r, const Json& j, std::string_view key) {
  if (!j.is_array()) {
    r.bad_value(key, "must be an array of strings, one per command-line word");
    return std::nullopt;
  }
  std::vector<std::string> words;
  for (const Json& w : j) {
    auto s = r.string(w, key);
    if (!s) return std::nullopt;
    if (!known_placeholders(*s)) {
      r.bad_value(key, "holds '" + *s + "', whose {...} is not one of {image}, {kernel32}, {cpus}");
      return std::nullopt;
    }
    words.push_back(*s);
  }
  return words;
}

bool mentions(const std::vector<std::string>& words, std::string_view placeholder) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& w) { return w.find(placeholder) != std::string::npos; });
}

// How QEMU boots the board: its command, which must load {image} (and, on
// x86-64, {kernel32}: QEMU's multiboot -kernel takes a 32-bit ELF only).
void read_qemu(Reader& r, const Json& j, Board& board) {
  if (!r.object(j, "qemu")) return;
  r.reject_unknown(j, {"command", "smp"}, "qemu");
  const Json* command = r.require(j, "command", "qemu", r.loc("qemu"));
  if (!command) return;
  QemuCommand q;
  auto words = read_words(r, *command, "command");
  if (!words) return;
  q.command = std::move(*words);
  if (q.command.empty() || !mentions(q.command, "{image}"))
    return r.bad_value("command", "must load the image: name {image} in one of its words");
  if (board.arch == Arch::X86_64 && !mentions(q.command, "{kernel32}"))
    return r.bad_value("command", "must boot {kernel32} on x86-64 (QEMU's -kernel takes a 32-bit ELF)");
  if (auto it = j.find("smp"); it != j.end()) {
    auto smp = read_words(r, *it, "smp");
    if (!smp) return;
    q.smp_args = std::move(*smp);
  }
  board.qemu = std::move(q);
}

// Every scalar key of the board object; structured ones are read after.
void read_scalars(Reader& r, const Json& j, Board& board) {
  if (auto it = j.find("description"); it != j.end())
    if (auto s = r.string(*it, "description")) board.description = *s;
  if (auto it = j.find("notes"); it != j.end()) r.string(*it, "notes");
  if (auto it = j.find("kernel_platform"); it != j.end())
    if (auto s = r.string(*it, "kernel_platform")) board.kernel_platform = *s;
  if (auto it = j.find("loader_address"); it != j.end() && !it->is_null())
    board.loader_address = r.number(*it, "loader_address");
  optional_u64(r, j, "cpu_count", &board.cpu_count);
  optional_bool(r, j, "hypervisor", &board.hypervisor);
  if (board.cpu_count == 0) r.bad_value("cpu_count", "must be at least 1");
}

}  // namespace

std::optional<Board> parse_board(std::string_view json_text, const std::string& file,
                                 Diagnostics& diags) {
  // 1. JSON syntax; 2. the top-level shape; 3. each member; 4. cross checks.
  auto j = json_text::parse(json_text, file, "board-json", diags);
  if (!j) return std::nullopt;
  Reader r(json_text, file, diags);
  if (!j->is_object()) {
    diags.error("board-bad-value", file, {1, 1}, "a board file must hold one JSON object");
    return std::nullopt;
  }
  r.reject_unknown(*j,
                   {"name", "description", "notes", "arch", "page_sizes", "user_vaddr",
                    "loader_address", "loader", "cpu_count", "hypervisor", "kernel_platform",
                    "qemu", "configs"},
                   "the board");
  Board board;
  Loc top = loc_of_offset(json_text, json_text.find('{'));
  bool complete = true;
  for (std::string_view key : {"name", "arch", "page_sizes", "user_vaddr", "configs"})
    complete = r.require(*j, key, "the board", top) && complete;
  if (!complete) return std::nullopt;

  if (auto s = r.string(j->at("name"), "name")) board.name = *s;
  if (auto s = r.string(j->at("arch"), "arch")) {
    auto arch = arch_from_name(*s);
    if (arch) board.arch = *arch;
    else r.bad_value("arch", "is '" + *s + "'; expected aarch64, riscv64, x86_64 or host");
  }
  read_scalars(r, *j, board);
  read_page_sizes(r, j->at("page_sizes"), board);
  read_user_vaddr(r, j->at("user_vaddr"), board);
  read_configs(r, j->at("configs"), board);
  if (auto it = j->find("loader"); it != j->end()) read_loader(r, *it, board);
  if (auto it = j->find("qemu"); it != j->end()) read_qemu(r, *it, board);
  if (r.failed()) return std::nullopt;
  return board;
}

namespace {

std::string fill(std::string word, std::string_view placeholder, const std::string& value) {
  for (size_t at = word.find(placeholder); at != std::string::npos;
       at = word.find(placeholder, at + value.size()))
    word.replace(at, placeholder.size(), value);
  return word;
}

}  // namespace

std::vector<std::string> qemu_command(const Board& board, const Config& config,
                                      const std::string& image, const std::string& kernel32) {
  if (!board.qemu) return {};
  std::vector<std::string> words = board.qemu->command;
  if (config.smp) words.insert(words.end(), board.qemu->smp_args.begin(), board.qemu->smp_args.end());
  for (std::string& w : words)
    w = fill(fill(fill(w, "{image}", image), "{kernel32}", kernel32), "{cpus}",
             std::to_string(config.cpus));
  return words;
}

BoardDatabase load_boards(const std::string& dir, Diagnostics& diags, const std::optional<std::string>& only) {
  BoardDatabase db;
  std::error_code ec;
  std::vector<fs::path> files;
  fs::path one = fs::path(dir) / (only.value_or("") + ".json");
  if (only && !only->empty() && fs::is_regular_file(one, ec)) {
    files.push_back(one);
  } else {
    ec.clear();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) {
    diags.error("board-dir", dir, {}, "cannot read the board folder: " + ec.message(),
                "set MICROKIT_BOARDS to the folder holding the <board>.json files");
    return db;
  }
  std::sort(files.begin(), files.end());  // a stable order for names() and messages
  for (const fs::path& path : files) {
    auto text = json_text::read_file(path.string(), "board-io", diags);
    if (!text) continue;
    auto board = parse_board(*text, path.string(), diags);
    if (!board) continue;
    if (board->name != path.stem().string()) {
      diags.error("board-name-mismatch", path.string(), json_text::loc_of_key(*text, "name"),
                  "board '" + board->name + "' is in a file named " + path.filename().string(),
                  "name the file " + board->name + ".json, or change \"name\"");
      continue;
    }
    db.boards.push_back(std::move(*board));
  }
  return db;
}

// The executable's path: argv[0] when it has a folder in it, else (found on
// $PATH) what /proc/self/exe points at.
static fs::path executable_path(const std::string& argv0) {
  std::error_code ec;
  if (argv0.find('/') != std::string::npos) {
    fs::path p = fs::weakly_canonical(argv0, ec);
    return ec ? fs::path(argv0) : p;
  }
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p;
}

std::string default_boards_dir(const std::string& argv0) {
  if (const char* env = std::getenv("MICROKIT_BOARDS"); env && *env) return env;
  fs::path exe = executable_path(argv0);
  if (!exe.empty()) {
    fs::path installed = exe.parent_path() / ".." / "share" / "microkit" / "boards";
    std::error_code ec;
    if (fs::is_directory(installed, ec)) {
      fs::path clean = fs::weakly_canonical(installed, ec);
      return ec ? installed.string() : clean.string();
    }
  }
  return std::string(MICROKIT_SOURCE_DIR) + "/boards";
}

}  // namespace microkit::board
