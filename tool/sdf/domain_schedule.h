// domain_schedule: the two facts about <domains> that the validator and the
// planner must agree on.
//
// - Domain ids: a <domain> with `id` has that id; one without gets the
//   smallest id no other domain uses (in document order), as the manual's
//   domains example describes.
// - Durations: the kernel counts a schedule entry in timer ticks (on MCS
//   kernels); "N us" becomes the nearest whole number of ticks at the
//   kernel's timer frequency, "N ticks" is taken as is. The kernel refuses 0
//   and anything that does not fit in 56 bits, so both are refused here.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "sdf/system_description.h"

namespace microkit::sdf {

inline constexpr uint64_t kMaxScheduleTicks = (uint64_t{1} << 56) - 1;

inline std::vector<uint64_t> domain_ids(const Domains& domains) {
  std::set<uint64_t> used;
  for (const Domain& d : domains.domains)
    if (d.id) used.insert(*d.id);
  std::vector<uint64_t> ids;
  uint64_t next = 0;
  for (const Domain& d : domains.domains) {
    if (d.id) {
      ids.push_back(*d.id);
      continue;
    }
    while (used.count(next)) ++next;
    used.insert(next);
    ids.push_back(next);
  }
  return ids;
}

// The entry's duration in ticks at `timer_hz`; nullopt when it does not fit
// in the kernel's 56 bits. May be 0 (too short for one tick).
inline std::optional<uint64_t> schedule_ticks(const ScheduleEntry& e, uint64_t timer_hz) {
  if (e.unit == ScheduleEntry::Unit::Ticks)
    return e.duration <= kMaxScheduleTicks ? std::optional(e.duration) : std::nullopt;
  unsigned __int128 scaled = static_cast<unsigned __int128>(e.duration) * timer_hz + 500000;
  unsigned __int128 ticks = scaled / 1000000;
  if (ticks > kMaxScheduleTicks) return std::nullopt;
  return static_cast<uint64_t>(ticks);
}

}  // namespace microkit::sdf
