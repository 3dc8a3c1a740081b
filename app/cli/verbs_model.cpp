// graphlora logits   — logits of a checkpoint (optionally with a PEFT adapter and SPEC §3.5
//                      injection) for inputs in a safetensors file, in the fixtures' layout.
// graphlora generate — greedy decoding with a KV cache.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include "cli/verbs.h"
#include "model/compat.h"
#include "model/generate.h"
#include "model/loader.h"
#include "model/lora.h"
#include "model/tensor_io.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace glr::cli {

namespace {

struct ModelArgs {
    std::string model;
    std::string dtype = "auto";
    std::string device = "cpu";
};

void addModelOptions(CLI::App* cmd, ModelArgs& args) {
    cmd->add_option("--model", args.model, "HF checkpoint directory, llama2.c .bin, or random:<shape>")->required();
    cmd->add_option("--dtype", args.dtype, "frozen weights: float32, bfloat16, float16 or auto (fp32 on CPU, bf16 on CUDA)")
        ->capture_default_str();
    cmd->add_option("--device", args.device, "cpu, cuda or cuda:N")->capture_default_str();
}

LlamaModel openModel(const ModelArgs& args) {
    LoadOptions options;
    options.device = parseDevice(args.device);
    options.dtype = parseModelDType(args.dtype, options.device);
    return loadModel(args.model, options);
}

at::Tensor requireTensor(std::map<std::string, at::Tensor>& tensors, const std::string& file, const std::string& name,
                         at::ScalarType dtype, std::int64_t dims, const char* layout) {
    auto it = tensors.find(name);
    if (it == tensors.end()) failInput("{}: missing tensor '{}' ({})", file, name, layout);
    if (it->second.scalar_type() != dtype || it->second.dim() != dims)
        failInput("{}: tensor '{}' is {}, expected {}", file, name, describeTensor(it->second), layout);
    return it->second;
}

void runLogits(const ModelArgs& args, const std::string& adapter, const std::string& inject, const std::string& inputPath,
               const std::string& outputPath) {
    compat::prepareComputeThreads();
    auto model = openModel(args);
    model->eval();
    if (!adapter.empty()) loadAdapter(*model, adapter);

    auto inputs = loadAllTensors(inputPath);
    at::Tensor ids = requireTensor(inputs, inputPath, "input_ids", at::kLong, 2, "I64 [B,T]");
    const std::int64_t batch = ids.size(0), tokens = ids.size(1);
    ForwardInput in;
    in.inputIds = ids;
    if (inputs.count("attention_mask"))
        in.attentionMask = requireTensor(inputs, inputPath, "attention_mask", at::kLong, 2, "I64 [B,T]");
    if (inputs.count("position_ids"))
        in.positionIds = requireTensor(inputs, inputPath, "position_ids", at::kLong, 2, "I64 [B,T]");

    AdapterContext context;
    if (!inject.empty()) {
        if (adapter.empty()) failInput("--inject needs --adapter: the injection happens inside the LoRA adapters");
        auto t = loadAllTensors(inject);
        GraphInjection g;
        g.anchors = requireTensor(t, inject, "anchors", at::kLong, 2, "I64 [n,3] (row, position, node)");
        g.graphSignal = requireTensor(t, inject, "graph_signal", at::kFloat, 2, "F32 [nodes, r]");
        g.alpha = requireTensor(t, inject, "alpha", at::kFloat, 1, "F32 [1]");
        g.beta = requireTensor(t, inject, "beta", at::kFloat, 1, "F32 [1]");
        at::Tensor layer = requireTensor(t, inject, "inject_layer", at::kLong, 1, "I64 [1]");
        if (layer.numel() < 1) failInput("{}: inject_layer is empty", inject);
        g.layers.clear();
        for (std::int64_t i = 0; i < layer.numel(); ++i) g.layers.push_back(static_cast<int>(layer[i].item<std::int64_t>()));
        const at::Device device = model->device();
        g.anchors = g.anchors.to(device);
        g.graphSignal = g.graphSignal.to(device);
        g.alpha = g.alpha.to(device);
        g.beta = g.beta.to(device);
        context.middle = std::move(g);
        context.validate(model->config(), model->loraOptions()->r, batch, tokens);
        in.adapters = &context;
    }
    if (!model->device().is_cpu()) {
        in.inputIds = in.inputIds.to(model->device());
        if (in.attentionMask.defined()) in.attentionMask = in.attentionMask.to(model->device());
        if (in.positionIds.defined()) in.positionIds = in.positionIds.to(model->device());
    }
    at::NoGradGuard noGrad;
    at::Tensor logits = model->forward(in).logits.to(at::kCPU, at::kFloat);
    saveTensors(outputPath, {{"logits", logits}});
    fmt::print("wrote {}: logits {}\n", outputPath, shapeString(logits.sizes()));
}

void runGenerate(const ModelArgs& args, std::string tokenizerPath, const std::string& prompt, int maxNewTokens) {
    compat::prepareComputeThreads();
    const bool randomWeights = args.model.rfind("random:", 0) == 0;
    std::unique_ptr<Tokenizer> tokenizer;
    if (tokenizerPath.empty() && randomWeights) {
        tokenizer = makeByteTokenizer();
        tokenizerPath = "(byte-level)";
        fmt::print(stderr, "note: {} has random weights and a byte-level tokenizer: the text is noise\n", args.model);
    } else {
        if (tokenizerPath.empty()) tokenizerPath = findTokenizerBeside(args.model);
        if (tokenizerPath.empty())
            failInput("{}: no tokenizer found beside the checkpoint; pass --tokenizer PATH", args.model);
        tokenizer = loadTokenizer(tokenizerPath);
    }
    auto model = openModel(args);
    if (tokenizer->vocabSize() > model->config().vocabSize)
        failInput("tokenizer {} has {} tokens but the model's vocabulary has only {}", tokenizerPath,
                  tokenizer->vocabSize(), model->config().vocabSize);
    std::vector<int> promptIds = tokenizer->encode(prompt, /*addBos=*/true);
    std::vector<std::int64_t> ids(promptIds.begin(), promptIds.end());
    GenerateOptions options;
    options.maxNewTokens = maxNewTokens;
    auto generated = generateGreedy(*model, ids, options);
    std::vector<int> all(promptIds);
    for (auto id : generated) all.push_back(static_cast<int>(id));
    fmt::print("{}\n", tokenizer->decode(all));
}

}  // namespace

