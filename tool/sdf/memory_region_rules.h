// Memory-region and address-space rules shared by the validator and the planner.
//
// Both phases must agree on two derived facts, so they are computed here and
// nowhere else:
// - the page size an MR is checked against, and the (possibly larger) page
//   size the planner backs it with;
// - where a PD's own mappings must stop: the top of the board's user virtual
//   address range holds, from the top down, the IPC buffer (one smallest page),
//   a guard page (one smallest page) and the stack (`stack_size` bytes).
// Functions here are pure and total: they never fail, whatever the input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "board/board.h"
#include "sdf/system_description.h"

namespace microkit::sdf {

// The page size an MR is checked against: its explicit `page_size` (even one
// the board does not support: the validator reports that), else the board's
// smallest. Sizes, physical addresses and map vaddrs must be multiples of it,
// and a prefilled MR without a size is rounded up to it.
uint64_t declared_page_size(const MemoryRegion& mr, const board::Board& board);

// The page size the planner uses. An explicit `page_size` wins; an MR mapped
// into an IO address space keeps the smallest (IOMMUs map small pages);
// otherwise the largest board page size dividing the size, the physical
// address (if fixed) and every vaddr the MR is mapped at, so that an SDF
// valid with small pages never becomes invalid by choosing large ones.
uint64_t optimal_page_size(const MemoryRegion& mr, const board::Board& board, uint64_t size,
                           std::span<const uint64_t> map_vaddrs, bool io_mapped);

// Lowest address of the region reserved at the top of every PD's address
// space for its stack, guard page and IPC buffer. PD mappings must end at or
// below it. Saturates at user_vaddr.start for absurd stack sizes.
uint64_t pd_reserved_start(uint64_t stack_size, const board::Board& board);

// The IPC buffer's address (the last smallest page of user_vaddr) and the
// stack's top (the page below the guard page), for the planner.
uint64_t pd_ipc_buffer_vaddr(const board::Board& board);
uint64_t pd_stack_top(const board::Board& board);

}  // namespace microkit::sdf
