#include "model/tensor_io.h"

#include <cstring>

#include "util/error.h"

namespace glr {

std::string shapeString(at::IntArrayRef shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string describeTensor(const at::Tensor& t) {
    if (!t.defined()) return "undefined";
    return std::string(c10::toString(t.scalar_type())) + " " + shapeString(t.sizes());
}

at::ScalarType toScalarType(io::DType dtype) {
    switch (dtype) {
        case io::DType::F64: return at::kDouble;
        case io::DType::F32: return at::kFloat;
        case io::DType::F16: return at::kHalf;
        case io::DType::BF16: return at::kBFloat16;
        case io::DType::I64: return at::kLong;
        case io::DType::I32: return at::kInt;
        case io::DType::I16: return at::kShort;
        case io::DType::I8: return at::kChar;
        case io::DType::U8: return at::kByte;
        case io::DType::BOOL: return at::kBool;
    }
    fail("unhandled dtype");
}

io::DType toDType(at::ScalarType type) {
    switch (type) {
        case at::kDouble: return io::DType::F64;
        case at::kFloat: return io::DType::F32;
        case at::kHalf: return io::DType::F16;
        case at::kBFloat16: return io::DType::BF16;
        case at::kLong: return io::DType::I64;
        case at::kInt: return io::DType::I32;
        case at::kShort: return io::DType::I16;
        case at::kChar: return io::DType::I8;
        case at::kByte: return io::DType::U8;
        case at::kBool: return io::DType::BOOL;
        default: fail("safetensors cannot store scalar type {}", c10::toString(type));
    }
}

at::Tensor loadTensor(const io::SafetensorsFile& file, const io::TensorInfo& info,
                      c10::optional<at::ScalarType> as) {
    auto type = toScalarType(info.dtype);
    at::Tensor out = at::empty(info.shape, at::TensorOptions().dtype(type));
    if (info.bytes() > 0) std::memcpy(out.data_ptr(), file.data(info), info.bytes());
    if (as && *as != type) out = out.to(*as);
    return out;
}

at::Tensor loadTensor(const io::SafetensorsFile& file, const std::string& name,
                      c10::optional<at::ScalarType> as) {
    return loadTensor(file, file.get(name), as);
}

std::map<std::string, at::Tensor> loadAllTensors(const std::string& path) {
    auto file = io::SafetensorsFile::open(path);
    std::map<std::string, at::Tensor> out;
    for (const auto& info : file.tensors()) out[info.name] = loadTensor(file, info);
    return out;
}

void saveTensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                 const std::map<std::string, std::string>& metadata) {
    io::SafetensorsWriter writer;
    for (const auto& [name, tensor] : tensors) {
        at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
        std::vector<std::int64_t> shape(t.sizes().begin(), t.sizes().end());
        writer.add(name, toDType(t.scalar_type()), shape, t.data_ptr(), t.numel() * t.element_size());
    }
    for (const auto& [k, v] : metadata) writer.setMetadata(k, v);
    writer.write(path);
}

}  // namespace glr
