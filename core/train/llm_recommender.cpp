#include "train/llm_recommender.h"

#include <algorithm>

#include <torch/torch.h>

#include <filesystem>
#include <fmt/format.h>

#include "config/experiment_config.h"
#include "data/batcher.h"
#include "data/prompt.h"
#include "data/split_dataset.h"
#include "gnn/device_upload.h"
#include "model/llama.h"
#include "model/loader.h"
#include "model/lora.h"
#include "tokenizer/tokenizer.h"
#include "train/collab_embeddings.h"
#include "train/cuda_graph.h"
#include "train/graphed_scoring.h"
#include "train/graphed_training.h"
#include "train/sequence_batch.h"
#include "util/error.h"

namespace glr {

namespace {

using config::Method;

// Named parameters of a torch module as one optimiser group.
void addModuleParams(ParamGroup& group, const std::string& prefix, torch::nn::Module& module) {
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        group.names.push_back(prefix + item.key());
        group.params.push_back(item.value());
    }
}

class LlmRecommender final : public Recommender {
public:
    LlmRecommender(const config::ExperimentConfig& cfg, std::shared_ptr<const data::SplitDataset> dataset)
        : cfg_(cfg), data_(std::move(dataset)), nodes_(data_->nodeIndex()) {
        const auto method = cfg_.method.name;
        loadBackbone();
        const bool idClauses = method == Method::GraphLoRA || method == Method::LoraOnly || method == Method::CoLLM;
        useLora_ = method != Method::Icl;
        useSlots_ = idClauses;
        useCora_ = method == Method::CoRA;
        const bool graphPath = method == Method::GraphLoRA || (method == Method::LoraOnly && cfg_.method.mf.trainable);
        useMiddle_ = graphPath && cfg_.method.inject.position == config::InjectPosition::Middle;
        usePre_ = graphPath && cfg_.method.inject.position == config::InjectPosition::Pre;

        data::PromptOptions prompt;
        prompt.domain = cfg_.data.domain;
        prompt.withIdClauses = idClauses;
        prompt.maxHistory = cfg_.data.maxHistory;
        prompt.maxLength = static_cast<int>(std::min<std::int64_t>(cfg_.data.maxLength, llm_->config().maxPositions));
        encoder_ = std::make_unique<data::PromptEncoder>(*tokenizer_, data_->items, nodes_, prompt);

        const std::int64_t hidden = llm_->config().hiddenSize;
        const int r = cfg_.method.lora.r;
        if (useLora_) {
            LoraOptions lora;
            lora.r = r;
            lora.alpha = cfg_.method.lora.alpha;
            lora.dropout = cfg_.method.lora.dropout;
            lora.targets = cfg_.method.lora.targets;
            lora.seed = static_cast<std::uint64_t>(cfg_.seed);
            attachLora(*llm_, lora);
        }
        torch::manual_seed(cfg_.seed);
        const bool sasEmbeddings = method == Method::CoLLM && cfg_.method.collm.embedding == config::CfEmbedding::SASRec;
        const bool needsCollab = (useSlots_ || useMiddle_ || usePre_ || useCora_) && !sasEmbeddings;
        std::int64_t d = cfg_.method.mf.dim;
        if (sasEmbeddings) {
            // CoLLM-SAS: the user slot takes SASRec's encoding of the row's history, the item slot
            // SASRec's item embedding (trained jointly).
            sasrec_ = makeSasRec(cfg_, nodes_);
            sasrec_->to(llm_->device());
            d = cfg_.method.sasrec.dim;
        }
        if (needsCollab) {
            CollabEmbeddingOptions co;
            co.dim = cfg_.method.mf.dim;
            co.trainable = cfg_.method.mf.trainable;
            co.init = cfg_.method.mf.init;
            co.source = method == Method::CoLLM ? cfg_.method.collm.embedding : config::CfEmbedding::MF;
            if (method == Method::CoLLM && cfg_.method.collm.init) co.init = cfg_.method.collm.init;
            co.gnnLayers = cfg_.method.gnn.layers;
            co.device = llm_->device();
            collab_ = std::make_unique<CollabEmbeddings>(*data_, co);
        }
        if (useSlots_) {
            // φ: Linear(d → 10d) → ReLU → Linear(10d → H)
            projector_ = torch::nn::Sequential(torch::nn::Linear(d, 10 * d), torch::nn::ReLU(),
                                               torch::nn::Linear(10 * d, hidden));
            projector_->to(llm_->device());
        }
        if (useMiddle_ || usePre_) {
            GraphPathOptions gp;
            gp.type = method == Method::LoraOnly ? config::GnnType::Identity : cfg_.method.gnn.type;
            gp.layers = cfg_.method.gnn.layers;
            gp.dim = cfg_.method.gnn.dim;
            gp.inputDim = d;
            gp.oneHop = cfg_.method.gnn.neighborhood == config::Neighborhood::OneHop;
            gp.fanout = cfg_.method.gnn.fanout.value_or(-1);
            gp.seed = static_cast<std::uint64_t>(cfg_.seed);
            gp.device = llm_->device();
            graphPath_ = std::make_unique<GraphPath>(*data_, gp);
            const std::int64_t outDim = usePre_ ? hidden : r;
            // P: Linear(d_g → r) (middle) or Q: Linear(d_g → H) (pre)
            bottleneck_ = torch::nn::Linear(graphPath_->outputDim(), outDim);
            bottleneck_->to(llm_->device());
            for (int layer : cfg_.method.inject.layers) injectLayers_.push_back(llm_->config().resolveLayer(layer, "method.inject.layers"));
        }
        if (useCora_) {
            // G: Linear(2d → H·r), generating W_gen [H, r] per row from [e_u; e_i]
            coraGenerator_ = torch::nn::Linear(2 * d, hidden * r);
            coraGenerator_->to(llm_->device());
        }
        // Score row: w_yes, or w_yes − w_no for the two-way softmax (TALLRec style).
        at::Tensor head = llm_->lmHead.to(at::kFloat);
        scoreRow_ = head[encoder_->scoreTokenId()].clone();
        if (cfg_.method.score == config::ScoreMode::YesNoSoftmax) scoreRow_ = scoreRow_ - head[encoder_->noTokenId()];
        if (cfg_.eval.cudaGraphs || cfg_.train.cudaGraphs) checkCudaGraphsPossible();
        if (cfg_.eval.cudaGraphs)
            graphedScoring_ = std::make_unique<GraphedScoring>(llm_->device(), [this](const DecoderInputs& in) { return decode(in); });
        if (cfg_.train.cudaGraphs && useLora_) {
            std::vector<at::Tensor> adapters;
            for (const auto& m : loraModules(*llm_)) {
                adapters.push_back(m->loraA());
                adapters.push_back(m->loraB());
            }
            graphedTraining_ = std::make_unique<GraphedTraining>(
                llm_->device(), [this](const DecoderInputs& in) { return decode(in); }, std::move(adapters),
                /*deterministic=*/cfg_.method.lora.dropout == 0.0);
        }
    }

