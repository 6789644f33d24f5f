/* profile_format.h: the per-PD profiler's sample buffer and its text dump,
 * shared by the host runtime (which samples), the host launcher (which
 * dumps) and the tool (which writes `perf script` text and a utilisation
 * table; tool/profile/).
 *
 * On the host platform each PD process samples itself: a SIGPROF timer on
 * the process's CPU time (ITIMER_PROF) at the SDF's <profiler frequency>
 * records the interrupted pc and, walking frame records (rbp chains) inside
 * the PD's Microkit stack, its callers. Samples go into a buffer the
 * launcher shares with the PD; when it is full, further samples are counted
 * as dropped.
 *
 * The dump, one sample per line (pcs in hex, innermost first):
 *
 *   microkit-profile <pd> hz <samples per second of CPU time>
 *   microkit-profile <pd> bias <hex>      (subtract from pcs inside the program)
 *   microkit-profile <pd> s <time ns> <pc> [<caller pc> ...]
 *   microkit-profile <pd> dropped <n>
 *
 * A line may end with ` *XXXXXXXX`: the FNV-1a hash (line_hash, hex) of its
 * bytes from the marker up to that space. The seL4 profiler PD frames every
 * line so (the serial line can garble); a reader skips a line whose hash
 * does not match.
 *
 * Works from C++ hosted or freestanding; includes only <stdint.h>.
 */
#ifndef MICROKIT_PROFILE_FORMAT_H
#define MICROKIT_PROFILE_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
namespace microkit::profile {

inline constexpr uint64_t kMagic = 0x31464f52504b4d00ull;  // "\0MKPROF1", little-endian
inline constexpr const char* kLinePrefix = "microkit-profile ";
inline constexpr uint32_t kMaxDepth = 14;
inline constexpr uint64_t kBufferBytes = 1 << 20;  // per PD: 8,191 samples
// The host launcher hands the buffer and the rate to each PD process.
inline constexpr const char* kFdEnv = "MICROKIT_HOST_PROFILE_FD";
inline constexpr const char* kHzEnv = "MICROKIT_HOST_PROFILE_HZ";

struct ProfileHeader {
  uint64_t magic;
  uint64_t capacity;   // samples that fit after the header
  uint64_t count;      // samples written
  uint64_t dropped;    // samples not written (buffer full)
  uint64_t hz;
  uint64_t load_bias;  // what the loader added to the program's addresses
  uint64_t reserved[2];
};

struct Sample {
  uint64_t time;   // ns, CLOCK_MONOTONIC
  uint32_t depth;  // pcs used
  uint32_t reserved;
  uint64_t pcs[kMaxDepth];
};

static_assert(sizeof(ProfileHeader) == 64 && sizeof(Sample) == 128, "runtime and launcher agree");

// FNV-1a, 32 bits: the frame check of a serial line.
constexpr uint32_t line_hash(const char* text, uint64_t len) {
  uint32_t h = 2166136261u;
  for (uint64_t i = 0; i < len; ++i) h = (h ^ uint8_t(text[i])) * 16777619u;
  return h;
}

constexpr uint64_t capacity_of(uint64_t bytes) {
  return bytes <= sizeof(ProfileHeader) ? 0 : (bytes - sizeof(ProfileHeader)) / sizeof(Sample);
}

}  // namespace microkit::profile
#endif /* __cplusplus */

#endif /* MICROKIT_PROFILE_FORMAT_H */
