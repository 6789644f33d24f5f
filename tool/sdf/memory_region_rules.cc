#include "sdf/memory_region_rules.h"

namespace microkit::sdf {

static bool divides(uint64_t page, uint64_t value) { return page != 0 && value % page == 0; }

uint64_t declared_page_size(const MemoryRegion& mr, const board::Board& board) {
  return mr.page_size ? *mr.page_size : board.smallest_page_size();
}

uint64_t optimal_page_size(const MemoryRegion& mr, const board::Board& board, uint64_t size,
                           std::span<const uint64_t> map_vaddrs, bool io_mapped) {
  if (mr.page_size) return *mr.page_size;
  if (io_mapped) return board.smallest_page_size();
  // page_sizes is ascending: try the largest first.
  for (auto it = board.page_sizes.rbegin(); it != board.page_sizes.rend(); ++it) {
    if (!divides(*it, size)) continue;
    if (mr.phys_addr && !divides(*it, *mr.phys_addr)) continue;
    bool all_aligned = true;
    for (uint64_t vaddr : map_vaddrs) all_aligned = all_aligned && divides(*it, vaddr);
    if (all_aligned) return *it;
  }
  return board.smallest_page_size();
}

uint64_t pd_ipc_buffer_vaddr(const board::Board& board) {
  uint64_t page = board.smallest_page_size();
  uint64_t end = board.user_vaddr.end;
  uint64_t start = board.user_vaddr.start;
  return end - start >= page ? end - page : start;
}

uint64_t pd_stack_top(const board::Board& board) {
  uint64_t page = board.smallest_page_size();
  uint64_t ipc = pd_ipc_buffer_vaddr(board);
  return ipc - board.user_vaddr.start >= page ? ipc - page : board.user_vaddr.start;
}

uint64_t pd_reserved_start(uint64_t stack_size, const board::Board& board) {
  uint64_t top = pd_stack_top(board);
  return top - board.user_vaddr.start >= stack_size ? top - stack_size : board.user_vaddr.start;
}

}  // namespace microkit::sdf
