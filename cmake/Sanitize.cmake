# Sanitizer and fuzzing instrumentation, applied to every C++ target of the tree (so each library
# gets it without naming it here).
#   GPUCERT_SANITIZE: ASan+UBSan on host code; undefined behaviour aborts (no recovery), so a test
#                     that hits it fails instead of printing a warning nobody reads.
#   GPUCERT_FUZZ:     also libFuzzer coverage (-fsanitize=fuzzer-no-link) and the fuzz targets in
#                     tests/fuzz (linked with -fsanitize=fuzzer). Needs clang; implies SANITIZE.
# The `sanitize` preset turns both on with clang++-14; ci/sanitize.sh and ci/fuzz.sh use it.
option(GPUCERT_SANITIZE "ASan+UBSan on host code" OFF)
option(GPUCERT_FUZZ "libFuzzer targets for the input parsers (clang; implies GPUCERT_SANITIZE)" OFF)

if(GPUCERT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "GPUCERT_FUZZ needs clang (libFuzzer); use the `sanitize` preset "
                        "(clang++-14 from Debian's clang-14 and libclang-rt-14-dev)")
  endif()
  set(GPUCERT_SANITIZE ON CACHE BOOL "ASan+UBSan on host code" FORCE)
endif()

if(GPUCERT_SANITIZE)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>)
  add_link_options(-fsanitize=address,undefined)
endif()
if(GPUCERT_FUZZ)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
