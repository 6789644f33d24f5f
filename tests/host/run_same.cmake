# Runs one host-platform system with and without direct hand-offs (the
# launcher's --no-direct) and checks that both runs end with the same
# status and print the same output: a hand-off the launcher does not see
# must change nothing a PD or the user can observe. EXPECT (|-separated
# regexes) must each match the output, so the run did what it is for.
get_filename_component(SYSTEM_DIR ${SYSTEM} DIRECTORY)
string(REPLACE "|" ";" expect "${EXPECT}")
foreach(mode direct no-direct)
  if(mode STREQUAL "no-direct")
    set(ENV{MICROKIT_HOST_FLAGS} "--no-direct")
  endif()
  execute_process(COMMAND ${RUNNER} ${SYSTEM} --board host --search-path ${SEARCH} --search-path ${SYSTEM_DIR}
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 50)
  message("---- ${mode}: status ${rc}\n${out}${err}")
  set(out_${mode} "${out}")
  set(rc_${mode} "${rc}")
endforeach()
if(NOT "${rc_direct}" STREQUAL "${rc_no-direct}")
  message(FATAL_ERROR "exit status ${rc_direct} with direct hand-offs, ${rc_no-direct} without")
endif()
if(NOT "${out_direct}" STREQUAL "${out_no-direct}")
  message(FATAL_ERROR "the output with direct hand-offs differs from the output without")
endif()
foreach(re ${expect})
  if(NOT "${out_direct}" MATCHES "${re}")
    message(FATAL_ERROR "expected but missing: ${re}")
  endif()
endforeach()
