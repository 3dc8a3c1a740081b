// Checkpoint loading: HF safetensors directories, llama2.c .bin files, random weights.
#include "model/loader.h"

#include <ATen/Context.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "model/tensor_io.h"
#include "util/error.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace glr {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---- HF ---------------------------------------------------------------------------------------

struct ShardSet {
    std::vector<std::unique_ptr<io::SafetensorsFile>> files;
    std::map<std::string, std::pair<io::SafetensorsFile*, const io::TensorInfo*>> tensors;
};

ShardSet openShards(const fs::path& dir) {
    ShardSet set;
    const fs::path index = dir / "model.safetensors.index.json";
    std::vector<std::string> names;
    if (fs::exists(index)) {
        nlohmann::json root;
        try {
            root = nlohmann::json::parse(readFile(index.string()));
        } catch (const nlohmann::json::parse_error& e) {
            failInput("{}: not valid JSON ({})", index.string(), e.what());
        }
        auto map = root.find("weight_map");
        if (!root.is_object() || map == root.end() || !map->is_object())
            failInput("{}: missing object 'weight_map'", index.string());
        std::set<std::string> unique;
        for (auto it = map->begin(); it != map->end(); ++it) {
            if (!it->is_string()) failInput("{}: weight_map['{}'] must be a file name", index.string(), it.key());
            const std::string file = it->get<std::string>();
            if (file.empty() || file.find('/') != std::string::npos || file.find("..") != std::string::npos)
                failInput("{}: weight_map['{}'] = '{}' is not a file name inside the checkpoint directory",
                          index.string(), it.key(), file);
            unique.insert(file);
        }
        names.assign(unique.begin(), unique.end());
    } else if (fs::exists(dir / "model.safetensors")) {
        names.push_back("model.safetensors");
    } else {
        failInput("{}: no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are "
                  "not supported: convert them to safetensors)", dir.string());
    }
    for (const auto& name : names) {
        set.files.push_back(std::make_unique<io::SafetensorsFile>(io::SafetensorsFile::open((dir / name).string())));
        auto* file = set.files.back().get();
        for (const auto& info : file->tensors()) {
            if (!set.tensors.emplace(info.name, std::make_pair(file, &info)).second)
                failInput("{}: tensor '{}' appears in more than one shard", dir.string(), info.name);
        }
    }
    return set;
}

LlamaModel loadHfDirectory(const fs::path& dir, const LoadOptions& options) {
    LlamaConfig config = LlamaConfig::fromHfConfigFile((dir / "config.json").string());
    ShardSet shards = openShards(dir);
    LlamaModel model(config, at::TensorOptions().dtype(options.dtype).device(options.device));
    at::NoGradGuard noGrad;
    std::set<std::string> used;
    for (auto& [name, dst] : model->hfTensors()) {
        auto it = shards.tensors.find(name);
        if (it == shards.tensors.end())
            failInput("{}: missing tensor '{}' (expected shape {} from config.json)", dir.string(), name,
                      shapeString(dst.sizes()));
        const auto& [file, info] = it->second;
        if (!std::equal(info->shape.begin(), info->shape.end(), dst.sizes().begin(), dst.sizes().end()))
            failInput("{}: tensor '{}' has shape {} but config.json implies {}", file->path(), name,
                      shapeString(info->shape), shapeString(dst.sizes()));
        if (info->dtype != io::DType::F32 && info->dtype != io::DType::F16 && info->dtype != io::DType::BF16 &&
            info->dtype != io::DType::F64)
            failInput("{}: tensor '{}' has dtype {}, expected a float type", file->path(), name,
                      io::dtypeName(info->dtype));
        at::Tensor src = at::from_blob(const_cast<std::uint8_t*>(file->data(*info)), dst.sizes(),
                                       at::TensorOptions().dtype(toScalarType(info->dtype)));
        dst.copy_(src);
        used.insert(name);
    }
    for (const auto& [name, entry] : shards.tensors) {
        if (used.count(name) || endsWith(name, "rotary_emb.inv_freq")) continue;
        if (name == "lm_head.weight" && config.tieWordEmbeddings) continue;  // tied: embed_tokens is used
        failInput("{}: unexpected tensor '{}' — not part of a {} model with this config.json", entry.first->path(),
                  name, config.modelType);
    }
    return model;
}

// ---- llama2.c ---------------------------------------------------------------------------------

