# One shared library per layer of the architecture. A layer links only the layers below it, and
# every layer is linked with --no-undefined: code that calls into a layer it does not list is a
# link error, not a review comment. Each layer's name, folders and dependencies are also written
# to layers.txt, which the include check (ci/check-layers.py) reads, so header-only uses
# against the arrows fail a test too.
set(GPUCERT_LAYER_LIBDIR "${PROJECT_BINARY_DIR}/lib/gpucert")
set_property(GLOBAL PROPERTY GPUCERT_LAYERS "")

# gpucert_layer(NAME DIRS dir... [SOURCES file...] [DEPS layer...] [LIBS target...])
function(gpucert_layer name)
  cmake_parse_arguments(L "" "" "DIRS;SOURCES;DEPS;LIBS" ${ARGN})
  set(srcs ${L_SOURCES})
  foreach(d ${L_DIRS})
    file(GLOB found CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${d}/*.cpp")
    list(APPEND srcs ${found})
  endforeach()
  set(deps "")
  foreach(dep ${L_DEPS})
    list(APPEND deps gpucert_${dep})
  endforeach()
  add_library(gpucert_${name} SHARED ${srcs})
  target_include_directories(gpucert_${name} PUBLIC "${PROJECT_SOURCE_DIR}"
                                                   "${PROJECT_BINARY_DIR}/generated")
  target_link_libraries(gpucert_${name} PUBLIC ${deps} ${L_LIBS})
  target_compile_options(gpucert_${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>)
  gpucert_use_pch(gpucert_${name})
  set_target_properties(gpucert_${name} PROPERTIES
    OUTPUT_NAME "gpucert-${name}"
    LIBRARY_OUTPUT_DIRECTORY "${GPUCERT_LAYER_LIBDIR}"
    INSTALL_RPATH "$ORIGIN")
  if(NOT GPUCERT_SANITIZE)
    # Sanitizer runtimes are resolved by the executable, so --no-undefined holds without them.
    target_link_options(gpucert_${name} PRIVATE "LINKER:--no-undefined")
  endif()
  install(TARGETS gpucert_${name} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/gpucert"
          COMPONENT host)
  string(REPLACE ";" "," dirs_csv "${L_DIRS}")
  string(REPLACE ";" "," deps_csv "${L_DEPS}")
  set_property(GLOBAL APPEND PROPERTY GPUCERT_LAYERS "${name}|${dirs_csv}|${deps_csv}")
endfunction()

# Writes layers.txt (one "name|dirs|deps" line per layer) for the include check.
function(gpucert_write_layers)
  get_property(layers GLOBAL PROPERTY GPUCERT_LAYERS)
  string(REPLACE ";" "\n" text "${layers}")
  file(WRITE "${PROJECT_BINARY_DIR}/layers.txt" "${text}\n")
endfunction()

# The heavy third-party headers (CLI11, nlohmann-json, yaml-cpp, fmt) compiled once and reused by
# every C++ target: they dominated the cold build.
# Libraries compile with -fPIC and programs with -fPIE, and a precompiled header serves only the
# setting it was made with: one for each.
function(gpucert_use_pch target)
  if(NOT GPUCERT_PCH)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set(pch gpucert_pch_exe)
  else()
    set(pch gpucert_pch_lib)
  endif()
  if(NOT TARGET ${pch})
    add_library(${pch} OBJECT "${PROJECT_SOURCE_DIR}/cmake/pch.cpp")
    target_link_libraries(${pch} PRIVATE CLI11::CLI11 nlohmann_json::nlohmann_json fmt::fmt
                                         yaml-cpp::yaml-cpp)
    target_compile_options(${pch} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>)
    if(pch STREQUAL "gpucert_pch_exe")
      set_target_properties(${pch} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
      target_compile_options(${pch} PRIVATE -fPIE)
    endif()
    target_precompile_headers(${pch} PRIVATE
      <CLI/CLI.hpp> <nlohmann/json.hpp> <yaml-cpp/yaml.h> <fmt/format.h> <fmt/core.h>
      <algorithm> <functional> <map> <memory> <optional> <string> <vector> <filesystem>)
  endif()
  target_precompile_headers(${target} REUSE_FROM ${pch})
endfunction()
