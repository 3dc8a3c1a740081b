#include "train/checkpoint.h"

#include <optional>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "model/tensor_io.h"
#include "util/error.h"

namespace glr {

namespace {
// Version 2 files must carry the safetensors digest (io::kDigestKey), so that a flipped bit that
// renames the digest's own key cannot pass as a file without one. Version 1 files, written before
// the digest existed, are still read.
constexpr const char* kFormat = "graphlora-checkpoint/2";
constexpr const char* kFormatWithoutDigest = "graphlora-checkpoint/1";

// "rng.cpu.rank3" with prefix "rng.cpu.rank" -> 3; nullopt for any other name, and for a rank
// that is not 1..65535 in plain digits.
std::optional<int> peerRank(const std::string& name, const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int rank = std::stoi(digits);
    if (rank < 1 || rank > 65535) return std::nullopt;
    return rank;
}
}

void saveCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, t] : checkpoint.parameters) tensors["param." + name] = t;
    for (const auto& [name, t] : checkpoint.optimizerState) tensors["optim." + name] = t;
    if (checkpoint.cpuRngState.defined()) tensors["rng.cpu"] = checkpoint.cpuRngState;
    if (checkpoint.deviceRngState.defined()) tensors["rng.device"] = checkpoint.deviceRngState;
    for (const auto& [rank, state] : checkpoint.peerCpuRngStates) tensors[fmt::format("rng.cpu.rank{}", rank)] = state;
    for (const auto& [rank, state] : checkpoint.peerDeviceRngStates) tensors[fmt::format("rng.device.rank{}", rank)] = state;
    const auto& p = checkpoint.position;
    nlohmann::json meta = {{"step", p.step},
                           {"epoch", p.epoch},
                           {"batch_in_epoch", p.batchInEpoch},
                           {"best_valid_metric", p.bestValidMetric},
                           {"best_step", p.bestStep},
                           {"evals_without_improvement", p.evalsWithoutImprovement},
                           {"config_hash", p.configHash}};
    saveTensors(path, tensors, {{"format", kFormat}, {"position", meta.dump()}});
}

Checkpoint loadCheckpoint(const std::string& path) {
    auto file = io::SafetensorsFile::open(path);
    auto format = file.metadata().find("format");
    if (format == file.metadata().end() || (format->second != kFormat && format->second != kFormatWithoutDigest))
        failInput("{}: not a GraphLoRA checkpoint (metadata 'format' must be '{}')", path, kFormat);
    if (format->second == kFormat && !file.metadata().count(io::kDigestKey))
        failInput("{}: checkpoint has no '{}' metadata (its checksum); the file was damaged", path, io::kDigestKey);
    auto position = file.metadata().find("position");
    if (position == file.metadata().end()) failInput("{}: checkpoint has no 'position' metadata", path);
    Checkpoint cp;
    try {
        auto meta = nlohmann::json::parse(position->second);
        cp.position.step = meta.at("step").get<std::int64_t>();
        cp.position.epoch = meta.at("epoch").get<std::int64_t>();
        cp.position.batchInEpoch = meta.at("batch_in_epoch").get<std::int64_t>();
        cp.position.bestValidMetric = meta.at("best_valid_metric").get<double>();
        cp.position.bestStep = meta.at("best_step").get<std::int64_t>();
        cp.position.evalsWithoutImprovement = meta.at("evals_without_improvement").get<std::int64_t>();
        cp.position.configHash = meta.at("config_hash").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        failInput("{}: checkpoint position metadata is malformed ({})", path, e.what());
    }
    for (const auto& info : file.tensors()) {
        if (info.name.rfind("param.", 0) == 0)
            cp.parameters[info.name.substr(6)] = loadTensor(file, info);
        else if (info.name.rfind("optim.", 0) == 0)
            cp.optimizerState[info.name.substr(6)] = loadTensor(file, info);
        else if (info.name == "rng.cpu")
            cp.cpuRngState = loadTensor(file, info);
        else if (info.name == "rng.device")
            cp.deviceRngState = loadTensor(file, info);
        else if (auto rank = peerRank(info.name, "rng.cpu.rank"))
            cp.peerCpuRngStates[*rank] = loadTensor(file, info);
        else if (auto rank = peerRank(info.name, "rng.device.rank"))
            cp.peerDeviceRngStates[*rank] = loadTensor(file, info);
        else
            failInput("{}: unexpected tensor '{}' in checkpoint", path, info.name);
    }
    return cp;
}

namespace {

at::Tensor captureRngState(at::Generator gen) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
}

void restoreRngState(at::Generator gen, const at::Tensor& state, const char* which) {
    if (!state.defined()) return;
    std::lock_guard<std::mutex> lock(gen.mutex());
    try {
        gen.set_state(state);
    } catch (const c10::Error& e) {
        failInput("checkpoint: {} generator state is invalid ({})", which, e.what_without_backtrace());
    }
}

}  // namespace

at::Tensor captureCpuRngState() { return captureRngState(at::detail::getDefaultCPUGenerator()); }

void restoreCpuRngState(const at::Tensor& state) {
    restoreRngState(at::detail::getDefaultCPUGenerator(), state, "CPU");
}

at::Tensor captureDeviceRngState(const at::Device& device) {
    if (device.is_cpu()) return at::Tensor();
    return captureRngState(at::globalContext().defaultGenerator(device));
}

void restoreDeviceRngState(const at::Device& device, const at::Tensor& state) {
    if (device.is_cpu()) return;
    restoreRngState(at::globalContext().defaultGenerator(device), state, device.str().c_str());
}

}  // namespace glr
