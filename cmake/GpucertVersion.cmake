# The tool version and git revision, recorded in every result and certificate.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                OUTPUT_VARIABLE GPUCERT_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR GPUCERT_GIT_REVISION STREQUAL "")
  set(GPUCERT_GIT_REVISION "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no
                WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" OUTPUT_VARIABLE _dirty ERROR_QUIET)
if(NOT _dirty STREQUAL "")
  string(APPEND GPUCERT_GIT_REVISION "-dirty")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/version.hpp.in"
               "${PROJECT_BINARY_DIR}/generated/gpucert/version.hpp" @ONLY)
