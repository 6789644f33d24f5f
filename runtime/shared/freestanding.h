// freestanding.h: force-included (-include) first in every target C++
// translation unit, to police the freestanding rules mechanically.
//
// Target code (loader, initial task, libmicrokit) has no C library, no C++
// standard library, no heap, no exceptions and no RTTI. The build already
// passes -ffreestanding -fno-exceptions -fno-rtti -nostdlib -nostdinc
// -nostdinc++ (so <vector> and friends are not even found); this header
// turns the remaining ways to slip back into errors:
//   - a build that forgot -ffreestanding, -fno-exceptions or -fno-rtti;
//   - any use of the identifier `std` (every standard header uses it);
//   - the heap entry points, and `new` expressions (no heap to serve them).
// Only the compiler's own freestanding headers <stdint.h> and <stddef.h>
// (and <stdarg.h>) are meant to be included.
#pragma once

#if __STDC_HOSTED__
#error "target code must be compiled with -ffreestanding"
#endif
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "target code must be compiled with -fno-exceptions"
#endif
#if defined(__GXX_RTTI) || defined(__cpp_rtti)
#error "target code must be compiled with -fno-rtti"
#endif
#if defined(_GLIBCXX_RELEASE) || defined(_LIBCPP_VERSION) || defined(__GLIBC__)
#error "a standard library header was included in target code"
#endif

#ifdef __cplusplus
#pragma GCC poison std malloc calloc realloc free aligned_alloc new
#else
#pragma GCC poison malloc calloc realloc free aligned_alloc
#endif
