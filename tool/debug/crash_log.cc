// crash_log: see crash_log.h.
#include "debug/crash_log.h"

#include <charconv>
#include <sstream>

#include "runtime/shared/crash_dump.h"

namespace microkit::debug {
namespace {

namespace cd = microkit::crash_dump;
constexpr uint64_t kPage = 4096;

// "0x..." hexadecimal or decimal, the whole text.
std::optional<uint64_t> number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<uint8_t>> hex_bytes(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(uint8_t(hi << 4 | lo));
  }
  return out;
}

void read_what(std::istringstream& in, FaultReport& r) {
  std::string key, value;
  while (in >> key >> value) {
    if (key == "what") r.kind = value;
    else if (key == "access") r.access = value;
    else if (key == "address") r.address = number(value).value_or(0);
    else if (key == "pc") r.pc = number(value).value_or(0);
  }
}

void read_regs(std::istringstream& in, FaultReport& r) {
  std::string item;
  while (in >> item) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    if (auto v = number(item.substr(eq + 1))) r.regs.emplace_back(item.substr(0, eq), *v);
  }
}

// "mem <vaddr> <bytes>": into the page "page <vaddr>" opened.
void read_mem(std::istringstream& in, FaultReport& r) {
  std::string at, bytes;
  in >> at >> bytes;
  auto vaddr = number(at);
  auto data = hex_bytes(bytes);
  if (!vaddr || !data) return;
  auto page = r.pages.find(*vaddr & ~(kPage - 1));
  if (page == r.pages.end()) return;
  uint64_t offset = *vaddr - page->first;
  if (offset + data->size() > kPage) return;
  std::copy(data->begin(), data->end(), page->second.begin() + offset);
}

// One "mk-fault ..." line (prefix removed) into the report being read.
void read_line(const std::string& rest, FaultReport& r) {
  std::istringstream in(rest);
  std::string word;
  in >> word;
  if (word == "what") {
    std::istringstream again(rest);
    read_what(again, r);
  } else if (word == "regs") {
    read_regs(in, r);
  } else if (word == "frame") {
    std::string n, pc;
    in >> n >> pc;
    if (auto v = number(pc)) r.frames.push_back(*v);
  } else if (word == "page") {
    std::string at;
    in >> at;
    if (auto v = number(at); v && *v % kPage == 0) r.pages[*v] = std::vector<uint8_t>(kPage, 0);
  } else if (word == "mem") {
    read_mem(in, r);
  }
}

}  // namespace

std::optional<uint64_t> FaultReport::reg(std::string_view name) const {
  for (const auto& [n, v] : regs)
    if (n == name) return v;
  return std::nullopt;
}

std::vector<FaultReport> parse_crash_log(std::string_view log) {
  std::vector<FaultReport> out;
  bool open = false;
  size_t line_no = 0;
  std::string_view prefix = cd::kLinePrefix;
  while (!log.empty()) {
    size_t nl = log.find('\n');
    std::string_view line = log.substr(0, nl);
    log = nl == std::string_view::npos ? std::string_view{} : log.substr(nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    size_t at = line.find(prefix);
    if (at == std::string_view::npos) continue;
    std::string rest(line.substr(at + prefix.size()));
    if (rest.rfind("pd ", 0) == 0) {
      FaultReport r;
      r.line = line_no;
      std::istringstream in(rest.substr(3));
      std::string arch_word;
      in >> r.pd >> arch_word >> r.arch;
      out.push_back(std::move(r));
      open = true;
    } else if (open && rest == "end") {
      out.back().complete = true;
      open = false;
    } else if (open) {
      read_line(rest, out.back());
    }
  }
  return out;
}

}  // namespace microkit::debug
