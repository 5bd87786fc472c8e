# Install layout and packages. Under a prefix:
#   bin/gpucert, bin/gpucert-bench, bin/gpucert-mpi
#   lib/gpucert/libgpucert-*.so          the layers; libgpucert-cuda.so is the CUDA backend plugin
#   share/gpucert/profiles/*.yaml        shipped SLA profiles, found by name from any directory
#   share/gpucert/schemas/*.json         JSON schemas of the files gpucert writes
#   share/doc/gpucert/                   README and reference docs
# Every runtime path is relative to the binary, so the tree can be moved as a whole (the tarball).
install(DIRECTORY "${PROJECT_SOURCE_DIR}/profiles/" DESTINATION "${CMAKE_INSTALL_DATADIR}/gpucert/profiles"
        COMPONENT host FILES_MATCHING PATTERN "*.yaml")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/reports/schema/" DESTINATION "${CMAKE_INSTALL_DATADIR}/gpucert/schemas"
        COMPONENT host FILES_MATCHING PATTERN "*.json")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT host)
install(FILES "${PROJECT_SOURCE_DIR}/profiles/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        RENAME PROFILES.md COMPONENT host)
install(FILES "${PROJECT_SOURCE_DIR}/harness/measure/METHOD.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        COMPONENT host)
install(FILES "${PROJECT_SOURCE_DIR}/harness/collectives/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        RENAME COLLECTIVES.md COMPONENT host)
# The user guides the README points to (signing and verify, compare and spot-check, reports).
install(FILES "${PROJECT_SOURCE_DIR}/docs/trust.md" "${PROJECT_SOURCE_DIR}/docs/compare.md"
              "${PROJECT_SOURCE_DIR}/docs/reports.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT host)
install(FILES "${PROJECT_SOURCE_DIR}/harness/backends/cuda/BENCHMARKS.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        COMPONENT cuda)

set(CPACK_PACKAGE_NAME gpucert)
set(CPACK_PACKAGE_VENDOR gpucert)
set(CPACK_PACKAGE_CONTACT "gpucert maintainers <gpucert@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Certifies GPU nodes against an SLA profile")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_COMPONENTS_ALL host cuda)

# Debian: the host parts and the CUDA backend are separate packages. The host package's Debian
# dependencies are computed from its binaries (dpkg-shlibdeps). CUDA, cuBLASLt and NCCL are not
# Debian packages, so the plugin's package states them instead of computing them.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_HOST_PACKAGE_NAME gpucert)
set(CPACK_DEBIAN_HOST_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${GPUCERT_LAYER_LIBDIR}")
set(CPACK_COMPONENT_HOST_DESCRIPTION
    "gpucert: evaluate, report, profiles, the simulator and the command line. Needs no CUDA.")
set(CPACK_DEBIAN_CUDA_PACKAGE_NAME gpucert-cuda)
set(CPACK_DEBIAN_CUDA_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_CUDA_PACKAGE_DEPENDS "gpucert (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_CUDA_DESCRIPTION
    "gpucert CUDA backend plugin and gpucert-mpi. Requires, outside Debian: the NVIDIA driver \
(libnvidia-ml, libcuda), the CUDA 13 runtime (libcudart.so.13), cuBLAS/cuBLASLt 13 \
(libcublasLt.so.13, libcublas.so.13) and NCCL 2.x (libnccl.so.2) on the loader's path.")

# The tarball: everything, one tree, relocatable.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)
set(CPACK_ARCHIVE_FILE_NAME "gpucert-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR}")
include(CPack)
