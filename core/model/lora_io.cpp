// PEFT adapter files: adapter_config.json + adapter_model.safetensors (SPEC §2).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "model/llama.h"
#include "model/lora.h"
#include "model/tensor_io.h"
#include "util/error.h"
#include "util/files.h"

namespace fs = std::filesystem;

namespace glr {

namespace {

using nlohmann::json;

constexpr const char* kPrefix = "base_model.model.";

json numberJson(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) return json(static_cast<std::int64_t>(v));
    return json(v);
}

// Which (layer, projection) pairs PEFT's target_modules + layers_to_transform select. PEFT
// matches a list entry when the module path equals it or ends with "." + entry, and a string as
// a regex over the full path; "all-linear" is every projection (never lm_head).
std::vector<std::pair<int, ProjKind>> selectModules(const LlamaModelImpl& model, const json& cfg,
                                                    const std::string& source) {
    auto targets = cfg.find("target_modules");
    if (targets == cfg.end() || targets->is_null()) failInput("{}: missing 'target_modules'", source);
    std::set<int> layerSet;
    if (auto lt = cfg.find("layers_to_transform"); lt != cfg.end() && !lt->is_null()) {
        auto add = [&](const json& v) {
            if (!v.is_number_integer()) failInput("{}: 'layers_to_transform' must hold integers", source);
            layerSet.insert(model.config().resolveLayer(v.get<int>(), source + ": layers_to_transform entry"));
        };
        if (lt->is_array()) {
            for (const auto& v : *lt) add(v);
        } else {
            add(*lt);
        }
    }
    std::vector<std::pair<int, ProjKind>> out;
    std::vector<std::string> entries;
    bool regex = false, allLinear = false;
    if (targets->is_string()) {
        const std::string t = targets->get<std::string>();
        if (t == "all-linear") allLinear = true;
        else regex = true;
        entries.push_back(t);
    } else if (targets->is_array()) {
        for (const auto& t : *targets) {
            if (!t.is_string()) failInput("{}: 'target_modules' must hold strings", source);
            entries.push_back(t.get<std::string>());
        }
    } else {
        failInput("{}: 'target_modules' must be a list of names or a regex string", source);
    }
    std::vector<bool> entryUsed(entries.size(), false);
    for (int l = 0; l < model.numLayers(); ++l) {
        if (!layerSet.empty() && !layerSet.count(l)) continue;
        for (int k = 0; k < kProjKinds; ++k) {
            const std::string path = "model.layers." + std::to_string(l) + "." + projParent(static_cast<ProjKind>(k)) +
                                     "." + projName(static_cast<ProjKind>(k));
            bool hit = allLinear;
            for (std::size_t e = 0; e < entries.size() && !allLinear; ++e) {
                bool match;
                if (regex) {
                    try {
                        match = std::regex_match(path, std::regex(entries[e]));
                    } catch (const std::regex_error&) {
                        failInput("{}: target_modules '{}' is not a valid regular expression", source, entries[e]);
                    }
                } else {
                    match = path == entries[e] || (path.size() > entries[e].size() &&
                                                   path.compare(path.size() - entries[e].size() - 1, std::string::npos,
                                                                "." + entries[e]) == 0);
                }
                if (match) {
                    hit = true;
                    entryUsed[e] = true;
                }
            }
            if (hit) out.emplace_back(l, static_cast<ProjKind>(k));
        }
    }
    for (std::size_t e = 0; e < entries.size() && !allLinear; ++e)
        if (!entryUsed[e])
            failInput("{}: target_modules entry '{}' matches no projection of this model (q_proj, k_proj, v_proj, "
                      "o_proj, gate_proj, up_proj, down_proj)", source, entries[e]);
    return out;
}

}  // namespace

void saveAdapter(const LlamaModelImpl& model, const std::string& dir) {
    const auto& options = model.loraOptions();
    const auto modules = loraModules(model);
    if (!options || modules.empty()) failInput("cannot save an adapter: no LoRA adapter is attached");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) failInput("{}: cannot create directory ({})", dir, ec.message());

    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, t] : namedAdapterParameters(model)) tensors[name] = t.detach().to(at::kCPU, at::kFloat);
    saveTensors((fs::path(dir) / "adapter_model.safetensors").string(), tensors, {{"format", "pt"}});

    std::vector<std::string> targets;
    std::set<int> layers;
    for (const auto& m : modules) {
        const std::string name = projName(m->kind());
        if (std::find(targets.begin(), targets.end(), name) == targets.end()) targets.push_back(name);
        layers.insert(m->layer());
    }
    json cfg = {
        {"peft_type", "LORA"},
        {"task_type", "CAUSAL_LM"},
        {"r", options->r},
        {"lora_alpha", numberJson(options->alpha)},
        {"lora_dropout", options->dropout},
        {"target_modules", targets},
        {"layers_to_transform", static_cast<int>(layers.size()) == model.numLayers() ? json(nullptr) : json(layers)},
        {"layers_pattern", nullptr},
        {"bias", "none"},
        {"fan_in_fan_out", false},
        {"use_rslora", options->rslora},
        {"use_dora", false},
        {"init_lora_weights", true},
        {"inference_mode", true},
        {"modules_to_save", nullptr},
        {"rank_pattern", json::object()},
        {"alpha_pattern", json::object()},
        {"base_model_name_or_path", nullptr},
        {"revision", nullptr},
    };
    writeFileAtomic((fs::path(dir) / "adapter_config.json").string(), cfg.dump(2) + "\n");
}

