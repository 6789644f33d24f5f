# The RISC-V 64 loader (included by runtime/loader/CMakeLists.txt):
# cross-compiled with riscv64_target.cmake for qemu_virt_riscv64, one per
# configuration. Skipped, saying so, without the cross compiler.
include(${MICROKIT_SOURCE_DIR}/runtime/loader/cmake/riscv64_target.cmake)
if(NOT MICROKIT_RISCV64_FOUND)
  message(STATUS "microkit loader: riscv64-linux-gnu-g++/objcopy not found, "
                 "skipping the RISC-V 64 loader and its QEMU tests")
  return()
endif()

set(rv_dir ${CMAKE_CURRENT_LIST_DIR})
set(riscv64_loader_sources
  ${rv_dir}/start.S
  ${rv_dir}/arch.cc
  ${rv_dir}/../loader.cc
  ${rv_dir}/../mem.cc)

# Every RISC-V 64 board with a loader in boards/ (qemu_virt_riscv64: RAM
# [0x80000000, 0x100000000) with -m 2G; the official board's loader address
# 0x90000000, above OpenSBI and the kernel). microkit_loader_configs is in
# runtime/loader/CMakeLists.txt.
microkit_boards(riscv64 riscv64_boards)
foreach(board ${riscv64_boards})
  microkit_loader_configs(riscv64 ${board} "${riscv64_loader_sources}")
endforeach()
