/* lives.h: what the child records about its starts, in the shared region. */
#pragma once

#include <stdint.h>

#define TARGET_STARTS 1000u

struct lives {
    uint32_t starts;          /* starts counted in this region */
    uint32_t own_count;       /* starts counted in the child's .data, copied here */
    uint32_t sp_changes;      /* starts whose stack pointer differed from the first's */
    uint32_t reserved;
    uint64_t first_sp;        /* the stack pointer init() saw on the first start */
};
