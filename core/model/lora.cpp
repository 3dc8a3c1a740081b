// y = W x + b + s·B(z),  z = A(dropout(x)) with the injections of the AdapterPlan:
//   pre:    z = A(dropout(x) + v[n] at anchors)                      (SPEC §3.6)
//   CoRA:   z = dropout(x) W_gen[b]            W_gen [B,in,r]         (SPEC §7)
//   middle: z[b,t] ← α·z[b,t] + β·g[n] at anchors (b,t,n)            (SPEC §3.5)
//   x [B,T,in] -> y [B,T,out]
#include "model/lora.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <set>

#include "model/llama.h"
#include "model/tensor_io.h"
#include "util/error.h"

namespace glr {

namespace {

constexpr const char* kProjNames[kProjKinds] = {"q_proj", "k_proj", "v_proj", "o_proj",
                                                "gate_proj", "up_proj", "down_proj"};

std::string validProjNames() {
    std::string s;
    for (const char* n : kProjNames) s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
}

// A and B of one adapter, as a child module so re-attaching with another rank replaces them.
class LoraAdapterImpl : public torch::nn::Module {
public:
    LoraAdapterImpl(at::Tensor a, at::Tensor b) {
        A = register_parameter("A", std::move(a));
        B = register_parameter("B", std::move(b));
    }
    at::Tensor A, B;
};
TORCH_MODULE(LoraAdapter);

void checkDevice(const at::Tensor& t, const at::Device& device, const char* what) {
    if (t.device() != device)
        failInput("adapter context: {} is on {} but the model is on {}", what, t.device().str(), device.str());
}

void checkAnchors(const at::Tensor& anchors, const char* what) {
    if (!anchors.defined()) failInput("adapter context: {}.anchors is missing", what);
    if (anchors.dim() != 2 || anchors.size(1) != 3 || anchors.scalar_type() != at::kLong)
        failInput("adapter context: {}.anchors must be I64 [n,3] (row, position, node), got {}", what,
                  describeTensor(anchors));
}

at::Tensor scalarParam(const at::Tensor& t, const char* what, at::ScalarType dtype = at::kFloat) {
    if (!t.defined() || t.numel() != 1)
        failInput("adapter context: middle.{} must be a one-element tensor", what);
    return t.to(dtype).reshape({});
}

// Bit set per layer of the projections `modules` at `layers` (resolved against the model); each
// must carry an adapter. Empty `modules` means "every adapted projection"; empty `layers` all.
std::vector<std::uint32_t> moduleMask(const LlamaModelImpl& model, const std::vector<int>& layers,
                                      const std::vector<std::string>& modules, const char* what,
                                      std::int64_t requiredIn = -1) {
    const auto& config = model.config();
    std::vector<std::uint32_t> mask(model.numLayers(), 0u);
    std::vector<int> resolved;
    if (layers.empty()) {
        for (int l = 0; l < model.numLayers(); ++l) resolved.push_back(l);
    } else {
        for (int l : layers) resolved.push_back(config.resolveLayer(l, std::string(what) + " layer"));
    }
    for (int l : resolved) {
        const auto& layer = model.layer(l);
        if (modules.empty()) {
            for (int k = 0; k < kProjKinds; ++k) {
                const auto& proj = layer.projection(static_cast<ProjKind>(k));
                if (proj->hasAdapter() && (requiredIn < 0 || proj->inFeatures() == requiredIn)) mask[l] |= 1u << k;
            }
            continue;
        }
        for (const auto& name : modules) {
            const ProjKind kind = projKindOrThrow(name, std::string("adapter context: ") + what + " module");
            const auto& proj = layer.projection(kind);
            if (!proj->hasAdapter())
                failInput("adapter context: {} injection at layer {} {} needs a LoRA adapter there (attach "
                          "LoRA to {} at that layer)", what, l, name, name);
            if (requiredIn >= 0 && proj->inFeatures() != requiredIn)
                failInput("adapter context: {} injection at layer {} {}: vectors have width {} but the "
                          "projection's input width is {}", what, l, name, requiredIn, proj->inFeatures());
            mask[l] |= 1u << static_cast<int>(kind);
        }
    }
    return mask;
}

}  // namespace

const char* projName(ProjKind kind) { return kProjNames[static_cast<int>(kind)]; }

const char* projParent(ProjKind kind) {
    return static_cast<int>(kind) <= static_cast<int>(ProjKind::O) ? "self_attn" : "mlp";
}

std::optional<ProjKind> parseProjName(const std::string& name) {
    for (int k = 0; k < kProjKinds; ++k)
        if (name == kProjNames[k]) return static_cast<ProjKind>(k);
    return std::nullopt;
}

ProjKind projKindOrThrow(const std::string& name, const std::string& context) {
    if (auto kind = parseProjName(name)) return *kind;
    failInput("{}: unknown projection '{}' (expected one of {})", context, name, validProjNames());
}

double LoraOptions::scaling() const {
    return rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

// ---- AdapterContext ---------------------------------------------------------------------------

GraphInjection GraphInjection::make(at::Tensor anchors, at::Tensor graphSignal, double alpha, double beta,
                                    std::vector<int> layers) {
    GraphInjection g;
    auto opts = graphSignal.options().dtype(at::kFloat);
    g.anchors = std::move(anchors);
    g.graphSignal = std::move(graphSignal);
    g.alpha = at::full({}, alpha, opts);
    g.beta = at::full({}, beta, opts);
    g.layers = std::move(layers);
    return g;
}

void AdapterContext::validate(const LlamaConfig& config, int rank, std::int64_t batch, std::int64_t seqLen) const {
    auto checkAnchorValues = [&](const at::Tensor& anchorsIn, std::int64_t nodes, const char* what) {
        checkAnchors(anchorsIn, what);
        at::Tensor a = anchorsIn.to(at::kCPU).contiguous();
        const std::int64_t* p = a.data_ptr<std::int64_t>();
        std::set<std::pair<std::int64_t, std::int64_t>> seen;
        for (std::int64_t i = 0; i < a.size(0); ++i) {
            const std::int64_t row = p[3 * i], pos = p[3 * i + 1], node = p[3 * i + 2];
            if (row < 0 || row >= batch || pos < 0 || pos >= seqLen || node < 0 || node >= nodes)
                failInput("adapter context: {}.anchors row {} = ({}, {}, {}) is out of range (rows 0..{}, "
                          "positions 0..{}, nodes 0..{})", what, i, row, pos, node, batch - 1, seqLen - 1, nodes - 1);
            if (!seen.insert({row, pos}).second)
                failInput("adapter context: {}.anchors row {}: (row {}, position {}) appears twice", what, i, row, pos);
        }
    };
    if (middle) {
        const auto& g = *middle;
        if (!g.graphSignal.defined() || g.graphSignal.dim() != 2 || !at::isFloatingType(g.graphSignal.scalar_type()))
            failInput("adapter context: middle.graph_signal must be a float [nodes, r] tensor");
        if (g.graphSignal.size(1) != rank)
            failInput("adapter context: middle.graph_signal has width {} but the LoRA rank is {}", g.graphSignal.size(1), rank);
        checkAnchorValues(g.anchors, g.graphSignal.size(0), "middle");
        scalarParam(g.alpha, "alpha");
        scalarParam(g.beta, "beta");
        for (int l : g.layers) config.resolveLayer(l, "middle injection layer");
    }
    if (pre) {
        if (!pre->vectors.defined() || pre->vectors.dim() != 2)
            failInput("adapter context: pre.vectors must be a float [nodes, width] tensor");
        checkAnchorValues(pre->anchors, pre->vectors.size(0), "pre");
        for (int l : pre->layers) config.resolveLayer(l, "pre injection layer");
    }
    if (cora) {
        const auto& w = cora->weight;
        if (!w.defined() || w.dim() != 3 || w.size(0) != batch || w.size(2) != rank)
            failInput("adapter context: cora.weight must be [batch={}, in, r={}]", batch, rank);
        for (int l : cora->layers) config.resolveLayer(l, "CoRA layer");
    }
}

AdapterPlan AdapterPlan::resolve(const AdapterContext& context, const LlamaModelImpl& model, std::int64_t batch,
                                 std::int64_t seqLen) {
    AdapterPlan plan;
    const at::Device device = model.device();
    const at::ScalarType dtype = model.adapterComputeDtype();
    if (context.middle) {
        const auto& g = *context.middle;
        checkAnchors(g.anchors, "middle");
        checkDevice(g.anchors, device, "middle.anchors");
        if (!g.graphSignal.defined() || g.graphSignal.dim() != 2)
            failInput("adapter context: middle.graph_signal must be a [nodes, r] tensor");
        checkDevice(g.graphSignal, device, "middle.graph_signal");
        plan.middleMask = moduleMask(model, g.layers, g.modules, "middle");
        for (int l = 0; l < model.numLayers(); ++l)
            for (int k = 0; k < kProjKinds; ++k)
                if (plan.middleAt(l, static_cast<ProjKind>(k))) {
                    const int r = model.layer(l).projection(static_cast<ProjKind>(k))->rank();
                    if (r != g.graphSignal.size(1))
                        failInput("adapter context: middle.graph_signal has width {} but the adapter of layer {} {} "
                                  "has rank {}", g.graphSignal.size(1), l, projName(static_cast<ProjKind>(k)), r);
                }
        plan.middleIndex = g.anchors.select(1, 0) * seqLen + g.anchors.select(1, 1);
        // β·g in the adapters' precision, then cast once to the compute precision.
        const at::ScalarType master = model.adapterDtype();
        plan.middleAlpha = scalarParam(g.alpha, "alpha", master);
        plan.middleSignal = (g.graphSignal.to(master).index_select(0, g.anchors.select(1, 2)) *
                             scalarParam(g.beta, "beta", master)).to(dtype);
    }
    if (context.pre) {
        const auto& p = *context.pre;
        checkAnchors(p.anchors, "pre");
        checkDevice(p.anchors, device, "pre.anchors");
        if (!p.vectors.defined() || p.vectors.dim() != 2)
            failInput("adapter context: pre.vectors must be a [nodes, width] tensor");
        checkDevice(p.vectors, device, "pre.vectors");
        plan.preMask = moduleMask(model, p.layers, p.modules, "pre", p.vectors.size(1));
        plan.preIndex = p.anchors.select(1, 0) * seqLen + p.anchors.select(1, 1);
        plan.preVectors = p.vectors.to(dtype).index_select(0, p.anchors.select(1, 2));
    }
    if (context.cora) {
        const auto& w = context.cora->weight;
        if (!w.defined() || w.dim() != 3 || w.size(0) != batch)
            failInput("adapter context: cora.weight must be [batch={}, in, r], got {}", batch, describeTensor(w));
        checkDevice(w, device, "cora.weight");
        plan.coraMask = moduleMask(model, context.cora->layers, context.cora->modules, "cora", w.size(1));
        for (int l = 0; l < model.numLayers(); ++l)
            for (int k = 0; k < kProjKinds; ++k) {
                const int r = model.layer(l).projection(static_cast<ProjKind>(k))->rank();
                if (plan.coraAt(l, static_cast<ProjKind>(k)) && r != w.size(2))
                    failInput("adapter context: cora.weight has rank {} but the adapter of layer {} {} has rank {}",
                              w.size(2), l, projName(static_cast<ProjKind>(k)), r);
            }
        plan.coraWeight = w.to(dtype);
    }
    return plan;
}

// ---- LoraLinear -------------------------------------------------------------------------------

LoraLinearImpl::LoraLinearImpl(ProjKind kind, int layer, at::Tensor weight, at::Tensor bias)
    : kind_(kind), layer_(layer), weight_(std::move(weight)), bias_(std::move(bias)) {}

std::string LoraLinearImpl::hfPath() const {
    return "model.layers." + std::to_string(layer_) + "." + projParent(kind_) + "." + projName(kind_);
}

at::Tensor LoraLinearImpl::forward(const at::Tensor& x, const AdapterPlan* plan) {
    at::Tensor y = at::linear(x, weight_, bias_);
    if (!hasAdapter()) return y;
    return y.add_(delta(x, plan));
}

at::Tensor LoraLinearImpl::delta(const at::Tensor& x, const AdapterPlan* plan) {
    if (!hasAdapter()) return {};
    const bool pre = plan && plan->preAt(layer_, kind_);
    const bool cora = plan && plan->coraAt(layer_, kind_);
    const bool middle = plan && plan->middleAt(layer_, kind_);

    // fp32 (fp64) models compute in the adapters' own precision, as PEFT does. bf16/fp16 models
    // compute in that precision, autocast-style: A and B are cast (r·(in+out) values) instead of
    // x, whose fp32 copy [B,T,in] and the fp32 product [B,T,out] cost more memory traffic than
    // the rank-r products themselves (measured on an H200: docs/benchmarks.md).
    const at::ScalarType computeType = isReducedFloat(x.scalar_type()) ? x.scalar_type() : loraA_.scalar_type();
    const at::Tensor a = loraA_.scalar_type() == computeType ? loraA_ : loraA_.to(computeType);
    const at::Tensor b = loraB_.scalar_type() == computeType ? loraB_ : loraB_.to(computeType);
    at::Tensor in = x.scalar_type() == computeType ? x : x.to(computeType);
    if (dropout_ > 0 && is_training()) in = at::dropout(in, dropout_, true);
    if (pre) {
        const auto sizes = in.sizes().vec();
        in = in.reshape({-1, in.size(-1)}).index_add(0, plan->preIndex, plan->preVectors).view(sizes);
    }
    at::Tensor z = cora ? at::bmm(in, plan->coraWeight) : at::linear(in, a);  // [B,T,r]
    if (middle) {
        const auto sizes = z.sizes().vec();
        at::Tensor flat = z.reshape({-1, z.size(-1)});
        at::Tensor replaced = flat.index_select(0, plan->middleIndex) * plan->middleAlpha + plan->middleSignal;
        z = flat.index_copy(0, plan->middleIndex, replaced).view(sizes);
    }
    // s·B(z) as B(s·z): the scaling touches r values per token instead of out.
    at::Tensor out = at::linear(z * scaling_, b);
    return out.scalar_type() == x.scalar_type() ? out : out.to(x.scalar_type());
}

void LoraLinearImpl::attachAdapter(int r, double scaling, double dropout, at::Generator& generator) {
    GLR_CHECK(r > 0, "LoRA rank must be positive");
    const double bound = 1.0 / std::sqrt(static_cast<double>(inFeatures()));
    // fp32 whatever the frozen dtype; fp64 only for fp64 models (gradient checks).
    const at::ScalarType dtype = weight_.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    at::Tensor a = at::empty({r, inFeatures()}, at::TensorOptions().dtype(at::kFloat));
    a.uniform_(-bound, bound, generator);
    a = a.to(weight_.device(), dtype).set_requires_grad(true);
    at::Tensor b = at::zeros({outFeatures(), r}, at::TensorOptions().dtype(dtype).device(weight_.device()))
                       .set_requires_grad(true);
    detachAdapter();
    auto adapter = register_module("lora", LoraAdapter(std::move(a), std::move(b)));
    loraA_ = adapter->A;
    loraB_ = adapter->B;
    scaling_ = scaling;
    dropout_ = dropout;
}

void LoraLinearImpl::detachAdapter() {
    if (!hasAdapter()) return;
    unregister_module("lora");
    loraA_ = at::Tensor();
    loraB_ = at::Tensor();
}

// ---- model-level ------------------------------------------------------------------------------

void attachLora(LlamaModelImpl& model, const LoraOptions& options) {
    if (options.r <= 0 || options.r > 65536) failInput("LoRA rank r = {} must be in 1..65536", options.r);
    if (!(options.dropout >= 0 && options.dropout < 1)) failInput("LoRA dropout {} must be in [0, 1)", options.dropout);
    if (options.targets.empty()) failInput("LoRA targets are empty (e.g. [\"q_proj\", \"v_proj\"])");
    std::vector<ProjKind> kinds;
    for (const auto& t : options.targets) kinds.push_back(projKindOrThrow(t, "LoRA target"));
    std::vector<bool> selected(model.numLayers(), options.layers.empty());
    for (int l : options.layers) selected[model.config().resolveLayer(l, "LoRA layer")] = true;

    detachLora(model);
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    for (int l = 0; l < model.numLayers(); ++l) {
        if (!selected[l]) continue;
        for (int k = 0; k < kProjKinds; ++k) {
            if (std::find(kinds.begin(), kinds.end(), static_cast<ProjKind>(k)) == kinds.end()) continue;
            model.layer(l).projection(static_cast<ProjKind>(k))
                ->attachAdapter(options.r, options.scaling(), options.dropout, generator);
        }
    }
    model.setLoraOptions(options);
}

void detachLora(LlamaModelImpl& model) {
    for (int l = 0; l < model.numLayers(); ++l)
        for (int k = 0; k < kProjKinds; ++k) model.layer(l).projection(static_cast<ProjKind>(k))->detachAdapter();
    model.setLoraOptions(std::nullopt);
}

std::vector<LoraLinear> loraModules(const LlamaModelImpl& model) {
    std::vector<LoraLinear> out;
    for (int l = 0; l < model.numLayers(); ++l)
        for (int k = 0; k < kProjKinds; ++k) {
            const auto& proj = model.layer(l).projection(static_cast<ProjKind>(k));
            if (proj->hasAdapter()) out.push_back(proj);
        }
    return out;
}

std::vector<at::Tensor> adapterParameters(const LlamaModelImpl& model) {
    std::vector<at::Tensor> out;
    for (const auto& m : loraModules(model)) {
        out.push_back(m->loraA());
        out.push_back(m->loraB());
    }
    return out;
}

std::vector<std::pair<std::string, at::Tensor>> namedAdapterParameters(const LlamaModelImpl& model) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& m : loraModules(model)) {
        const std::string base = "base_model.model." + m->hfPath();
        out.emplace_back(base + ".lora_A.weight", m->loraA());
        out.emplace_back(base + ".lora_B.weight", m->loraB());
    }
    return out;
}

}  // namespace glr
