#pragma once
// Loads shared/fixtures/gnn.safetensors into torch tensors (the gnn tests link graphlora_gnn only,
// so this reads through the torch-free io::SafetensorsFile).
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "data/graph.h"
#include "gnn/graph_adjacency.h"
#include "io/safetensors.h"
#include "util/error.h"

namespace glr::test {

inline std::map<std::string, at::Tensor> loadGnnFixture(const std::string& path) {
    auto file = io::SafetensorsFile::open(path);
    std::map<std::string, at::Tensor> out;
    for (const auto& info : file.tensors()) {
        at::ScalarType type;
        switch (info.dtype) {
            case io::DType::F32: type = at::kFloat; break;
            case io::DType::I64: type = at::kLong; break;
            default: fail("{}: tensor {} has an unexpected dtype {}", path, info.name, io::dtypeName(info.dtype));
        }
        at::Tensor t = at::empty(info.shape, at::TensorOptions().dtype(type));
        if (info.bytes() > 0) std::memcpy(t.data_ptr(), file.data(info), info.bytes());
        out[info.name] = t;
    }
    return out;
}

// A random bipartite graph: `pairs` uniform (user, item) index pairs, duplicates possible.
struct RandomBipartite {
    std::int64_t users = 0, items = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;

    gnn::CsrGraph structure() const { return gnn::bipartiteStructure(users, items, pairs); }
    // The trainer's 1-hop node choice on this graph: centres first, then their neighbours.
    data::OneHopNodes oneHopNodes(const std::vector<std::int64_t>& centres) const {
        return data::BipartiteGraph::fromPairs(users, items, pairs).oneHopNodes(centres);
    }
};

inline RandomBipartite randomBipartite(std::int64_t users, std::int64_t items, std::int64_t pairs, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> user(0, users - 1), item(0, items - 1);
    RandomBipartite out{users, items, {}};
    for (std::int64_t p = 0; p < pairs; ++p) out.pairs.emplace_back(user(rng), item(rng));
    return out;
}

inline double tensorRelativeError(const at::Tensor& got, const at::Tensor& want) {
    at::Tensor g = got.detach().to(at::kDouble), w = want.detach().to(at::kDouble);
    const double denominator = w.norm().item<double>();
    const double numerator = (g - w).norm().item<double>();
    return denominator == 0 ? numerator : numerator / denominator;
}

inline std::vector<std::int64_t> toVector(const at::Tensor& t) {
    at::Tensor c = t.to(at::kLong).contiguous();
    return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

}  // namespace glr::test
