#include "train/graphed_scoring.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "train/cuda_graph.h"
#include "util/error.h"

namespace glr {

struct GraphedScoring::Impl {
    struct Graph {
        DecoderInputs buffers;  // what the captured kernels read: refilled in place per batch
        std::unique_ptr<CapturedForward> captured;
    };

    at::Device device;
    DecoderFunction score;
    GraphCache<Graph> cache;
    double largestCaptureDifference = 0;

    Impl(const at::Device& d, DecoderFunction fn, int max) : device(d), score(std::move(fn)), cache(max) {}

    at::Tensor eagerly(const DecoderInputs& inputs) {
        ++cache.eager;
        return score(inputs);
    }

    // Captures a graph for the shape of `inputs`, scores them with it and checks the replay
    // against an eager call on the same buffers. Returns undefined when graphs turned off.
    at::Tensor capture(const std::vector<std::int64_t>& key, const DecoderInputs& inputs) {
        auto graph = std::make_unique<Graph>();
        graph->buffers = cloneAsBuffers(inputs);
        Graph* g = graph.get();
        try {
            graph->captured = std::make_unique<CapturedForward>(device, [this, g] { return score(g->buffers); }, 1,
                                                                cache.pool());
        } catch (const std::exception& e) {
            cache.turnOff(fmt::format("capturing {} failed ({})", describeShape(inputs), e.what()));
            return {};
        }
        at::Tensor replayed = graph->captured->replay().clone();
        at::Tensor expected = score(graph->buffers);
        const double scale = scaleOf(expected);
        const double difference = largestDifference(replayed, expected);
        if (!(difference <= kReplayTolerance * scale)) {
            cache.turnOff(fmt::format("the graph for {} replayed scores up to {:.3g} away from the eager forward (scale {:.3g})",
                                      describeShape(inputs), difference, scale));
            return {};
        }
        largestCaptureDifference = std::max(largestCaptureDifference, difference);
        cache.add(key, std::move(graph));
        ++cache.replays;
        return replayed;
    }
};

GraphedScoring::GraphedScoring(const at::Device& device, DecoderFunction score, int maxGraphs)
    : impl_(std::make_unique<Impl>(device, std::move(score), maxGraphs)) {
    GLR_CHECK(static_cast<bool>(impl_->score), "graphed scoring: no scoring function");
}

GraphedScoring::~GraphedScoring() = default;

at::Tensor GraphedScoring::score(const DecoderInputs& inputs) {
    Impl& d = *impl_;
    if (!d.cache.active()) return d.eagerly(inputs);
    const auto key = shapeKey(inputs);
    Impl::Graph* graph = d.cache.find(key);
    if (!graph) {
        if (d.cache.full()) return d.eagerly(inputs);
        at::Tensor scores = d.capture(key, inputs);
        return scores.defined() ? scores : d.eagerly(inputs);
    }
    copyIntoBuffers(graph->buffers, inputs);
    ++d.cache.replays;
    return graph->captured->replay().clone();
}

bool GraphedScoring::active() const { return impl_->cache.active(); }
int GraphedScoring::graphCount() const { return static_cast<int>(impl_->cache.graphs.size()); }
std::int64_t GraphedScoring::replays() const { return impl_->cache.replays; }
std::int64_t GraphedScoring::eagerBatches() const { return impl_->cache.eager; }

std::string GraphedScoring::notes() const {
    const Impl& d = *impl_;
    const auto& c = d.cache;
    if (!c.active()) return fmt::format("scoring CUDA graphs off: {}; {} batches scored eagerly", c.offReason, c.eager);
    if (c.replays == 0 && c.eager == 0) return "";
    std::string s = fmt::format("scoring CUDA graphs: {} captured, {} batches replayed (largest difference from eager "
                                "at capture {:.3g})",
                                c.graphs.size(), c.replays, d.largestCaptureDifference);
    if (c.eager > 0) s += fmt::format(", {} eager past the {}-graph limit", c.eager, c.maxGraphs);
    return s;
}

}  // namespace glr
