# QEMU boot tests on x86-64 (x86_64_generic), included by
# tests/qemu/CMakeLists.txt. No Microkit loader: QEMU's multiboot loader
# starts the kernel (converted to a 32-bit ELF) and the kernel loads the
# initial task from the first boot module (x86_64/x86_boot_test.sh).
#
#   qemu.x86_64.sel4_root_task   the real seL4 16.0.0 debug kernel for
#                                x86_64_generic and the minimal root task
#                                (root_task/, x86_64/start.S).
#   qemu.x86_64.initialiser_*    the initialiser executing a hand-made bound
#                                spec (x86_64/make_x86_initialiser_image.cc).
# Skipped, saying why, without the kernel package, the x86-64 compiler or QEMU.
include(${MICROKIT_SOURCE_DIR}/runtime/loader/cmake/x86_64_target.cmake)
set(x86_board x86_64_generic)
set(x86_pkg ${MICROKIT_KERNEL_ROOT}/${x86_board}/debug)
set(x86_script ${CMAKE_CURRENT_SOURCE_DIR}/x86_64/x86_boot_test.sh)

# x86_64_boot_test(<name> <args to x86_boot_test.sh...>)
function(x86_64_boot_test name)
  add_test(NAME qemu.x86_64.${name}
    COMMAND ${x86_script} --kernel ${x86_pkg}/bin/kernel.elf
            --workdir ${CMAKE_CURRENT_BINARY_DIR}/x86_64/${name} ${ARGN})
  set_tests_properties(qemu.x86_64.${name} PROPERTIES LABELS qemu SKIP_RETURN_CODE 77 TIMEOUT 120)
endfunction()

set(x86_skip)
if(NOT MICROKIT_X86_64_FOUND)
  set(x86_skip --skip-reason "no x86-64 compiler (x86_64-linux-gnu-g++) when configuring")
elseif(NOT EXISTS ${x86_pkg}/libsel4/include/sel4/sel4.h)
  set(x86_skip --skip-reason
      "no seL4 kernel package at ${x86_pkg} when configuring (set MICROKIT_KERNEL_ROOT and re-run cmake)")
endif()
if(x86_skip)
  message(STATUS "tests/qemu: x86-64 boot tests will be skipped: ${x86_skip}")
endif()

set(x86_task_args ${x86_skip})
if(NOT x86_skip)
  microkit_x86_64_program(qemu_test_root_task_x86_64
    SOURCES root_task/x86_64/start.S root_task/root_task.cc ${MICROKIT_SOURCE_DIR}/runtime/loader/mem.cc
    LINKER_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/root_task/root_task.ld
    INCLUDES ${x86_pkg}/libsel4/include)
  set(x86_task_args --initial-task ${qemu_test_root_task_x86_64_ELF})
endif()

x86_64_boot_test(sel4_root_task --timeout 60 ${x86_task_args}
  --expect "ELF-loading userland images from boot modules"
  --expect "Booting all finished, dropped to user space"
  --expect "root task: hello"
  --expect "untypeds")

# The initialiser (runtime/initialiser, x86_64 folder) executing a bound
# spec: make_x86_initialiser_image plans the two-PD system of
# tests/qemu/initialiser with memory found at boot, and writes the boot
# module; the PDs are the same programs built for x86-64.
add_executable(make_x86_initialiser_image x86_64/make_x86_initialiser_image.cc)
target_include_directories(make_x86_initialiser_image PRIVATE ${MICROKIT_SOURCE_DIR})
target_link_libraries(make_x86_initialiser_image PRIVATE microkit_tool)
get_property(x86_initialiser GLOBAL PROPERTY MICROKIT_INITIALISER_${x86_board}_debug_ELF)
set(x86_image_args)
if(NOT x86_skip AND x86_initialiser)
  foreach(pd ping pong)
    microkit_x86_64_program(qemu_test_pd_${pd}_x86_64
      SOURCES x86_64/pds/start.S initialiser/pds/${pd}.cc ${MICROKIT_SOURCE_DIR}/runtime/loader/mem.cc
      LINKER_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/initialiser/pds/pd.ld
      INCLUDES ${x86_pkg}/libsel4/include)
  endforeach()
  set(x86_image_args --kernel-package ${x86_pkg} --initialiser ${x86_initialiser}
      --pd ping=${qemu_test_pd_ping_x86_64_ELF} --pd pong=${qemu_test_pd_pong_x86_64_ELF})
