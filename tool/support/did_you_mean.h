// "Did you mean ...?": the closest known name to a misspelt one.
//
// Distance is the optimal-string-alignment edit distance (insertions,
// deletions, substitutions and swaps of two neighbouring characters each
// cost 1), case-sensitive. A suggestion is made only when the names are
// plausibly the same word: at most one edit per three characters of the
// longer name (but always one), so `priorty` -> `priority` and `mem_region`
// -> `memory_region` are suggested but `id` -> `irq` is not. Ties go to the
// candidate listed first, so results are deterministic.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace microkit {

size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if close enough; never `word` itself
// (an exact match means the caller's question was not a misspelling).
std::optional<std::string> did_you_mean(std::string_view word,
                                        std::span<const std::string_view> candidates);

}  // namespace microkit
