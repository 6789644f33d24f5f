# The RISC-V 64 loader (included by runtime/loader/CMakeLists.txt):
# cross-compiled with riscv64_target.cmake for qemu_virt_riscv64, one per
# single-core configuration. Skipped, saying so, without the cross compiler.
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
  ${rv_dir}/ns16550.cc
  ${rv_dir}/../loader.cc
  ${rv_dir}/../mem.cc)

# Board facts (QEMU virt RISC-V, -m 2G: RAM [0x80000000, 0x100000000); the
# official board's loader address 0x90000000, above OpenSBI and the kernel).
set(qemu_virt_riscv64_link
  -Wl,--defsym=__link_address=0x90000000 -Wl,--defsym=__ram_end=0x100000000)

foreach(config debug release benchmark)
  set(defines MICROKIT_LOADER_NS16550_BASE=0x10000000ull)
  if(config STREQUAL "debug")
    list(APPEND defines MICROKIT_LOADER_DEBUG=1)
  endif()
  set(name loader_qemu_virt_riscv64_${config})
  microkit_riscv64_program(${name}
    SOURCES ${riscv64_loader_sources}
    LINKER_SCRIPT ${rv_dir}/loader.ld
    DEFINES ${defines}
    LINK_OPTIONS ${qemu_virt_riscv64_link})
  set_property(GLOBAL PROPERTY MICROKIT_LOADER_qemu_virt_riscv64_${config}_BIN ${${name}_BIN})
  set_property(GLOBAL PROPERTY MICROKIT_LOADER_qemu_virt_riscv64_${config}_TARGET ${name})
endforeach()
