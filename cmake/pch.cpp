// Compiles the precompiled header that every gpucert target reuses (cmake/GpucertLayers.cmake).
