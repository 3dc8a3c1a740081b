#include "train/graphed_training.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <torch/autograd.h>

#include "train/cuda_graph.h"
#include "util/error.h"

namespace glr {

namespace {

constexpr double kDropoutTolerance = 0.25;  // scores: dropout moves only the adapters' share
constexpr double kNormRatioLimit = 2.0;     // gradients under another dropout mask

}  // namespace

struct GraphedTraining::Impl {
    // One batch shape: its input buffers, the captured forward F and backward G, and what they
    // leave behind (the scores, the gradients), all at fixed addresses.
    struct Graph {
        DecoderInputs buffers;
        std::vector<at::Tensor> differentiable;  // the buffers that require gradients, then the parameters
        at::Tensor scores;                       // [B], written by F
        at::Tensor gradScores;                   // [B], read by G
        std::vector<at::Tensor> gradients;       // one per `differentiable` (undefined: unused), written by G
        std::unique_ptr<CapturedWork> forward, backward;
    };

    at::Device device;
    DecoderFunction decoder;
    std::vector<at::Tensor> parameters;
    bool deterministic;
    GraphCache<Graph> cache;

    Impl(const at::Device& d, DecoderFunction fn, std::vector<at::Tensor> params, bool det, int max)
        : device(d), decoder(std::move(fn)), parameters(std::move(params)), deterministic(det), cache(max) {}

    // The decoder with autograd recording, whatever the caller's grad mode: F replays inside the
    // autograd node's forward, where recording is off (and so does its CPU emulation).
    at::Tensor recordedScores(const DecoderInputs& buffers) {
        at::AutoGradMode recording(true);
        return decoder(buffers);
    }
    std::vector<at::Tensor> gradientsOf(const at::Tensor& scores, Graph& g) {
        return torch::autograd::grad({scores}, g.differentiable, {g.gradScores}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
    }

    // The first replay pair against eager autograd on the same buffers. The eager results go to
    // locals: g.scores and g.gradients must stay the tensors the graphs write.
    std::string check(Graph& g, const DecoderInputs& inputs) {
        g.gradScores.fill_(1.0);
        g.forward->replay();
        g.backward->replay();
        const at::Tensor replayedScores = g.scores.detach().clone();
        std::vector<at::Tensor> replayed;
        for (const auto& t : g.gradients) replayed.push_back(t.defined() ? t.clone() : t);
        const at::Tensor eagerScores = recordedScores(g.buffers);
        const std::vector<at::Tensor> eagerGradients = gradientsOf(eagerScores, g);
        const double scale = scaleOf(eagerScores);
        const double scoreDifference = largestDifference(replayedScores, eagerScores);
        const double scoreTolerance = (deterministic ? kReplayTolerance : kDropoutTolerance) * scale;
        if (!(scoreDifference <= scoreTolerance))
            return fmt::format("the graph for {} replayed scores up to {:.3g} away from eager autograd (scale {:.3g})",
                               describeShape(inputs), scoreDifference, scale);
        for (std::size_t i = 0; i < replayed.size(); ++i) {
            const at::Tensor& eagerGradient = eagerGradients[i];
            if (replayed[i].defined() != eagerGradient.defined())
                return fmt::format("the graph for {} lost gradient {} of {}", describeShape(inputs), i, replayed.size());
            if (!eagerGradient.defined()) continue;
            if (deterministic) {
                const double difference = largestDifference(replayed[i], eagerGradient);
                if (!(difference <= kReplayTolerance * scaleOf(eagerGradient)))
                    return fmt::format("the graph for {} replayed gradient {} up to {:.3g} away from eager autograd",
                                       describeShape(inputs), i, difference);
            } else {
                const double a = replayed[i].detach().to(at::kDouble).norm().item<double>();
                const double b = eagerGradient.detach().to(at::kDouble).norm().item<double>();
                const bool bothZero = a == 0 && b == 0;
                if (!std::isfinite(a) || (!bothZero && !(a <= kNormRatioLimit * b && b <= kNormRatioLimit * a)))
                    return fmt::format("the graph for {} replayed gradient {} with norm {:.3g} against eager {:.3g}",
                                       describeShape(inputs), i, a, b);
            }
        }
        return "";
    }

    Graph* capture(const std::vector<std::int64_t>& key, const DecoderInputs& inputs) {
        auto graph = std::make_unique<Graph>();
        Graph& g = *graph;
        g.buffers = cloneAsBuffers(inputs);
        for (at::Tensor* slot : inputSlots(g.buffers))
            if (slot->defined() && slot->requires_grad()) g.differentiable.push_back(*slot);
        g.differentiable.insert(g.differentiable.end(), parameters.begin(), parameters.end());
        const at::Tensor& tokens = g.buffers.embeds.defined() ? g.buffers.embeds : g.buffers.ids;
        g.gradScores = at::ones({tokens.size(0)}, at::TensorOptions().dtype(at::kFloat).device(device));
        const CudaGraphPool pool = cache.pool();
        try {
            runOnSideStream(device, [&] {
                for (int warmup = 0; warmup < 2; ++warmup)  // kernels, cuBLAS workspaces, autograd streams
                    (void)gradientsOf(recordedScores(g.buffers), g);
                g.forward = std::make_unique<CapturedWork>(device, [this, &g] { g.scores = recordedScores(g.buffers); }, pool);
                g.backward = std::make_unique<CapturedWork>(device, [this, &g] { g.gradients = gradientsOf(g.scores, g); }, pool);
            });
        } catch (const std::exception& e) {
            cache.turnOff(fmt::format("capturing {} failed ({})", describeShape(inputs), e.what()));
            return nullptr;
        }
        const std::string disagreement = check(g, inputs);
        if (!disagreement.empty()) {
            cache.turnOff(disagreement);
            return nullptr;
        }
        return cache.add(key, std::move(graph));
    }
};

namespace {

// The autograd node around one replay pair. The graph it replays outlives the node: graphs are
// dropped only while capturing, which happens in a forward, after every earlier backward.
class ReplayedDecoder : public torch::autograd::Function<ReplayedDecoder> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, void* graph, at::TensorList differentiable) {
        auto& g = *static_cast<GraphedTraining::Impl::Graph*>(graph);
        ctx->saved_data["graph"] = reinterpret_cast<std::int64_t>(graph);
        (void)differentiable;  // already copied into the buffers; passed so that autograd routes gradients
        g.forward->replay();
        return g.scores.detach().clone();
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs) {
        auto& g = *reinterpret_cast<GraphedTraining::Impl::Graph*>(ctx->saved_data["graph"].toInt());
        g.gradScores.copy_(gradOutputs[0]);
        g.backward->replay();
        torch::autograd::variable_list gradients{at::Tensor()};  // for the graph pointer
        for (const auto& t : g.gradients) gradients.push_back(t.defined() ? t.clone() : at::Tensor());
        return gradients;
    }
};

}  // namespace