void registerModelVerbs(CLI::App& app) {
    {
        auto* cmd = app.add_subcommand("logits", "Logits of a checkpoint (with optional LoRA adapter and graph injection)");
        auto args = std::make_shared<ModelArgs>();
        auto adapter = std::make_shared<std::string>();
        auto inject = std::make_shared<std::string>();
        auto input = std::make_shared<std::string>();
        auto output = std::make_shared<std::string>();
        addModelOptions(cmd, *args);
        cmd->add_option("--adapter", *adapter, "PEFT adapter directory (adapter_config.json + adapter_model.safetensors)");
        cmd->add_option("--inject", *inject,
                        "safetensors with anchors I64 [n,3], graph_signal F32 [nodes,r], alpha, beta F32 [1], "
                        "inject_layer I64 [1]");
        cmd->add_option("--input", *input, "safetensors with input_ids, attention_mask, position_ids (I64 [B,T])")
            ->required();
        cmd->add_option("--output", *output, "safetensors to write: logits F32 [B,T,V]")->required();
        cmd->callback([=] { runLogits(*args, *adapter, *inject, *input, *output); });
    }
    {
        auto* cmd = app.add_subcommand("generate", "Greedy text generation with a KV cache");
        auto args = std::make_shared<ModelArgs>();
        auto tokenizer = std::make_shared<std::string>();
        auto prompt = std::make_shared<std::string>();
        auto maxNew = std::make_shared<int>(64);
        addModelOptions(cmd, *args);
        cmd->add_option("--tokenizer", *tokenizer, "tokenizer file or directory (default: the one beside the checkpoint)");
        cmd->add_option("--prompt", *prompt, "text to continue")->required();
        cmd->add_option("--max-new-tokens", *maxNew, "tokens to generate at most")->capture_default_str()->check(
            CLI::Range(1, 1 << 20));
        cmd->callback([=] { runGenerate(*args, *tokenizer, *prompt, *maxNew); });
    }
}

}  // namespace glr::cli
