// Memory-region and address-space rules shared by the validator and the planner.
//
// Both phases must agree on two derived facts, so they are computed here and
// nowhere else:
// - the page size an MR really uses (explicit `page_size`, else the largest
//   board page size that divides its size and its physical address);
// - where a PD's own mappings must stop: the top of the board's user virtual
//   address range holds, from the top down, the IPC buffer (one smallest page),
//   a guard page (one smallest page) and the stack (`stack_size` bytes).
// Functions here are pure and total: they never fail, whatever the input.
#pragma once

#include <cstdint>
#include <optional>

#include "board/board.h"
#include "sdf/system_description.h"

namespace microkit::sdf {

// The MR's page size. An explicit `page_size` wins (even one the board does
// not support: the validator reports that). Otherwise the largest board page
// size dividing both the size and the physical address, if known; the
// smallest page size when the size is not known yet (prefill without size).
uint64_t effective_page_size(const MemoryRegion& mr, const board::Board& board);

// The same, once the size is known (e.g. the planner sized a prefilled MR).
uint64_t effective_page_size(const MemoryRegion& mr, const board::Board& board,
                             uint64_t size);

// Lowest address of the region reserved at the top of every PD's address
// space for its stack, guard page and IPC buffer. PD mappings must end at or
// below it. Saturates at user_vaddr.start for absurd stack sizes.
uint64_t pd_reserved_start(uint64_t stack_size, const board::Board& board);

// The IPC buffer's address (the last smallest page of user_vaddr) and the
// stack's top (the page below the guard page), for the planner.
uint64_t pd_ipc_buffer_vaddr(const board::Board& board);
uint64_t pd_stack_top(const board::Board& board);

}  // namespace microkit::sdf
