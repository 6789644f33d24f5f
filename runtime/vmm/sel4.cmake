# libmicrokit_vmm.a for one seL4 kernel package (included by
# runtime/libmicrokit/sel4/CMakeLists.txt, called from its lmk_library with
# the same compiler and flags as libmicrokit). Only AArch64 packages built
# with CONFIG_ARM_HYPERVISOR_SUPPORT get it: the library drives vCPUs.
# Output beside libmicrokit: <out>/lib/libmicrokit_vmm.a and
# <out>/include/microkit_vmm{,_parts}.h, which sdk/assemble.cmake copies.
set(vmm_dir ${CMAKE_CURRENT_LIST_DIR})
set(vmm_sel4_sources image.cc data_abort.cc psci.cc idle.cc gic.cc pl011.cc virtio.cc virtio_console.cc virtio_blk.cc ring.cc dtb.cc vmm.cc console.cc block.cc)
set(vmm_headers ${vmm_dir}/include/microkit_vmm.h ${vmm_dir}/include/microkit_vmm_parts.h ${vmm_dir}/bytes.h ${vmm_dir}/virtio.h)

# Whether a package's gen_config.h says the kernel runs VMs.
function(vmm_package_has_hypervisor gen out)
  file(STRINGS ${gen} hyp REGEX "^#define CONFIG_ARM_HYPERVISOR_SUPPORT +1")
  if(hyp)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# vmm_sel4_library(<board> <config> <out> <cxx> <ar> <flags...>): returns the target in VMM_TARGET.
function(vmm_sel4_library board config out cxx ar)
  set(flags ${ARGN} -I${vmm_dir}/include -I${vmm_dir})
  set(objects)
  foreach(name ${vmm_sel4_sources})
    set(obj ${out}/obj/vmm/${name}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/obj/vmm
      COMMAND ${cxx} ${flags} -c ${vmm_dir}/${name} -o ${obj}
      DEPENDS ${vmm_dir}/${name} ${vmm_headers} ${MICROKIT_SOURCE_DIR}/runtime/libmicrokit/include/microkit.h
      COMMENT "libmicrokit_vmm ${board}/${config}: ${name}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(lib ${out}/lib/libmicrokit_vmm.a)
  add_custom_command(OUTPUT ${lib} ${out}/include/microkit_vmm.h ${out}/include/microkit_vmm_parts.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/lib ${out}/include
    COMMAND ${CMAKE_COMMAND} -E rm -f ${lib}
    COMMAND ${ar} rcs ${lib} ${objects}
    COMMAND ${CMAKE_COMMAND} -E copy ${vmm_dir}/include/microkit_vmm.h ${vmm_dir}/include/microkit_vmm_parts.h
            ${out}/include/
    DEPENDS ${objects} ${vmm_dir}/include/microkit_vmm.h ${vmm_dir}/include/microkit_vmm_parts.h
    COMMENT "libmicrokit_vmm ${board}/${config}: libmicrokit_vmm.a"
    VERBATIM)
  string(MAKE_C_IDENTIFIER libmicrokit_vmm_${board}_${config} target)
  add_custom_target(${target} ALL DEPENDS ${lib})
  set(VMM_TARGET ${target} PARENT_SCOPE)
endfunction()