    std::int64_t splitSize(const std::string& split) const override {
        return static_cast<std::int64_t>(data_->split(split).size());
    }

    RowMeta rowMeta(const std::string& split, std::int64_t row) const override {
        const auto& r = data_->split(split).rows.at(static_cast<std::size_t>(row));
        return {r.uid, r.iid, r.label, r.notCold};
    }

    std::vector<std::vector<std::int64_t>> planBatches(const std::string& split, const std::vector<std::int64_t>& rows,
                                                       int batchSize, std::uint64_t seed, bool shuffle) const override {
        const auto& lengths = lengthsOf(split);
        std::vector<int> subset;
        subset.reserve(rows.size());
        for (auto r : rows) subset.push_back(lengths.at(static_cast<std::size_t>(r)));
        data::BatchOptions options;
        options.batchSize = batchSize;
        options.shuffle = shuffle;
        options.seed = seed;
        data::BatchPlan plan(std::move(subset), options);
        auto batches = plan.epoch(0);
        for (auto& batch : batches)
            for (auto& index : batch) index = rows[static_cast<std::size_t>(index)];
        return batches;
    }

    std::int64_t workUnits(const std::string& split, const std::vector<std::int64_t>& rows) const override {
        const auto& lengths = lengthsOf(split);
        std::int64_t n = 0;
        for (auto r : rows) n += lengths.at(static_cast<std::size_t>(r));
        return n;
    }

