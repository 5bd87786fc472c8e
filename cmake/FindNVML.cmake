# FindNVML: header only. NVML is dlopen'ed at run time (the binary must start without a driver),
# so only nvml.h is needed: from the CUDA toolkit, else from PyPI's nvidia-nvml-dev which
# ci/setup.sh unpacks into .deps/nvml. Provides NVML::headers.
find_path(NVML_INCLUDE_DIR nvml.h
  HINTS ${NVML_HOME} $ENV{NVML_HOME} ${CUDAToolkit_INCLUDE_DIRS} "${PROJECT_SOURCE_DIR}/.deps/nvml"
        /usr/local/cuda
  PATH_SUFFIXES include)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NVML REQUIRED_VARS NVML_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "nvml.h not found: run ci/setup.sh (it fetches nvidia-nvml-dev) or set NVML_HOME")
if(NVML_FOUND AND NOT TARGET NVML::headers)
  add_library(NVML::headers INTERFACE IMPORTED)
  set_target_properties(NVML::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${NVML_INCLUDE_DIR}")
endif()
mark_as_advanced(NVML_INCLUDE_DIR)
