#pragma once
// Bridge between the torch-free safetensors reader/writer (io/safetensors.h) and torch tensors.
#include <map>
#include <string>

#include <ATen/ATen.h>

#include "io/safetensors.h"

namespace glr {

at::ScalarType toScalarType(io::DType dtype);
// "[3, 16, 512]" — for error messages (fmt cannot print IntArrayRef directly).
std::string shapeString(at::IntArrayRef shape);
// "F32 [3, 16, 512]", or "undefined".
std::string describeTensor(const at::Tensor& t);
io::DType toDType(at::ScalarType type);

// Copies one tensor out of the mapping (converted to `as` when given).
at::Tensor loadTensor(const io::SafetensorsFile& file, const io::TensorInfo& info,
                      c10::optional<at::ScalarType> as = c10::nullopt);
at::Tensor loadTensor(const io::SafetensorsFile& file, const std::string& name,
                      c10::optional<at::ScalarType> as = c10::nullopt);
// All tensors of a file, by name.
std::map<std::string, at::Tensor> loadAllTensors(const std::string& path);

// Writes tensors (moved to CPU, made contiguous) atomically.
void saveTensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                 const std::map<std::string, std::string>& metadata = {});

}  // namespace glr