    at::Tensor forward(const std::string& split, const std::vector<std::int64_t>& rows, bool training) override {
        if (!training && graphedScoring_) return graphedScoring_->score(bucketedInputs(split, rows, false));
        if (training && graphedTraining_) return graphedTraining_->forward(bucketedInputs(split, rows, true));
        // On CUDA eager batches are bucketed too: every new length costs cuDNN's attention a plan
        // build (tens to hundreds of ms), so shapes must repeat. CPU batches stay at their longest.
        const std::int64_t minLength = llm_->device().is_cuda() ? bucketedLengthOf(split, rows, training) : 0;
        const PreparedBatch p = prepareBatch(split, rows, training, minLength);
        ForwardInput input = forwardInputOf(p.inputs);
        AdapterContext context;
        auto buildContext = [&]() -> const AdapterContext* {
            at::Tensor localAnchors, signal;
            if ((useMiddle_ || usePre_) && p.anchors.defined()) {
                const GraphSignal g = graphSignal(p.nodeFeatures, p.batch, training);
                localAnchors = p.anchors.clone();
                localAnchors.select(1, 2).copy_(g.anchorRows);
                signal = g.signal;
            }
            context = adapterContext(localAnchors, signal, useCora_ ? coraWeight(p.batch, p.nodeFeatures) : at::Tensor());
            return context.empty() ? nullptr : &context;
        };
        if (llm_->device().is_cpu() || useCora_) {
            input.adapters = buildContext();
        } else {
            // The graph path's host work (cutting the 1-hop subgraph) overlaps the device's layers
            // below the first injection. CPU runs stay eager: same random-number order as before.
            input.deferredAdapters = buildContext;
            input.deferredFromLayer = injectLayers_.empty() ? 0 : *std::min_element(injectLayers_.begin(), injectLayers_.end());
        }
        ForwardOutput out = llm_->forward(input);
        return at::matmul(out.hidden, scoreRow_);  // [B]
    }

    std::string runtimeNotes() const override {
        std::string notes = graphedTraining_ ? graphedTraining_->notes() : "";
        const std::string scoring = graphedScoring_ ? graphedScoring_->notes() : "";
        if (!notes.empty() && !scoring.empty()) notes += "; ";
        return notes + scoring;
    }

