#pragma once
// Helpers shared by the model tests: fixture tensors, masked relative errors, expected errors.
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include <ATen/ATen.h>

#include "common/test_support.h"
#include "model/tensor_io.h"
#include "util/error.h"

namespace glr::test {

inline std::map<std::string, at::Tensor> fixture(const std::string& relative) {
    return glr::loadAllTensors(sharedPath("fixtures/" + relative));
}

// ‖a−b‖/‖b‖ over the entries where `keep` is true (and b is finite), in double precision.
inline double maskedRelativeError(const at::Tensor& a, const at::Tensor& b, at::Tensor keep = {}) {
    at::Tensor ad = a.detach().to(at::kDouble), bd = b.detach().to(at::kDouble);
    at::Tensor sel = bd.isfinite();
    if (keep.defined()) sel = sel.logical_and(keep.expand_as(bd));
    at::Tensor diff = (ad - bd).masked_select(sel), ref = bd.masked_select(sel);
    const double den = ref.norm().item<double>();
    return den == 0 ? diff.norm().item<double>() : diff.norm().item<double>() / den;
}

inline void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace glr::test
