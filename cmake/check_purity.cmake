# Fails when a file under ROOT (consensus/, node/replica, node/mempool) includes something that does I/O, reads a clock, starts a
# thread or draws ambient randomness. Run as: cmake -DROOT=<dir> -P check_purity.cmake
file(GLOB_RECURSE files "${ROOT}/*.h" "${ROOT}/*.cc" "${ROOT}/*.cpp")
set(banned "boost/asio" "asio\\.hpp" "grpc" "rocksdb/" "<thread>" "<chrono>" "<random>"
    "<fstream>" "<iostream>" "<filesystem>" "<ctime>" "<mutex>" "<future>" "sys/socket")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    foreach(b IN LISTS banned)
      if(line MATCHES "${b}")
        string(APPEND bad "\n  ${f}: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "${ROOT} must stay pure (docs/ARCHITECTURE.md); banned includes:${bad}")
endif()