    std::vector<ParamGroup> parameterGroups() override {
        std::vector<ParamGroup> groups;
        const auto& t = cfg_.train;
        if (useLora_) {
            ParamGroup lora{"lora", {}, {}, true, t.lr, t.weightDecay};
            for (const auto& m : loraModules(*llm_)) {
                lora.names.push_back(m->hfPath() + ".lora_A");
                lora.params.push_back(m->loraA());
                lora.names.push_back(m->hfPath() + ".lora_B");
                lora.params.push_back(m->loraB());
            }
            groups.push_back(std::move(lora));
        }
        if (projector_) {
            ParamGroup g{"projector", {}, {}, true, t.lr, t.weightDecay};
            addModuleParams(g, "", *projector_);
            groups.push_back(std::move(g));
        }
        if (coraGenerator_) {
            ParamGroup g{"cora", {}, {}, true, t.lr, t.weightDecay};
            addModuleParams(g, "", *coraGenerator_);
            groups.push_back(std::move(g));
        }
        if (sasrec_) {
            ParamGroup g{"sasrec", {}, {}, true, t.lr, t.weightDecay};
            addModuleParams(g, "", *sasrec_);
            groups.push_back(std::move(g));
        }
        if (collab_ && collab_->trainable()) {
            ParamGroup g{"mf", {}, {}, true, t.lr, t.weightDecay};
            collab_->addParameters(g);
            if (!g.params.empty()) groups.push_back(std::move(g));
        }
        if (graphPath_) {
            // Adam (L2) for the GNN and the bottleneck, SPEC §4
            ParamGroup g{"gnn", {}, {}, false, t.gnnLr, t.gnnWeightDecay};
            graphPath_->addParameters(g);
            addModuleParams(g, "bottleneck.", *bottleneck_);
            groups.push_back(std::move(g));
        }
        return groups;
    }

    std::int64_t totalParameterCount() const override {
        std::int64_t n = llm_->config().parameterCount();
        auto* self = const_cast<LlmRecommender*>(this);
        for (const auto& g : self->parameterGroups())
            for (const auto& p : g.params) n += p.numel();
        if (collab_ && !collab_->trainable()) n += collab_->parameterCount();
        return n;
    }

    std::vector<std::pair<std::string, std::string>> exportArtifacts(const std::string& dir) override {
        if (!useLora_) return {};
        const std::string adapterDir = (std::filesystem::path(dir) / "adapter").string();
        saveAdapter(*llm_, adapterDir);
        return {{"adapter", adapterDir}};
    }

    std::string describe() const override {
        std::string what = config::toString(cfg_.method.name);
        what += fmt::format(" on {} ({} layers, width {}{})", backboneName_, llm_->config().numLayers,
                            llm_->config().hiddenSize, randomWeights_ ? ", RANDOM WEIGHTS: exercises the pipeline, does not measure an LLM" : "");
        if (graphPath_) what += fmt::format("; {} encoder, inject at {}", graphPath_->describe(), fmt::join(injectLayers_, ","));
        return what;
    }

private:
    static bool hasPadding(const data::TokenBatch& batch) {
        return std::find(batch.attentionMask.begin(), batch.attentionMask.end(), 0) != batch.attentionMask.end();
    }

    // One batch on the model's device, the modules in train or eval mode: the decoder's token
    // input (ids, or embeddings with the ID slots filled), positions and padding mask; the anchors
    // [n,3] (row, position, global node; undefined without any) and the node features [N, d] that
    // the graph path and CoRA read. minLength > 0 left-pads to at least that many tokens.
    struct PreparedBatch {
        data::TokenBatch batch;
        DecoderInputs inputs;  // ids or embeds, mask, positions
        at::Tensor anchors;
        at::Tensor nodeFeatures;
    };
    PreparedBatch prepareBatch(const std::string& split, const std::vector<std::int64_t>& rows, bool training,
                               std::int64_t minLength) {
        const auto& s = data_->split(split);
        PreparedBatch p;
        p.batch = data::makeBatch(*encoder_, s, rows, padId_, minLength);
        const data::TokenBatch& batch = p.batch;
        const auto device = llm_->device();
        const std::int64_t B = batch.batchSize, T = batch.length, nAnchors = batch.numAnchors();
        llm_->train(training);
        if (projector_) projector_->train(training);
        at::Tensor ids = uploadIndices(batch.inputIds, {B, T}, device);
        // Without padding the causal mask is all there is: leaving the padding mask out lets the
        // GPU run fused (flash) attention, which takes no mask. Known on the host, so no sync.
        if (hasPadding(batch)) p.inputs.mask = uploadIndices(batch.attentionMask, {B, T}, device);
        p.inputs.positions = uploadIndices(batch.positionIds, {B, T}, device);
        if (nAnchors > 0) p.anchors = uploadIndices(batch.anchors, {nAnchors, 3}, device);
        if (collab_) p.nodeFeatures = collab_->nodeFeatures(training);
        p.inputs.embeds = slotEmbeddings(s, rows, ids, p.anchors, p.nodeFeatures, training);
        if (!p.inputs.embeds.defined()) p.inputs.ids = ids;
        return p;
    }

