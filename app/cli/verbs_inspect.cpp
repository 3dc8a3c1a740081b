// graphlora inspect FILE — what a checkpoint holds: tensors, dtypes, shapes, sizes.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/verbs.h"
#include "io/safetensors.h"
#include "model/loader.h"
#include "util/error.h"

namespace glr::cli {

namespace {

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void inspectSafetensors(const std::string& path) {
    auto file = io::SafetensorsFile::open(path);
    std::uint64_t total = 0;
    std::int64_t params = 0;
    std::size_t width = 6;
    for (const auto& t : file.tensors()) width = std::max(width, t.name.size());
    fmt::print("{}: safetensors, {} tensors, {} bytes\n", path, file.tensors().size(), file.fileSize());
    for (const auto& [k, v] : file.metadata()) fmt::print("  metadata {} = {}\n", k, v);
    fmt::print("  {:<{}}  {:<5}  {:<20}  {:>12}\n", "tensor", width, "dtype", "shape", "bytes");
    for (const auto& t : file.tensors()) {
        fmt::print("  {:<{}}  {:<5}  {:<20}  {:>12}\n", t.name, width, io::dtypeName(t.dtype),
                   shapeString(t.shape), t.bytes());
        total += t.bytes();
        params += t.numel();
    }
    fmt::print("  total: {} elements, {} bytes\n", params, total);
}

void inspectLlama2c(const std::string& path) {
    const Llama2cHeader h = readLlama2cHeader(path);
    const LlamaConfig c = h.toConfig(path);
    fmt::print("{}: llama2.c checkpoint ({}), {} bytes\n", path,
               h.version == 0 ? "legacy format" : "\"ak42\" version 1, fp32", h.fileBytes);
    fmt::print("  dim {}, hidden_dim {}, n_layers {}, n_heads {}, n_kv_heads {}, vocab_size {}, seq_len {}\n", h.dim,
               h.hiddenDim, h.numLayers, h.numHeads, h.numKvHeads, h.vocabSize, h.seqLen);
    fmt::print("  head_dim {}, classifier {}\n", c.headDim,
               h.sharedClassifier ? "shared with the token embeddings" : "separate (wcls)");
    fmt::print("  parameters: {}\n", c.parameterCount());
}

}  // namespace

void registerInspectVerbs(CLI::App& app) {
    auto* cmd = app.add_subcommand("inspect", "List the tensors of a safetensors or llama2.c checkpoint");
    auto path = std::make_shared<std::string>();
    cmd->add_option("FILE", *path, "checkpoint file")->required();
    cmd->callback([path] { isLlama2cCheckpoint(*path) ? inspectLlama2c(*path) : inspectSafetensors(*path); });
}

}  // namespace glr::cli
