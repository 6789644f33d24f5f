/* The page pinger and ponger share (gdb.system). */
#pragma once
#include <stdint.h>

struct counts {
    volatile uint64_t pings; /* written by pinger only */
    volatile uint64_t pongs; /* written by ponger only */
};