endif()

# x86_64_initialiser_test(<name> [IMAGE_ARGS ...] EXPECT ... [FORBID ...]):
# the image is built at test time, then booted.
function(x86_64_initialiser_test name)
  cmake_parse_arguments(T "" "" "EXPECT;FORBID;IMAGE_ARGS" ${ARGN})
  set(args)
  foreach(e ${T_EXPECT})
    list(APPEND args --expect ${e})
  endforeach()
  foreach(f ${T_FORBID})
    list(APPEND args --forbid ${f})
  endforeach()
  set(skip ${x86_skip})
  if(NOT skip AND NOT x86_initialiser)
    set(skip --skip-reason "no initialiser built for ${x86_board}/debug")
  endif()
  x86_64_boot_test(initialiser_${name} --timeout 60 ${skip} ${args}
    -- $<TARGET_FILE:make_x86_initialiser_image> ${x86_image_args} ${T_IMAGE_ARGS})
endfunction()

# ping and pong run from memory found at boot; ping's fault is decoded
# with x86's page-fault error code; pong keeps running. Lines in order.
x86_64_initialiser_test(two_pds
  EXPECT
    "Booting all finished, dropped to user space"
    "microkit initialiser: running "
    "microkit initialiser: all steps done"
    "ping: hello"
    "ping: notified pong"
    "\"ping\" @"
    "microkit initialiser: PD 'ping' faulted: VM fault (data access) at address 0x0000000000000010, pc 0x"
    ", error code 0x0000000000000006 (not present, write, user); it is stopped, other PDs keep running"
    "pong: hello"
    "pong: notification arrived, badge 0x0000000000000008"
    "pong: still running after ping's fault"
  FORBID "ping: not reached" "FAILED")

# A step the kernel refuses is reported with its number and seL4 error
# (6 = seL4_FailedLookup: no page table at 0x10000000).
x86_64_initialiser_test(failing_step
  IMAGE_ARGS --failing-step
  EXPECT "microkit initialiser: FAILED at step " "(map frame): seL4 error 6"
  FORBID "ping: hello" "all steps done")

# More RAM planned than QEMU's 1 GiB machine has: the binding says so.
x86_64_initialiser_test(too_little_memory
  IMAGE_ARGS --too-much-memory
  EXPECT "microkit initialiser: FAILED at step 0 (bind untyped): no RAM untyped of the kernel has room for it (too little memory)"
  FORBID "ping: hello")

# libmicrokit on x86-64: two PDs built as a user builds them (gcc, ld,
# -lmicrokit, microkit.ld against the debug library), run by the
# initialiser: a notification, a protected procedure call and its answer,
# then the client's fault, reported by the initialiser.
get_property(x86_lmk GLOBAL PROPERTY MICROKIT_LIBMICROKIT_${x86_board}_debug_DIR)
set(x86_lmk_skip ${x86_skip})
if(NOT x86_lmk_skip AND (NOT x86_lmk OR NOT MICROKIT_SEL4_X86_64_CC OR NOT MICROKIT_SEL4_X86_64_LD))
  set(x86_lmk_skip --skip-reason "no x86-64 libmicrokit or x86_64-linux-gnu-gcc/ld when configuring")
