#include "support/did_you_mean.h"

#include <algorithm>
#include <vector>

namespace microkit {

// Three rows of the dynamic-programming table suffice: the swap rule looks
// two rows back.
size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = b.size();
  std::vector<size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

static bool close_enough(size_t distance, std::string_view a, std::string_view b) {
  return distance <= std::max<size_t>(1, std::max(a.size(), b.size()) / 3);
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (std::string_view candidate : candidates) {
    if (candidate == word) continue;
    size_t d = edit_distance(word, candidate);
    if (!close_enough(d, word, candidate)) continue;
    if (!best || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best) return std::nullopt;
  return std::string(*best);
}

}  // namespace microkit
