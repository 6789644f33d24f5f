// perf_script (see perf_script.h).
#include "profile/perf_script.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "support/text.h"
#include "runtime/shared/profile_format.h"

namespace microkit::profile {
namespace {

bool hex_word(const std::string& w, uint64_t& out) {
  if (w.empty() || w.size() > 16 || w.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  out = std::strtoull(w.c_str(), nullptr, 16);
  return true;
}

bool dec_word(const std::string& w, uint64_t& out) {
  if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoull(w.c_str(), nullptr, 10);
  return true;
}

bool take_line(const std::vector<std::string>& w, PdSamples& pd) {
  if (w.size() == 3 && w[1] == "hz") return dec_word(w[2], pd.hz);
  if (w.size() == 3 && w[1] == "bias") return hex_word(w[2], pd.bias);
  if (w.size() == 3 && w[1] == "dropped") return dec_word(w[2], pd.dropped);
  if (w.size() < 4 || w[1] != "s") return false;
  std::pair<uint64_t, std::vector<uint64_t>> s;
  if (!dec_word(w[2], s.first)) return false;
  for (size_t i = 3; i < w.size(); ++i) {
    uint64_t pc = 0;
    if (!hex_word(w[i], pc)) return false;
    s.second.push_back(pc);
  }
  pd.samples.push_back(std::move(s));
  return true;
}

// A line framed with " *XXXXXXXX" (profile_format.h) keeps its body only if
// the hash matches; an unframed line is taken as it is. False: garbled.
bool unframe(std::string_view& line) {
  size_t star = line.rfind(" *");
  if (star == std::string_view::npos) return true;
  std::string_view hash = line.substr(star + 2);
  while (!hash.empty() && (hash.back() == '\r' || hash.back() == ' ')) hash.remove_suffix(1);
  uint64_t want = 0;
  if (hash.size() != 8 || !hex_word(std::string(hash), want)) return false;
  line = line.substr(0, star);
  return line_hash(line.data(), line.size()) == want;
}

uint64_t link_address(const PdSamples& pd, uint64_t pc) {
  return pd.bias != 0 && pc >= pd.bias ? pc - pd.bias : pc;
}

std::string frame(const PdSamples& pd, const elf::ElfFile* elf, const std::string& path, uint64_t pc) {
  std::string name = elf ? symbolise(*elf, link_address(pd, pc)) : "";
  char addr[24];
  std::snprintf(addr, sizeof addr, "%16llx", static_cast<unsigned long long>(pc));
  return std::string("\t") + addr + " " + (name.empty() ? "[unknown]" : name) + " (" + path + ")\n";
}

// "name" of "name+0xoff".
std::string function_of(const std::string& symbolised) {
  return symbolised.substr(0, symbolised.find('+'));
}

std::string fixed(double v, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

std::string pad(std::string s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// C++ names as a reader writes them, without spaces (perf script frames are
// split at spaces by the tools that read them).
std::string readable(const std::string& name) {
  if (!name.starts_with("_Z")) return name;
  int status = 0;
  char* plain = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !plain) return name;
  std::string out;
  for (const char* c = plain; *c; ++c)
    if (*c != ' ') out += *c;
  std::free(plain);
  return out;
}

}  // namespace

std::string symbolise(const elf::ElfFile& elf, uint64_t pc) {
  const elf::Symbol* best = nullptr;
  for (const elf::Symbol& s : elf.symbols) {
    if (s.type != 2 || s.value > pc) continue;  // STT_FUNC
    bool inside = pc < s.value + std::max<uint64_t>(s.size, 1);
    if (inside && (!best || s.value > best->value)) best = &s;
  }
  if (!best) return "";
  char off[24];
  std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(pc - best->value));
  return readable(best->name) + off;
}

std::vector<PdSamples> parse_samples(std::string_view text, const plan::Plan& plan,
                                     const std::string& file, Diagnostics& diags) {
  std::vector<PdSamples> pds(plan.pds.size());
  size_t bad = 0;
  std::string_view marker = kLinePrefix;
  for (size_t at = 0; at < text.size();) {
    size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    size_t m = line.find(marker);
    if (m == std::string_view::npos) continue;
    line = line.substr(m);
    if (!unframe(line)) {
      ++bad;
      continue;
    }
    auto w = words_of(line.substr(marker.size()));
    size_t pd = 0;
    while (!w.empty() && pd < plan.pds.size() && plan.pds[pd].name != w[0]) ++pd;
    if (w.empty() || pd == plan.pds.size() || !take_line(w, pds[pd])) ++bad;
  }
  if (bad > 0)
    diags.warning("profile-bad-lines", file, {}, std::to_string(bad) + " profiler lines could not be read and were skipped",
                  "give the system description the samples were taken with");
  return pds;
}

std::string perf_script(const std::vector<PdSamples>& pds, const plan::Plan& plan,
                        const std::vector<const elf::ElfFile*>& programs) {
  std::string out;
  for (size_t i = 0; i < pds.size(); ++i) {
    uint64_t period_ns = pds[i].hz ? 1000000000ull / pds[i].hz : 0;
    std::string pid = std::to_string(i + 1);
    for (const auto& [time, pcs] : pds[i].samples) {
      out += plan.pds[i].name + " " + pid + "/" + pid + " [000] " + fixed(static_cast<double>(time) / 1e9, 6) +
             ": " + std::to_string(period_ns) + " cpu-clock: \n";
      for (uint64_t pc : pcs) out += frame(pds[i], programs[i], plan.pds[i].program_path, pc);
      out += "\n";
    }
  }
  return out;
}

std::string utilisation_table(const std::vector<PdSamples>& pds, const plan::Plan& plan,
                              const std::vector<const elf::ElfFile*>& programs) {
  size_t total = 0;
  for (const PdSamples& pd : pds) total += pd.samples.size();
  std::string out = pad("protection domain", 20) + pad("samples", 9, true) + pad("share", 9, true) +
                    pad("cpu ms", 10, true) + "  hottest function (share of the PD's samples)\n";
  for (size_t i = 0; i < pds.size(); ++i) {
    std::map<std::string, size_t> by_function;
    for (const auto& s : pds[i].samples) {
      std::string name = programs[i] && !s.second.empty()
                             ? function_of(symbolise(*programs[i], link_address(pds[i], s.second[0])))
                             : "";
      ++by_function[name.empty() ? "[unknown]" : name];
    }
    auto hottest = std::max_element(by_function.begin(), by_function.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
    size_t n = pds[i].samples.size();
    double share = total ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0;
    double ms = pds[i].hz ? 1000.0 * static_cast<double>(n) / static_cast<double>(pds[i].hz) : 0;
    out += pad(plan.pds[i].name, 20) + pad(std::to_string(n), 9, true) + pad(fixed(share, 1) + "%", 9, true) +
           pad(fixed(ms, 1), 10, true);
    if (hottest != by_function.end())
      out += "  " + hottest->first + " (" + fixed(100.0 * static_cast<double>(hottest->second) / static_cast<double>(n), 1) + "%)";
    if (pds[i].dropped) out += "  [" + std::to_string(pds[i].dropped) + " dropped: buffer full]";
    out += "\n";
  }
  out += pad("total", 20) + pad(std::to_string(total), 9, true) + "\n";
  return out;
}

}  // namespace microkit::profile
