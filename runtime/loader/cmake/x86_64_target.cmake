# x86_64_target.cmake: building freestanding x86-64 programs (the initial
# task, libmicrokit, QEMU test root tasks) with Debian's x86-64 compiler,
# without touching the host build's toolchain (the host compiler may be
# clang or carry sanitizer flags; these programs take none of that).
#
# The programs themselves are built by target_program.cmake. When the
# compiler is missing, MICROKIT_X86_64_FOUND is FALSE and callers skip their
# targets with a message.
# Included by each user (no include_guard): the variables below are per directory scope.
#
# Flags beyond the common freestanding ones:
#   -mno-red-zone      nothing below the stack pointer is assumed safe
#                      (the official SDK builds x86-64 PDs the same way);
#   -mgeneral-regs-only no SSE/x87 in runtime code: the initial task and
#                      libmicrokit never touch the FPU, so a PD with
#                      fpu="false" can still use them;
#   -mcmodel=small -fno-pic -fno-pie: every program is linked static below
#                      2 GiB (initialiser.ld, microkit.ld).

find_program(MICROKIT_X86_64_CXX NAMES x86_64-linux-gnu-g++ x86_64-elf-g++)
find_program(MICROKIT_X86_64_OBJCOPY NAMES x86_64-linux-gnu-objcopy x86_64-elf-objcopy objcopy)
if(MICROKIT_X86_64_CXX AND MICROKIT_X86_64_OBJCOPY)
  set(MICROKIT_X86_64_FOUND TRUE)
  execute_process(COMMAND ${MICROKIT_X86_64_CXX} -print-file-name=include
                  OUTPUT_VARIABLE MICROKIT_X86_64_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
else()
  set(MICROKIT_X86_64_FOUND FALSE)
endif()

# The freestanding rules, enforced by flags plus the poison header.
set(MICROKIT_X86_64_CXXFLAGS
  -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -nostdinc -nostdinc++
  -isystem ${MICROKIT_X86_64_GCC_INCLUDE}
  -include ${MICROKIT_SOURCE_DIR}/runtime/shared/freestanding.h
  -I${MICROKIT_SOURCE_DIR}
  -m64 -march=x86-64 -mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-pic -fno-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-threadsafe-statics -fno-tree-loop-distribute-patterns -fno-common -fcf-protection=none
  -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter)

# microkit_x86_64_program(<name> ...): microkit_target_program(X86_64 <name> ...)
# (target_program.cmake says what the arguments are and what it produces).
include(${CMAKE_CURRENT_LIST_DIR}/target_program.cmake)
function(microkit_x86_64_program name)
  microkit_target_program(X86_64 ${name} ${ARGN})
  set(${name}_ELF ${${name}_ELF} PARENT_SCOPE)
  set(${name}_BIN ${${name}_BIN} PARENT_SCOPE)
endfunction()
