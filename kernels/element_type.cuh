// Element types of the GEMM operands and output, shared by the init and reference kernels.
#pragma once

#include <cstddef>

namespace gpucert::kernels {

enum class ElementType { f64, f32, f16, bf16, e4m3 };

inline std::size_t element_size(ElementType t) {
  switch (t) {
  case ElementType::f64:
    return 8;
  case ElementType::f32:
    return 4;
  case ElementType::f16:
  case ElementType::bf16:
    return 2;
  case ElementType::e4m3:
    return 1;
  }
  return 0;
}

} // namespace gpucert::kernels
