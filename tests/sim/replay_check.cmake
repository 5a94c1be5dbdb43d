# Replays one seed twice with the full trace and fails unless the two runs print the same bytes:
# a run is a pure function of its seed. Run as: cmake -DSIM=<lotchain-sim> -P replay_check.cmake
set(args --seed 7 --validators 4 --byzantine 1 --faults all --trace)
execute_process(COMMAND ${SIM} ${args} OUTPUT_VARIABLE first RESULT_VARIABLE rc1)
execute_process(COMMAND ${SIM} ${args} OUTPUT_VARIABLE second RESULT_VARIABLE rc2)
# The summary line carries the wall-clock rate; compare everything before it.
string(REGEX REPLACE "seeds_per_s=[0-9.]+" "" first "${first}")
string(REGEX REPLACE "seeds_per_s=[0-9.]+" "" second "${second}")
string(LENGTH "${first}" length)
if(NOT rc1 EQUAL rc2 OR NOT first STREQUAL second OR length LESS 1000)
  message(FATAL_ERROR "lotchain-sim is not deterministic for seed 7 (rc ${rc1} vs ${rc2})")
endif()