LoraOptions loadAdapter(LlamaModelImpl& model, const std::string& dir) {
    const std::string configPath = (fs::path(dir) / "adapter_config.json").string();
    json cfg;
    try {
        cfg = json::parse(readFile(configPath));
    } catch (const json::parse_error& e) {
        failInput("{}: not valid JSON ({})", configPath, e.what());
    }
    if (!cfg.is_object()) failInput("{}: expected a JSON object", configPath);
    auto str = [&](const char* key, const std::string& fallback) {
        auto it = cfg.find(key);
        if (it == cfg.end() || it->is_null()) return fallback;
        if (!it->is_string()) failInput("{}: '{}' must be a string", configPath, key);
        return it->get<std::string>();
    };
    auto num = [&](const char* key, double fallback) {
        auto it = cfg.find(key);
        if (it == cfg.end() || it->is_null()) return fallback;
        if (!it->is_number()) failInput("{}: '{}' must be a number", configPath, key);
        return it->get<double>();
    };
    auto flag = [&](const char* key) {
        auto it = cfg.find(key);
        return it != cfg.end() && it->is_boolean() && it->get<bool>();
    };
    auto nonEmpty = [&](const char* key) {
        auto it = cfg.find(key);
        return it != cfg.end() && !it->is_null() && !(it->is_object() && it->empty()) && !(it->is_array() && it->empty());
    };
    if (const std::string type = str("peft_type", "LORA"); type != "LORA")
        failInput("{}: peft_type '{}' is not a LoRA adapter", configPath, type);
    if (flag("use_dora")) failInput("{}: DoRA adapters (use_dora) are not supported", configPath);
    if (flag("fan_in_fan_out")) failInput("{}: fan_in_fan_out adapters (GPT-2 Conv1D) are not supported", configPath);
    if (const std::string bias = str("bias", "none"); bias != "none")
        failInput("{}: bias = '{}' is not supported (expected \"none\")", configPath, bias);
    if (nonEmpty("rank_pattern") || nonEmpty("alpha_pattern"))
        failInput("{}: per-module rank_pattern / alpha_pattern is not supported", configPath);
    if (nonEmpty("modules_to_save")) failInput("{}: modules_to_save is not supported", configPath);

    LoraOptions options;
    auto rIt = cfg.find("r");
    if (rIt == cfg.end() || !rIt->is_number_integer() || rIt->get<std::int64_t>() <= 0 || rIt->get<std::int64_t>() > 65536)
        failInput("{}: 'r' must be a positive integer", configPath);
    options.r = rIt->get<int>();
    options.alpha = num("lora_alpha", 8);
    options.dropout = num("lora_dropout", 0);
    options.rslora = flag("use_rslora");
    if (!(options.dropout >= 0 && options.dropout < 1)) failInput("{}: 'lora_dropout' must be in [0, 1)", configPath);

    const auto selected = selectModules(model, cfg, configPath);
    if (selected.empty()) failInput("{}: target_modules / layers_to_transform select no projection", configPath);

    const std::string weightsPath = (fs::path(dir) / "adapter_model.safetensors").string();
    if (!fs::exists(weightsPath)) {
        if (fs::exists(fs::path(dir) / "adapter_model.bin"))
            failInput("{}: only adapter_model.bin (pickle) found; save the adapter with safe_serialization", dir);
        failInput("{}: missing adapter_model.safetensors", dir);
    }
    auto file = io::SafetensorsFile::open(weightsPath);

    // Fill fresh adapters; only commit them to the model when every tensor checked out.
    detachLora(model);
    std::set<std::string> used;
    std::set<int> layers;
    std::vector<std::string> targets;
    at::Generator unused = at::make_generator<at::CPUGeneratorImpl>(0);
    try {
        at::NoGradGuard noGrad;
        for (const auto& [l, kind] : selected) {
            auto& proj = model.layer(l).projection(kind);
            proj->attachAdapter(options.r, options.scaling(), options.dropout, unused);
            const std::string base = kPrefix + proj->hfPath();
            for (const auto& [suffix, param] : {std::make_pair(".lora_A.weight", proj->loraA()),
                                                std::make_pair(".lora_B.weight", proj->loraB())}) {
                const std::string key = base + suffix;
                const io::TensorInfo* info = file.find(key);
                if (!info)
                    failInput("{}: missing tensor '{}' (expected shape {}, r = {} from adapter_config.json)", weightsPath,
                              key, shapeString(param.sizes()), options.r);
                if (!std::equal(info->shape.begin(), info->shape.end(), param.sizes().begin(), param.sizes().end()))
                    failInput("{}: tensor '{}' has shape {} but the model and adapter_config.json (r = {}) imply {}",
                              weightsPath, key, shapeString(info->shape), options.r, shapeString(param.sizes()));
                if (info->dtype != io::DType::F32 && info->dtype != io::DType::F16 && info->dtype != io::DType::BF16 &&
                    info->dtype != io::DType::F64)
                    failInput("{}: tensor '{}' has dtype {}, expected a float type", weightsPath, key,
                              io::dtypeName(info->dtype));
                param.copy_(loadTensor(file, *info));
                used.insert(key);
            }
            layers.insert(l);
            if (std::find(targets.begin(), targets.end(), projName(kind)) == targets.end())
                targets.push_back(projName(kind));
        }
        for (const auto& info : file.tensors())
            if (!used.count(info.name))
                failInput("{}: unexpected tensor '{}' — not a LoRA weight of the modules adapter_config.json targets",
                          weightsPath, info.name);
    } catch (...) {
        detachLora(model);
        throw;
    }
    options.targets = targets;
    if (static_cast<int>(layers.size()) != model.numLayers()) options.layers.assign(layers.begin(), layers.end());
    model.setLoraOptions(options);
    return options;
}

}  // namespace glr
