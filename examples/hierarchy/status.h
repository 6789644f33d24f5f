/*
 * The status region that the worker writes and the supervisor reads. It
 * is mapped read-write into the worker and read-only into the supervisor.
 */
#pragma once

#include <stdint.h>

struct worker_status {
    volatile uint32_t starts; /* how many times the worker has started */
};
