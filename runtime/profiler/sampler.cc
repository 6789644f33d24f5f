// sampler: see sampler.h.
#include "runtime/profiler/sampler.h"

#include "runtime/shared/profile_format.h"

namespace microkit::profiler {
namespace {

// A bounded writer: once full, every later put is dropped and ok is false.
struct Out {
  char* p;
  size_t cap;
  size_t len = 0;
  bool ok = true;

  void put(char c) {
    if (len + 1 >= cap) {
      ok = false;
      return;
    }
    p[len++] = c;
  }
  void put(const char* s) {
    while (*s) put(*s++);
  }
  void number(uint64_t v, unsigned base) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[v % base];
      v /= base;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  // " *hash\n" over everything written so far, then the terminator.
  size_t finish() {
    uint32_t h = profile::line_hash(p, len);
    put(" *");
    for (int shift = 28; shift >= 0; shift -= 4) put("0123456789abcdef"[(h >> shift) & 0xf]);
    put('\n');
    if (!ok || cap == 0) return 0;
    p[len] = '\0';
    return len;
  }
};

void start(Out& o, const char* pd) {
  o.put(profile::kLinePrefix);
  o.put(pd);
}

}  // namespace

uint32_t walk_frames(uint64_t pc, uint64_t fp, ReadWord read, void* ctx, uint64_t* pcs, uint32_t max) {
  if (max == 0) return 0;
  uint32_t n = 0;
  pcs[n++] = pc;
  while (n < max && fp != 0 && (fp & 0xf) == 0) {
    uint64_t next = 0, ret = 0;
    if (!read(ctx, fp, &next) || !read(ctx, fp + 8, &ret) || ret == 0) break;
    pcs[n++] = ret;
    if (next <= fp) break;  // records move up the stack; anything else is not a chain
    fp = next;
  }
  return n;
}

size_t format_sample(char* out, size_t cap, const char* pd, uint64_t time, const uint64_t* pcs, uint32_t depth) {
  Out o{out, cap};
  start(o, pd);
  o.put(" s ");
  o.number(time, 10);
  for (uint32_t i = 0; i < depth; ++i) {
    o.put(' ');
    o.number(pcs[i], 16);
  }
  return o.finish();
}

size_t format_field(char* out, size_t cap, const char* pd, const char* key, uint64_t value, bool hex) {
  Out o{out, cap};
  start(o, pd);
  o.put(' ');
  o.put(key);
  o.put(' ');
  o.number(value, hex ? 16 : 10);
  return o.finish();
}

}  // namespace microkit::profiler