    // The decoder's input for `in`: hidden state at the last position (the scored one).
    static ForwardInput forwardInputOf(const DecoderInputs& in) {
        const at::Tensor& tokens = in.embeds.defined() ? in.embeds : in.ids;
        const std::int64_t B = tokens.size(0), T = tokens.size(1);
        ForwardInput input;
        if (in.embeds.defined())
            input.inputsEmbeds = in.embeds;
        else
            input.inputIds = in.ids;
        input.attentionMask = in.mask;
        input.positionIds = in.positions;
        input.scorePositions = at::full({B}, T - 1, at::TensorOptions().dtype(at::kLong).device(tokens.device()));
        input.returnHidden = true;
        return input;
    }

    // The token embeddings with each ID slot replaced by φ(e_node) [B,T,H]; undefined for
    // methods without ID slots (the decoder embeds the ids itself).
    at::Tensor slotEmbeddings(const data::Split& s, const std::vector<std::int64_t>& rows, const at::Tensor& ids,
                              const at::Tensor& anchors, const at::Tensor& nodeFeatures, bool training) {
        if (!useSlots_ || !anchors.defined()) return {};
        at::Tensor slots = anchors.slice(1, 0, 2);
        at::Tensor nodeIds = anchors.select(1, 2);
        at::Tensor features;
        if (sasrec_) {
            sasrec_->train(training);
            at::Tensor users = sasrec_->encodeHistories(
                gnn::uploadAsync(historyTensor(s, rows, cfg_.method.sasrec.maxLen), llm_->device()));
            at::Tensor isUser = (nodeIds < nodes_.numUsers).unsqueeze(1);
            at::Tensor itemRows = (nodeIds - nodes_.numUsers).clamp_min(0);
            features = at::where(isUser, users.index_select(0, anchors.select(1, 0)),
                                 sasrec_->items->weight.index_select(0, itemRows));
        } else {
            features = nodeFeatures.index_select(0, nodeIds);
        }
        return llm_->embedWithSlots(ids, slots, projector_->forward(features));
    }

    struct GraphSignal {
        at::Tensor signal;      // [M, r] (middle) or [M, H] (pre): P(GNN(E, Â)) or Q(…), one row per encoded node
        at::Tensor anchorRows;  // I64 [n]: the row of `signal` for each anchor
    };
    // The graph path for the anchors' nodes: full-graph propagation, or over the 1-hop subgraph
    // of the batch's nodes (cut on the host).
    GraphSignal graphSignal(const at::Tensor& nodeFeatures, const data::TokenBatch& batch, bool training) {
        at::Tensor hostAnchors = at::from_blob(const_cast<std::int64_t*>(batch.anchors.data()), {batch.numAnchors(), 3},
                                               at::TensorOptions().dtype(at::kLong));
        auto encoded = graphPath_->encode(nodeFeatures, hostAnchors.select(1, 2), training);
        at::Tensor signal = bottleneck_->forward(encoded.embeddings);
        if (cfg_.method.inject.normalize)
            signal = torch::nn::functional::normalize(signal, torch::nn::functional::NormalizeFuncOptions().dim(1)) *
                     cfg_.method.inject.scale;
        return {signal, encoded.anchorRows};
    }