endif()
set(x86_lmk_image_args)
if(NOT x86_lmk_skip AND x86_initialiser)
  set(x86_lmk_elfs)
  foreach(pd lmk_client lmk_server)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/x86_64/${pd})
    add_custom_command(OUTPUT ${out}.elf
      COMMAND ${MICROKIT_SEL4_X86_64_CC} -c -nostdlib -ffreestanding -g -O2 -Wall -Werror
              -march=x86-64 -mtune=generic -I${x86_lmk}/include -isystem ${x86_pkg}/libsel4/include
              ${CMAKE_CURRENT_SOURCE_DIR}/x86_64/pds/${pd}.c -o ${out}.o
      COMMAND ${MICROKIT_SEL4_X86_64_LD} -L${x86_lmk}/lib -z noexecstack ${out}.o -lmicrokit -Tmicrokit.ld
              -o ${out}.elf
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/x86_64/pds/${pd}.c libmicrokit_sel4_x86_64_generic_debug
              ${x86_lmk}/lib/libmicrokit.a
      COMMENT "x86-64 libmicrokit test PD ${pd}"
      VERBATIM)
    list(APPEND x86_lmk_elfs ${out}.elf)
  endforeach()
  add_custom_target(qemu_test_x86_64_lmk_pds ALL DEPENDS ${x86_lmk_elfs})
  set(x86_lmk_image_args --libmicrokit --kernel-package ${x86_pkg} --initialiser ${x86_initialiser}
      --pd client=${CMAKE_CURRENT_BINARY_DIR}/x86_64/lmk_client.elf
      --pd server=${CMAKE_CURRENT_BINARY_DIR}/x86_64/lmk_server.elf)
else()
  set(x86_lmk_skip --skip-reason "no x86-64 libmicrokit or initialiser built when configuring")
endif()
x86_64_boot_test(initialiser_libmicrokit --timeout 60 ${x86_lmk_skip}
  --expect "microkit initialiser: all steps done"
  --expect "server: init"
  --expect "client: init"
  --expect "server: notified on channel 3"
  --expect "server: called on channel 4"
  --expect "client: answer label 0x000000000000002a word 0x0000000000001235"
  --expect "microkit initialiser: PD 'client' faulted: VM fault (data access) at address 0x0000000000000008"
  --expect "error code 0x0000000000000004 (not present, read, user)"
  --forbid "client: not reached" --forbid "FAILED"
  -- $<TARGET_FILE:make_x86_initialiser_image> ${x86_lmk_image_args})

# The same system on the smp-debug kernel with QEMU -smp 4, the server's
# scheduling context on core 1: the notification and the call cross cores.
# The server starts on core 1 while the initialiser and then the client
# print on core 0, so the lines up to both inits may interleave character
# by character and are not expected; everything after is ordered by the
# signal and the call.
set(x86_smp_pkg ${MICROKIT_KERNEL_ROOT}/${x86_board}/smp-debug)
get_property(x86_smp_initialiser GLOBAL PROPERTY MICROKIT_INITIALISER_${x86_board}_smp-debug_ELF)
set(x86_smp_skip ${x86_lmk_skip})
if(NOT x86_smp_skip AND (NOT x86_smp_initialiser OR NOT EXISTS ${x86_smp_pkg}/bin/kernel.elf))
  set(x86_smp_skip --skip-reason "no ${x86_board}/smp-debug kernel package or initialiser when configuring")
endif()
set(x86_smp_image_args)
if(NOT x86_smp_skip)
  set(x86_smp_image_args --libmicrokit --second-pd-core 1 --kernel-package ${x86_smp_pkg}
      --initialiser ${x86_smp_initialiser}
      --pd client=${CMAKE_CURRENT_BINARY_DIR}/x86_64/lmk_client.elf
      --pd server=${CMAKE_CURRENT_BINARY_DIR}/x86_64/lmk_server.elf)
endif()
add_test(NAME qemu.x86_64.initialiser_libmicrokit_smp
  COMMAND ${x86_script} --kernel ${x86_smp_pkg}/bin/kernel.elf --smp 4
          --workdir ${CMAKE_CURRENT_BINARY_DIR}/x86_64/initialiser_libmicrokit_smp --timeout 60 ${x86_smp_skip}
          --expect "Starting node #1"
          --expect "server: notified on channel 3"
          --expect "server: called on channel 4"
          --expect "client: answer label 0x000000000000002a word 0x0000000000001235"
          --expect "microkit initialiser: PD 'client' faulted: VM fault (data access) at address 0x0000000000000008"
          --forbid "client: not reached" --forbid "FAILED"
          -- $<TARGET_FILE:make_x86_initialiser_image> ${x86_smp_image_args})
set_tests_properties(qemu.x86_64.initialiser_libmicrokit_smp PROPERTIES LABELS qemu SKIP_RETURN_CODE 77 TIMEOUT 120)