constexpr std::uint32_t kAk42Magic = 0x616b3432;

std::int32_t readInt32(const std::uint8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// Floats the weights of `h` occupy after the header.
std::uint64_t llama2cFloatCount(const Llama2cHeader& h) {
    const std::uint64_t dim = h.dim, hidden = h.hiddenDim, layers = h.numLayers, vocab = h.vocabSize;
    const std::uint64_t headSize = dim / h.numHeads, kvDim = headSize * h.numKvHeads;
    std::uint64_t n = vocab * dim;                             // token embeddings
    n += layers * (2 * dim + dim * dim * 2 + 2 * dim * kvDim);  // norms, wq, wo, wk, wv
    n += layers * 3 * dim * hidden;                             // w1, w2, w3
    n += dim;                                                   // final norm
    if (h.version == 0) n += static_cast<std::uint64_t>(h.seqLen) * headSize;  // freq_cis real + imag
    if (!h.sharedClassifier) n += vocab * dim;
    return n;
}

// Meta's interleaved rotary rows (pairs 2i, 2i+1) -> HF rotate_half rows (i, i + D/2), SPEC §1.
at::Tensor permuteRotary(const at::Tensor& w, std::int64_t heads) {
    const std::int64_t rows = w.size(0), cols = w.size(1), headDim = rows / heads;
    return w.view({heads, headDim / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

LlamaModel loadLlama2c(const std::string& path, const LoadOptions& options) {
    const Llama2cHeader header = readLlama2cHeader(path);
    MappedFile file(path);
    if (file.size() != header.fileBytes) failInput("{}: file changed while loading", path);
    const LlamaConfig config = header.toConfig(path);
    LlamaModel model(config, at::TensorOptions().dtype(options.dtype).device(options.device));
    at::NoGradGuard noGrad;

    std::map<std::string, at::Tensor> dst;
    for (auto& [name, t] : model->hfTensors()) dst[name] = t;
    const std::uint8_t* cursor = file.data() + header.headerBytes;
    const std::uint8_t* end = file.data() + file.size();
    const std::int64_t dim = header.dim, hidden = header.hiddenDim, vocab = header.vocabSize;
    const std::int64_t layers = header.numLayers, qDim = dim, kvDim = dim / header.numHeads * header.numKvHeads;

    // Takes the next tensor of `shape` from the file (bounds were validated by the header check).
    auto take = [&](at::IntArrayRef shape) {
        std::uint64_t count = 1;
        for (auto d : shape) count *= static_cast<std::uint64_t>(d);
        GLR_CHECK(static_cast<std::uint64_t>(end - cursor) >= count * 4, "{}: internal size mismatch", path);
        at::Tensor t = at::from_blob(const_cast<std::uint8_t*>(cursor), shape, at::TensorOptions().dtype(at::kFloat));
        cursor += count * 4;
        return t;
    };
    auto layerName = [](std::int64_t l, const char* rest) { return "model.layers." + std::to_string(l) + "." + rest; };
    auto perLayer = [&](const char* rest, at::IntArrayRef shape, std::int64_t rotaryHeads = 0) {
        for (std::int64_t l = 0; l < layers; ++l) {
            at::Tensor src = take(shape);
            dst.at(layerName(l, rest)).copy_(rotaryHeads ? permuteRotary(src, rotaryHeads) : src);
        }
    };
    auto embeddings = [&] { dst.at("model.embed_tokens.weight").copy_(take({vocab, dim})); };
    auto norms = [&](const char* rest) { perLayer(rest, {dim}); };
    auto attention = [&] {
        perLayer("self_attn.q_proj.weight", {qDim, dim}, header.numHeads);
        perLayer("self_attn.k_proj.weight", {kvDim, dim}, header.numKvHeads);
        perLayer("self_attn.v_proj.weight", {kvDim, dim});
        perLayer("self_attn.o_proj.weight", {dim, qDim});
    };
    auto ffn = [&] {
        perLayer("mlp.gate_proj.weight", {hidden, dim});  // w1
        perLayer("mlp.down_proj.weight", {dim, hidden});  // w2
        perLayer("mlp.up_proj.weight", {hidden, dim});    // w3
    };
    auto finalNorm = [&] { dst.at("model.norm.weight").copy_(take({dim})); };

    if (header.version == 0) {
        embeddings();
        norms("input_layernorm.weight");
        attention();
        norms("post_attention_layernorm.weight");
        ffn();
        finalNorm();
        take({static_cast<std::int64_t>(header.seqLen) * (dim / header.numHeads)});  // legacy freq_cis tables
    } else {
        norms("input_layernorm.weight");
        norms("post_attention_layernorm.weight");
        finalNorm();
        embeddings();
        attention();
        ffn();
    }
    if (!header.sharedClassifier) dst.at("lm_head.weight").copy_(take({vocab, dim}));
    GLR_CHECK(cursor == end, "{}: {} bytes left after the weights", path, end - cursor);
    return model;
}

}  // namespace

// ---- public -----------------------------------------------------------------------------------

at::ScalarType parseModelDType(const std::string& name, const at::Device& device, const std::string& context) {
    const std::string n = asciiLower(name);
    if (n == "float32" || n == "fp32" || n == "f32") return at::kFloat;
    if (n == "bfloat16" || n == "bf16") return at::kBFloat16;
    if (n == "float16" || n == "fp16" || n == "f16" || n == "half") return at::kHalf;
    if (n == "auto" || n.empty()) return device.is_cpu() ? at::kFloat : at::kBFloat16;
    failInput("{}: unknown dtype '{}' (expected float32, bfloat16, float16 or auto)", context, name);
}

at::Device parseDevice(const std::string& name) {
    const std::string n = asciiLower(name);
    if (n.empty() || n == "cpu") return at::kCPU;
    if (n.rfind("cuda", 0) == 0) {
        if (!at::hasCUDA()) failInput("device '{}' requested but this build of LibTorch has no CUDA device", name);
        try {
            // "cuda" means the first GPU: an explicit index, so device equality checks between
            // tensors made from "cuda" and those reporting "cuda:0" hold.
            const at::Device device(n);
            return device.has_index() ? device : at::Device(device.type(), 0);
        } catch (const std::exception&) {
            failInput("invalid device '{}' (expected cpu, cuda or cuda:N)", name);
        }
    }
    failInput("unknown device '{}' (expected cpu, cuda or cuda:N)", name);
}

LlamaConfig Llama2cHeader::toConfig(const std::string& source) const {
    LlamaConfig c;
    c.source = source;
    c.modelType = "llama2.c";
    c.vocabSize = vocabSize;
    c.hiddenSize = dim;
    c.intermediateSize = hiddenDim;
    c.numLayers = numLayers;
    c.numHeads = numHeads;
    c.numKvHeads = numKvHeads;
    c.headDim = dim / numHeads;
    c.rmsNormEps = 1e-5;  // llama2.c's run.c and model.py
    c.ropeTheta = 10000.0;
    c.maxPositions = seqLen;
    c.tieWordEmbeddings = sharedClassifier;
    c.bosId = vocabSize > 1 ? 1 : -1;
    c.eosId = vocabSize > 2 ? 2 : -1;
    c.validate();
    return c;
}

bool isLlama2cCheckpoint(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && endsWith(asciiLower(path), ".bin");
}

Llama2cHeader readLlama2cHeader(const std::string& path) {
    MappedFile file(path);
    const std::uint8_t* p = file.data();
    Llama2cHeader h;
    h.fileBytes = file.size();
    if (h.fileBytes < 28)
        failInput("{}: {} bytes is too small for a llama2.c checkpoint header (28 bytes)", path, h.fileBytes);
    std::uint32_t magic;
    std::memcpy(&magic, p, 4);
    const std::uint8_t* fields = p;
    if (magic == kAk42Magic) {
        if (h.fileBytes < 256) failInput("{}: truncated \"ak42\" header ({} of 256 bytes)", path, h.fileBytes);
        const std::int32_t version = readInt32(p + 4);
        if (version == 2)
            failInput("{}: llama2.c version 2 checkpoints (int8 Q8_0 quantised) are not supported; export "
                      "with --version 1 (fp32) or 0", path);
        if (version != 1) failInput("{}: unknown llama2.c checkpoint version {} (supported: legacy and 1)", path, version);
        h.version = 1;
        h.headerBytes = 256;
        fields = p + 8;
        h.sharedClassifier = p[8 + 7 * 4] != 0;
    } else {
        h.version = 0;
        h.headerBytes = 28;
    }
    h.dim = readInt32(fields);
    h.hiddenDim = readInt32(fields + 4);
    h.numLayers = readInt32(fields + 8);
    h.numHeads = readInt32(fields + 12);
    h.numKvHeads = readInt32(fields + 16);
    std::int32_t vocab = readInt32(fields + 20);
    h.seqLen = readInt32(fields + 24);
    if (h.version == 0) {
        h.sharedClassifier = vocab > 0;  // legacy: a negative vocab size flags an unshared classifier
        vocab = vocab == INT32_MIN ? 0 : (vocab < 0 ? -vocab : vocab);
    }
    h.vocabSize = vocab;

    auto check = [&](std::int64_t value, const char* field, std::int64_t limit) {
        if (value <= 0 || value > limit)
            failInput("{}: llama2.c header field {} = {} is out of range (1..{}): not a llama2.c checkpoint, or a "
                      "corrupt one", path, field, value, limit);
    };
    check(h.dim, "dim", 1 << 16);
    check(h.hiddenDim, "hidden_dim", 1 << 20);
    check(h.numLayers, "n_layers", 1024);
    check(h.numHeads, "n_heads", 1024);
    check(h.numKvHeads, "n_kv_heads", 1024);
    check(h.vocabSize, "vocab_size", 1 << 22);
    check(h.seqLen, "seq_len", 1 << 24);
    if (h.dim % h.numHeads != 0 || h.numHeads % h.numKvHeads != 0 || (h.dim / h.numHeads) % 2 != 0)
        failInput("{}: llama2.c header is inconsistent: dim {} / n_heads {} / n_kv_heads {} (dim must split into "
                  "heads of even size, heads into KV groups)", path, h.dim, h.numHeads, h.numKvHeads);
    const std::uint64_t expected = h.headerBytes + 4 * llama2cFloatCount(h);
    if (expected != h.fileBytes)
        failInput("{}: file has {} bytes but its llama2.c header (dim {}, hidden {}, layers {}, heads {}/{}, vocab {}, "
                  "seq_len {}, {} classifier) implies {} bytes: truncated or not a llama2.c checkpoint", path,
                  h.fileBytes, h.dim, h.hiddenDim, h.numLayers, h.numHeads, h.numKvHeads, h.vocabSize, h.seqLen,
                  h.sharedClassifier ? "shared" : "separate", expected);
    return h;
}

LlamaModel loadModel(const std::string& path, const LoadOptions& options) {
    if (path.rfind("random:", 0) == 0) {
        LlamaModel model(LlamaConfig::named(path.substr(7)),
                         at::TensorOptions().dtype(options.dtype).device(options.device));
        at::NoGradGuard noGrad;
        model->initRandom(options.seed);
        return model;
    }
    std::error_code ec;
    if (!fs::exists(path, ec)) failInput("{}: no such checkpoint (expected an HF directory, a llama2.c .bin or "
                                         "random:<shape>)", path);
    if (fs::is_directory(path, ec)) return loadHfDirectory(path, options);
    const std::string name = asciiLower(fs::path(path).filename().string());
    if (endsWith(name, ".safetensors") || endsWith(name, ".json")) {
        const fs::path dir = fs::path(path).parent_path();
        if (fs::exists(dir / "config.json")) return loadHfDirectory(dir.empty() ? fs::path(".") : dir, options);
        failInput("{}: an HF checkpoint needs config.json beside its safetensors files", path);
    }
    return loadLlama2c(path, options);
}

std::string findTokenizerBeside(const std::string& modelPath) {
    if (modelPath.rfind("random:", 0) == 0) return "";
    std::error_code ec;
    fs::path p(modelPath);
    if (fs::is_directory(p, ec)) {
        for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer.bin", "vocab.json"})
            if (fs::exists(p / name, ec)) return p.string();
        return "";
    }
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    for (const char* name : {"tokenizer.bin", "tokenizer.model", "tokenizer.json"})
        if (fs::exists(dir / name, ec)) return (dir / name).string();
    std::vector<fs::path> candidates;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string n = entry.path().filename().string();
        if (entry.is_regular_file(ec) && n.rfind("tok", 0) == 0 && endsWith(asciiLower(n), ".bin") &&
            !fs::equivalent(entry.path(), p, ec))
            candidates.push_back(entry.path());
    }
    return candidates.size() == 1 ? candidates.front().string() : "";
}

}  // namespace glr
