// loader.cc: the architecture-neutral part of the loader.
//
// loader_main() is called by the arch start code with a stack, a zeroed bss
// and the MMU off. It validates the image appended to the loader, copies
// every region to its physical address, then hands over to the arch code
// to finish the CPU set-up and enter the kernel. Nothing here returns on
// error: check() stops with a message naming the step.
#include <stddef.h>
#include <stdint.h>

#include "runtime/loader/arch.h"
#include "runtime/loader/check.h"
#include "runtime/loader/image_check.h"
#include "runtime/loader/uart.h"
#include "runtime/shared/loader_image.h"

namespace li = microkit::loader_image;

// Placed by the linker script: where the appended payload starts, and the
// offset the LoaderInfo advertises for it.
extern "C" char _start[];
extern "C" char __payload_start[];
extern "C" char __payload_offset[];
// The highest physical address the board's RAM allows the image to reach,
// from the linker script (loaded image must fit below it).
extern "C" char __ram_end[];

// The loader's identity card, found by the image writer at offset 8.
extern "C" [[gnu::section(".loader_info"), gnu::used]] const li::LoaderInfo loader_info = {
    li::kLoaderMagic,
    li::kImageVersion,
    reinterpret_cast<uint64_t>(_start),
    reinterpret_cast<uint64_t>(__payload_offset),
};

namespace microkit::loader {
namespace {

const char* g_step = "starting";

// Progress lines, debug builds only: "microkit loader: <text>[<number>]".
#ifdef MICROKIT_LOADER_DEBUG
constexpr bool kDebug = true;
#else
constexpr bool kDebug = false;
#endif

void say(const char* text) {
  if (!kDebug) return;
  uart_puts("microkit loader: ");
  uart_puts(text);
  uart_putc('\n');
}

void say_hex(const char* text, uint64_t value) {
  if (!kDebug) return;
  uart_puts("microkit loader: ");
  uart_puts(text);
  uart_puthex(value);
  uart_putc('\n');
}

void say_dec(const char* text, uint64_t value) {
  if (!kDebug) return;
  uart_puts("microkit loader: ");
  uart_puts(text);
  uart_putdec(value);
  uart_putc('\n');
}

// Word copies when both sides allow it: the MMU is off, so memory is
// Device-typed and unaligned accesses would fault (-mstrict-align).
void copy_bytes(uint8_t* dst, const uint8_t* src, uint64_t n) {
  if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src)) & 7) == 0) {
    for (; n >= 8; n -= 8, dst += 8, src += 8) {
      *reinterpret_cast<uint64_t*>(dst) = *reinterpret_cast<const uint64_t*>(src);
    }
  }
  for (; n > 0; --n) *dst++ = *src++;
}

void zero_bytes(uint8_t* dst, uint64_t n) {
  for (; n > 0 && (reinterpret_cast<uintptr_t>(dst) & 7) != 0; --n) *dst++ = 0;
  for (; n >= 8; n -= 8, dst += 8) *reinterpret_cast<uint64_t*>(dst) = 0;
  for (; n > 0; --n) *dst++ = 0;
}

const li::ImageHeader& read_header(uint64_t image_base) {
  step("checking the image header");
  const auto& h = *reinterpret_cast<const li::ImageHeader*>(__payload_start);
  uint64_t payload_offset = reinterpret_cast<uint64_t>(__payload_offset);
  uint64_t available = reinterpret_cast<uint64_t>(__ram_end) - (image_base + payload_offset);
  const char* problem = header_problem(h, payload_offset, available);
  if (problem) fail(problem);
  say_dec("image bytes: ", h.image_size);
  say_dec("regions: ", h.region_count);
  return h;
}

void load_regions(const li::ImageHeader& h, uint64_t image_base) {
  step("copying regions");
  const auto* regions = reinterpret_cast<const li::ImageRegion*>(&h + 1);
  for (uint32_t i = 0; i < h.region_count; ++i) {
    const char* problem = region_problem(h, regions, i, image_base);
    if (problem) fail(problem);
    const li::ImageRegion& r = regions[i];
    say_hex("  region at ", r.paddr);
    say_dec("    bytes: ", r.memory_size);
    auto* dst = reinterpret_cast<uint8_t*>(r.paddr);
    copy_bytes(dst, reinterpret_cast<const uint8_t*>(image_base + r.data_offset), r.data_size);
    zero_bytes(dst + r.data_size, r.memory_size - r.data_size);
  }
}

}  // namespace

void step(const char* what) {
  g_step = what;
  say(what);
}

[[noreturn]] void fail(const char* what) {
  uart_puts("microkit loader: FAILED while ");
  uart_puts(g_step);
  uart_puts(": ");
  uart_puts(what);
  uart_putc('\n');
  halt();
}

}  // namespace microkit::loader

// Steps: 1. check the header; 2. copy the regions; 3. set up the CPU
// (exception level, GIC, timers); 4. page tables and MMU; 5. the other
// cores (SMP kernels); 6. enter the kernel.
extern "C" [[noreturn]] void loader_main() {
  using namespace microkit::loader;
  uint64_t image_base = reinterpret_cast<uint64_t>(_start);
  say_hex("started at ", image_base);
  say_dec(arch::level_label(), arch::current_level());
  const li::ImageHeader& h = read_header(image_base);
  load_regions(h, image_base);
  arch::prepare_cpu(h);
  arch::enable_mmu(h, image_base, image_base + h.image_size);
  arch::start_secondary_cores(h);
  say_hex("jumping to kernel at ", h.kernel_entry);
  arch::enter_kernel(h);
}
