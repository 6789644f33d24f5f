# boards.cmake: the seL4 boards of boards/*.json, read by the build so that
# adding a board is adding its file (docs/boards.md). Included by the loader
# and the initial task; no include_guard (functions only).
#
# microkit_boards(<arch> <out>): the names of the boards of <arch>
# (aarch64, riscv64) that have a "loader" object, in file-name order.
# microkit_board_loader(<board> <prefix>): sets <prefix>_UART, _UART_PADDR,
# _RAM_END, _LOADER_ADDRESS and (AArch64) _GICD, _GICC from its file.
# The tool checks every file strictly (board.cc); this reads what it needs.

function(microkit_boards arch out)
  file(GLOB files ${MICROKIT_SOURCE_DIR}/boards/*.json)
  list(SORT files)
  set(names)
  foreach(f ${files})
    file(READ ${f} json)
    string(JSON a ERROR_VARIABLE err GET "${json}" arch)
    string(JSON loader ERROR_VARIABLE no_loader GET "${json}" loader)
    if(a STREQUAL arch AND NOT no_loader)
      string(JSON name GET "${json}" name)
      list(APPEND names ${name})
    endif()
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

function(microkit_board_loader board prefix)
  file(READ ${MICROKIT_SOURCE_DIR}/boards/${board}.json json)
  string(JSON uart GET "${json}" loader uart)
  string(JSON uart_paddr GET "${json}" loader uart_paddr)
  string(JSON ram_end GET "${json}" loader ram_end)
  string(JSON address GET "${json}" loader_address)
  string(JSON gicd ERROR_VARIABLE no_gic GET "${json}" loader gicd_paddr)
  string(JSON gicc ERROR_VARIABLE no_gic GET "${json}" loader gicc_paddr)
  set(${prefix}_UART ${uart} PARENT_SCOPE)
  set(${prefix}_UART_PADDR ${uart_paddr} PARENT_SCOPE)
  set(${prefix}_RAM_END ${ram_end} PARENT_SCOPE)
  set(${prefix}_LOADER_ADDRESS ${address} PARENT_SCOPE)
  if(NOT no_gic)
    set(${prefix}_GICD ${gicd} PARENT_SCOPE)
    set(${prefix}_GICC ${gicc} PARENT_SCOPE)
  endif()
endfunction()
