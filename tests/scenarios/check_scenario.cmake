# Runs one scripted simulator scenario and compares its trace with the golden file.
#   cmake -DSIM=<lotchain-sim> -DGOLDEN=<file.txt> [-DREWRITE=1] -P check_scenario.cmake
# The golden file's first line is the argument list ("# args: ..."); the rest is the expected
# output. With REWRITE=1 the file is regenerated: review the diff like code.
file(STRINGS ${GOLDEN} header LIMIT_COUNT 1)
string(REGEX REPLACE "^# args: " "" args "${header}")
separate_arguments(args)
execute_process(COMMAND ${SIM} ${args} OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
string(REGEX REPLACE "seeds_per_s=[0-9.]+ " "" actual "${actual}")
if(REWRITE)
  file(WRITE ${GOLDEN} "${header}\n${actual}")
  return()
endif()
file(READ ${GOLDEN} expected)
string(FIND "${expected}" "\n" first_newline)
math(EXPR body_start "${first_newline} + 1")
string(SUBSTRING "${expected}" ${body_start} -1 expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${GOLDEN}.actual "${header}\n${actual}")
  message(FATAL_ERROR "scenario ${GOLDEN} changed (exit ${rc}); see ${GOLDEN}.actual, or "
                      "regenerate with -DREWRITE=1 and review the diff")
endif()