    // The adapters' per-batch inputs: the graph injection from `anchors` [n,3], whose node column
    // indexes the rows of `signal` (middle: z ← α·z + β·signal[node]; pre-A: x + β·signal[node]
    // before A), and CoRA's generated A. Undefined tensors: no such injection.
    AdapterContext adapterContext(const at::Tensor& anchors, const at::Tensor& signal, const at::Tensor& coraWeight) const {
        AdapterContext context;
        if (signal.defined()) {
            if (useMiddle_) {
                context.middle = GraphInjection::make(anchors, signal, cfg_.method.inject.alpha, cfg_.method.inject.beta,
                                                      injectLayers_);
            } else {
                PreInjection p;
                p.anchors = anchors;
                p.vectors = signal * cfg_.method.inject.beta;
                p.layers = injectLayers_;
                context.pre = std::move(p);
            }
        }
        if (coraWeight.defined()) {
            CoraInjection c;
            c.weight = coraWeight;
            context.cora = std::move(c);
        }
        return context;
    }

    // CoRA's W_gen = G([e_u; e_i]) per row [B, H, r].
    at::Tensor coraWeight(const data::TokenBatch& batch, const at::Tensor& nodeFeatures) {
        const auto device = llm_->device();
        const std::int64_t B = batch.batchSize;
        at::Tensor uids = uploadIndices(batch.uids, {B}, device);
        at::Tensor iids = uploadIndices(batch.iids, {B}, device);
        at::Tensor e = at::cat({nodeFeatures.index_select(0, uids), nodeFeatures.index_select(0, iids + nodes_.numUsers)}, 1);
        return coraGenerator_->forward(e).view({B, llm_->config().hiddenSize, cfg_.method.lora.r});
    }

    void checkCudaGraphsPossible() const {
        const char* key = cfg_.train.cudaGraphs ? "train.cuda_graphs" : "eval.cuda_graphs";
        const auto device = llm_->device();
        const bool emulated = device.is_cpu() && cudaGraphsEmulatedOnCpu();
        if (!emulated && !device.is_cuda())
            failInput("{0}: CUDA graphs need model.device = cuda, but the model is on {1}; set {0}=false", key, device.str());
        if (!emulated && !cudaGraphsAvailable())
            failInput("{0}: this build cannot capture CUDA graphs; rebuild with -DGRAPHLORA_CUDA=ON or set {0}=false", key);
    }

    // The batch's longest prompt rounded up to <section>.pad_to_multiple_of tokens.
    std::int64_t bucketedLengthOf(const std::string& split, const std::vector<std::int64_t>& rows, bool training) const {
        const auto& lengths = lengthsOf(split);
        std::int64_t longest = 0;
        for (auto r : rows) longest = std::max<std::int64_t>(longest, lengths.at(static_cast<std::size_t>(r)));
        const int multiple = training ? cfg_.train.padToMultipleOf : cfg_.eval.padToMultipleOf;
        return bucketedLength(longest, multiple, llm_->config().maxPositions);
    }

    // The decoder's inputs for a batch padded to a bucketed length, so that batches share a few
    // shapes and a captured decoder serves each shape. The graph path and the ID-slot projector
    // run here, eagerly (recorded by autograd when training); the graph signal is gathered to
    // one row per anchor, so that the shapes do not depend on the batch's subgraph.
    DecoderInputs bucketedInputs(const std::string& split, const std::vector<std::int64_t>& rows, bool training) {
        const PreparedBatch p = prepareBatch(split, rows, training, bucketedLengthOf(split, rows, training));
        const data::TokenBatch& batch = p.batch;
        const std::int64_t nAnchors = batch.numAnchors();
        DecoderInputs in = p.inputs;
        if ((useMiddle_ || usePre_) && nAnchors > 0) {
            const GraphSignal g = graphSignal(p.nodeFeatures, batch, training);
            std::vector<std::int64_t> perAnchor = batch.anchors;  // node column := anchor index
            for (std::int64_t k = 0; k < nAnchors; ++k) perAnchor[static_cast<std::size_t>(3 * k + 2)] = k;
            in.anchors = uploadIndices(perAnchor, {nAnchors, 3}, llm_->device());
            in.signal = g.signal.index_select(0, g.anchorRows);
        }
        if (useCora_) in.coraWeight = coraWeight(batch, p.nodeFeatures);
        return in;
    }

