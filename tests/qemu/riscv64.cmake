# QEMU boot tests on RISC-V 64 (qemu_virt_riscv64), included by
# tests/qemu/CMakeLists.txt after the AArch64 ones (it reuses script and
# make_boot_image). QEMU runs the Microkit manual's command for this board:
#   qemu-system-riscv64 -machine virt -m size=2G -nographic -serial mon:stdio
#                       -kernel loader.img
# with QEMU's own OpenSBI entering the ELF image in S-mode.
#
#   qemu.riscv64.sel4_root_task  the real seL4 16.0.0 debug kernel for
#                                qemu_virt_riscv64 and the minimal root task
#                                (root_task/, riscv64/start.S).
#   qemu.riscv64.loader_rejects_bad_image  the loader's own checks.
#   qemu.riscv64.sel4_root_task_smp  the smp-debug kernel (4 cores) with
#                                QEMU -smp 4: the loader starts the other
#                                harts through SBI HSM.
#   qemu.riscv64.sel4_smp_too_few_harts  the same image under -smp 2: the
#                                loader stops with a message.
include(${MICROKIT_SOURCE_DIR}/runtime/loader/cmake/riscv64_target.cmake)
if(NOT MICROKIT_RISCV64_FOUND)
  message(STATUS "tests/qemu: no riscv64 cross compiler, RISC-V QEMU boot tests skipped")
  return()
endif()

set(rv_board qemu_virt_riscv64)
set(rv_load_address 0x90000000)
set(rv_kernel_pkg ${MICROKIT_KERNEL_ROOT}/${rv_board}/debug)
get_property(rv_loader_debug GLOBAL PROPERTY MICROKIT_LOADER_${rv_board}_debug_BIN)
get_property(rv_loader_release GLOBAL PROPERTY MICROKIT_LOADER_${rv_board}_release_BIN)

# riscv64_boot_test(<name> <args to qemu_boot_test.sh...>)
function(riscv64_boot_test name)
  add_test(NAME qemu.riscv64.${name}
    COMMAND ${script} --arch riscv64 --make-image $<TARGET_FILE:make_boot_image>
            --load-address ${rv_load_address}
            --workdir ${CMAKE_CURRENT_BINARY_DIR}/riscv64/${name} ${ARGN})
  set_tests_properties(qemu.riscv64.${name} PROPERTIES LABELS qemu SKIP_RETURN_CODE 77 TIMEOUT 120)
endfunction()

set(rv_args)
if(EXISTS ${rv_kernel_pkg}/libsel4/include/sel4/sel4.h)
  microkit_riscv64_program(qemu_test_root_task_riscv64
    SOURCES root_task/riscv64/start.S root_task/root_task.cc ${loader_dir}/mem.cc
    LINKER_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/root_task/root_task.ld
    INCLUDES ${rv_kernel_pkg}/libsel4/include)
  list(APPEND rv_args --initial-task ${qemu_test_root_task_riscv64_ELF})
else()
  message(STATUS "tests/qemu: no seL4 kernel package at ${rv_kernel_pkg}; "
                 "qemu.riscv64.sel4_root_task will be skipped (set MICROKIT_KERNEL_ROOT)")
  list(APPEND rv_args --skip-reason
       "no seL4 kernel package at ${rv_kernel_pkg} when configuring (set MICROKIT_KERNEL_ROOT and re-run cmake)")
endif()

riscv64_boot_test(sel4_root_task
  --loader ${rv_loader_debug} --kernel ${rv_kernel_pkg}/bin/kernel.elf
  --kernel-config ${rv_kernel_pkg}/gen_config.json --timeout 60 ${rv_args}
  --expect "microkit loader: privilege level (1 = supervisor): 1"
  --expect "microkit loader: enabling the MMU"
  --expect "microkit loader: jumping to kernel at 0xffffffff80200000"
  --expect "Bootstrapping kernel"
  --expect "Booting all finished, dropped to user space"
  --expect "root task: hello"
  --expect "untypeds")

riscv64_boot_test(loader_rejects_bad_image
  --loader ${rv_loader_release} --kernel ${rv_kernel_pkg}/bin/kernel.elf
  --kernel-config ${rv_kernel_pkg}/gen_config.json --timeout 30 --corrupt-version
  --expect "microkit loader: FAILED while checking the image header: the image format version is not the loader's")

# SMP: the smp-debug package (CONFIG_MAX_NUM_NODES cores) on QEMU -smp 4.
set(rv_smp_pkg ${MICROKIT_KERNEL_ROOT}/${rv_board}/smp-debug)
get_property(rv_loader_smp GLOBAL PROPERTY MICROKIT_LOADER_${rv_board}_smp-debug_BIN)
set(rv_smp_args)
if(rv_loader_smp AND EXISTS ${rv_smp_pkg}/libsel4/include/sel4/sel4.h)
  microkit_riscv64_program(qemu_test_root_task_riscv64_smp
    SOURCES root_task/riscv64/start.S root_task/root_task.cc ${loader_dir}/mem.cc
    LINKER_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/root_task/root_task.ld
    INCLUDES ${rv_smp_pkg}/libsel4/include)
  list(APPEND rv_smp_args --loader ${rv_loader_smp} --initial-task ${qemu_test_root_task_riscv64_smp_ELF})
else()
  list(APPEND rv_smp_args --loader none --skip-reason
       "no seL4 kernel package at ${rv_smp_pkg} when configuring (set MICROKIT_KERNEL_ROOT and re-run cmake)")
endif()
riscv64_boot_test(sel4_root_task_smp
  --kernel ${rv_smp_pkg}/bin/kernel.elf --kernel-config ${rv_smp_pkg}/gen_config.json
  --smp 4 --timeout 60 ${rv_smp_args}
  --expect "microkit loader: starting the other harts"
  --expect " is core 1"  # OpenSBI's boot hart is any of them: hart ids vary
  --expect " is core 2"
  --expect " is core 3"
  --expect "Booting all finished, dropped to user space"
  --expect "root task: hello")

# The same SMP image on QEMU with 2 harts: the loader must stop, saying why.
riscv64_boot_test(sel4_smp_too_few_harts
  --kernel ${rv_smp_pkg}/bin/kernel.elf --kernel-config ${rv_smp_pkg}/gen_config.json
  --smp 2 --timeout 30 ${rv_smp_args}
  --expect "microkit loader: FAILED while starting the other harts: fewer harts than the kernel's cores (QEMU needs -smp with that many)")
