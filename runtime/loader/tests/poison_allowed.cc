// Must compile as target code: the compiler's freestanding headers and the
// shared image format are allowed.
#include <stddef.h>
#include <stdint.h>

#include "runtime/shared/loader_image.h"

uint64_t f() { return sizeof(microkit::loader_image::ImageHeader) + offsetof(microkit::loader_image::ImageRegion, paddr); }