GraphedTraining::GraphedTraining(const at::Device& device, DecoderFunction decoder, std::vector<at::Tensor> parameters,
                                 bool deterministic, int maxGraphs)
    : impl_(std::make_unique<Impl>(device, std::move(decoder), std::move(parameters), deterministic, maxGraphs)) {
    GLR_CHECK(static_cast<bool>(impl_->decoder), "graphed training: no decoder");
}

GraphedTraining::~GraphedTraining() = default;

at::Tensor GraphedTraining::forward(const DecoderInputs& inputs) {
    Impl& d = *impl_;
    auto eagerly = [&] {
        ++d.cache.eager;
        return d.decoder(inputs);
    };
    if (!d.cache.active()) return eagerly();
    const auto key = shapeKey(inputs);
    Impl::Graph* graph = d.cache.find(key);
    if (graph) {
        copyIntoBuffers(graph->buffers, inputs);
    } else {
        if (d.cache.full()) return eagerly();
        graph = d.capture(key, inputs);  // the buffers hold these inputs
        if (!graph) return eagerly();
    }
    // The live inputs that require gradients (matching the buffers' order), then the parameters.
    std::vector<at::Tensor> differentiable;
    for (const at::Tensor* slot : inputSlots(inputs))
        if (slot->defined() && slot->requires_grad()) differentiable.push_back(*slot);
    differentiable.insert(differentiable.end(), d.parameters.begin(), d.parameters.end());
    ++d.cache.replays;
    return ReplayedDecoder::apply(static_cast<void*>(graph), at::TensorList(differentiable));
}

bool GraphedTraining::active() const { return impl_->cache.active(); }
int GraphedTraining::graphCount() const { return static_cast<int>(impl_->cache.graphs.size()); }
std::int64_t GraphedTraining::replays() const { return impl_->cache.replays; }
std::int64_t GraphedTraining::eagerSteps() const { return impl_->cache.eager; }

std::string GraphedTraining::notes() const {
    const auto& c = impl_->cache;
    if (!c.active())
        return fmt::format("training CUDA graphs off: {}; {} forward/backward passes ran eagerly", c.offReason, c.eager);
    if (c.replays == 0 && c.eager == 0) return "";
    std::string s = fmt::format("training CUDA graphs: {} forward/backward pairs captured, {} passes replayed",
                                c.graphs.size(), c.replays);
    if (c.eager > 0) s += fmt::format(", {} eager past the {}-shape limit", c.eager, c.maxGraphs);
    return s;
}

}  // namespace glr