    // What the graphs capture: the decoder from its inputs to the scores [B].
    at::Tensor decode(const DecoderInputs& in) {
        ForwardInput input = forwardInputOf(in);
        const AdapterContext context = adapterContext(in.anchors, in.signal, in.coraWeight);
        input.adapters = context.empty() ? nullptr : &context;
        return at::matmul(llm_->forward(input).hidden, scoreRow_);  // [B]
    }

    void loadBackbone() {
        LoadOptions options;
        options.device = parseDevice(cfg_.model.device);
        options.dtype = parseModelDType(cfg_.model.dtype, options.device, "model.dtype");
        options.seed = static_cast<std::uint64_t>(cfg_.seed);
        std::string path;
        if (cfg_.model.checkpoint) {
            path = *cfg_.model.checkpoint;
            backboneName_ = std::filesystem::path(path).filename().string();
        } else {
            path = "random:" + cfg_.model.shape;
            backboneName_ = cfg_.model.shape + " shape";
            randomWeights_ = true;
        }
        llm_ = loadModel(path, options);
        std::string tokenizerPath = cfg_.model.tokenizer.value_or("");
        if (tokenizerPath.empty() && cfg_.model.checkpoint) tokenizerPath = findTokenizerBeside(*cfg_.model.checkpoint);
        if (!tokenizerPath.empty()) {
            tokenizer_ = loadTokenizer(tokenizerPath);
        } else if (randomWeights_) {
            tokenizer_ = makeByteTokenizer();
        } else {
            failInput("model.tokenizer: no tokenizer found beside {}; set model.tokenizer", *cfg_.model.checkpoint);
        }
        if (tokenizer_->vocabSize() > llm_->config().vocabSize)
            failInput("model.tokenizer: the tokenizer has {} tokens but the model's vocabulary is {}",
                      tokenizer_->vocabSize(), llm_->config().vocabSize);
        padId_ = 0;
    }

    const std::vector<int>& lengthsOf(const std::string& split) const {
        auto it = lengths_.find(split);
        if (it != lengths_.end()) return it->second;
        const auto& s = data_->split(split);
        std::vector<int> lengths(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) lengths[i] = encoder_->length(s, i);
        return lengths_.emplace(split, std::move(lengths)).first->second;
    }

    config::ExperimentConfig cfg_;
    std::shared_ptr<const data::SplitDataset> data_;
    data::NodeIndex nodes_;
    LlamaModel llm_{nullptr};
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<data::PromptEncoder> encoder_;
    mutable std::map<std::string, std::vector<int>> lengths_;
    std::string backboneName_;
    bool randomWeights_ = false;
    std::int64_t padId_ = 0;
    bool useLora_ = false, useSlots_ = false, useMiddle_ = false, usePre_ = false, useCora_ = false;
    std::unique_ptr<CollabEmbeddings> collab_;
    gnn::SasRec sasrec_{nullptr};
    std::unique_ptr<GraphPath> graphPath_;
    torch::nn::Sequential projector_{nullptr};
    torch::nn::Linear bottleneck_{nullptr};
    torch::nn::Linear coraGenerator_{nullptr};
    std::vector<int> injectLayers_;
    at::Tensor scoreRow_;
    std::unique_ptr<GraphedScoring> graphedScoring_;    // eval.cuda_graphs
    std::unique_ptr<GraphedTraining> graphedTraining_;  // train.cuda_graphs
};

}  // namespace

std::unique_ptr<Recommender> makeLlmRecommender(const config::ExperimentConfig& config,
                                                std::shared_ptr<const data::SplitDataset> dataset) {
    return std::make_unique<LlmRecommender>(config, std::move(dataset));
}

}  // namespace glr
