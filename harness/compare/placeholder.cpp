// Placeholder so the layer has a source until the two-sample comparison lands.
namespace gpucert::compare {}
