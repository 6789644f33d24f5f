# aarch64_target.cmake: building freestanding AArch64 programs (the loader,
# QEMU test payloads, test root tasks) with the Debian cross compiler,
# without touching the host build's toolchain.
#
# The programs themselves are built by target_program.cmake. When the
# cross compiler is missing, MICROKIT_AARCH64_FOUND is FALSE and callers
# skip their targets with a message.
# Included by each user (no include_guard): the variables below are per directory scope.

find_program(MICROKIT_AARCH64_CXX NAMES aarch64-linux-gnu-g++ aarch64-none-elf-g++)
find_program(MICROKIT_AARCH64_OBJCOPY NAMES aarch64-linux-gnu-objcopy aarch64-none-elf-objcopy)
if(MICROKIT_AARCH64_CXX AND MICROKIT_AARCH64_OBJCOPY)
  set(MICROKIT_AARCH64_FOUND TRUE)
  execute_process(COMMAND ${MICROKIT_AARCH64_CXX} -print-file-name=include
                  OUTPUT_VARIABLE MICROKIT_AARCH64_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
else()
  set(MICROKIT_AARCH64_FOUND FALSE)
endif()

# The freestanding rules, enforced by flags plus the poison header.
set(MICROKIT_AARCH64_CXXFLAGS
  -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -nostdinc -nostdinc++
  -isystem ${MICROKIT_AARCH64_GCC_INCLUDE}
  -include ${MICROKIT_SOURCE_DIR}/runtime/shared/freestanding.h
  -I${MICROKIT_SOURCE_DIR}
  -mcpu=cortex-a53 -mgeneral-regs-only -mstrict-align -fno-pic -fno-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-threadsafe-statics -fno-tree-loop-distribute-patterns -fno-common
  -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter)

# microkit_aarch64_program(<name> ...): microkit_target_program(AARCH64 <name> ...)
# (target_program.cmake says what the arguments are and what it produces).
include(${CMAKE_CURRENT_LIST_DIR}/target_program.cmake)
function(microkit_aarch64_program name)
  microkit_target_program(AARCH64 ${name} ${ARGN})
  set(${name}_ELF ${${name}_ELF} PARENT_SCOPE)
  set(${name}_BIN ${${name}_BIN} PARENT_SCOPE)
endfunction()
