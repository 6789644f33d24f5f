// Small text helpers shared by the tool's components for their messages.
//
// One definition of how the tool writes an address or a list, so that every
// message spells them the same way: hex() is lower-case with a `0x` prefix and
// no padding ("0x1000", "0x0"); join() puts `sep` between items and nothing
// around them. count_of() picks the singular for exactly one ("1 channel").
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace microkit {

// "0x1000"
inline std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

// "a, b, c"
inline std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

// "1 channel", "2 channels", "0 channels"; `plural_word` for irregular words.
inline std::string count_of(size_t count, std::string_view word, std::string_view plural_word = {}) {
  std::string out = std::to_string(count) + " ";
  if (count == 1) return out.append(word);
  if (!plural_word.empty()) return out.append(plural_word);
  return out.append(word).append("s");
}

// The words of `text`, split at white space (for line-based dumps).
inline std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < text.size()) {
    size_t start = text.find_first_not_of(" \t\r\n", at);
    if (start == std::string_view::npos) break;
    size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
    words.emplace_back(text.substr(start, end - start));
    at = end;
  }
  return words;
}

}  // namespace microkit
