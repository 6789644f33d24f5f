// sampler.h: the pure half of the seL4 profiler PD (docs/profiling.md, "On
// seL4"): walking a sampled PD's frame records and writing one sample as a
// framed `microkit-profile` line (runtime/shared/profile_format.h).
//
// Freestanding (no heap, no std): built into the profiler PD and, unchanged,
// into a host unit test that feeds its output to the tool's parser.
//
// Framing: the serial line is shared with the loader's and kernel's output
// and can drop or garble bytes, so each line the profiler PD writes ends
// with ` *XXXXXXXX`, profile::line_hash (hex) of every byte from the
// `microkit-profile` marker up to that space. The tool skips (and counts)
// a line whose hash does not match; lines without a hash (the host
// launcher's dump, a file it wrote itself) are taken as they are.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace microkit::profiler {

// Reads the 8-byte word at `addr` of the sampled PD; false where the
// profiler cannot see it (outside the stack it was given).
using ReadWord = bool (*)(void* ctx, uint64_t addr, uint64_t* out);

// pcs[0] = pc, then the return address of each frame record reached from
// `fp` (AArch64: [fp] = caller's fp, [fp + 8] = return address) while the
// records are 16-byte aligned, readable and move up the stack. Returns the
// number of pcs written (at most `max`, at least 1 when max > 0).
uint32_t walk_frames(uint64_t pc, uint64_t fp, ReadWord read, void* ctx, uint64_t* pcs, uint32_t max);

// Writes "microkit-profile <pd> s <time> <pc> ... *<hash>\n" into `out`
// (NUL-terminated); returns its length, or 0 when `cap` is too small.
size_t format_sample(char* out, size_t cap, const char* pd, uint64_t time, const uint64_t* pcs, uint32_t depth);

// "microkit-profile <pd> <key> <value> *<hash>\n", key hz or dropped
// (decimal value) or bias (hex value); 0 when `cap` is too small.
size_t format_field(char* out, size_t cap, const char* pd, const char* key, uint64_t value, bool hex);

}  // namespace microkit::profiler
