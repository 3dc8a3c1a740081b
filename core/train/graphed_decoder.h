#pragma once
// What the scoring and the training graphs share (train/graphed_scoring.h,
// train/graphed_training.h): the inputs a captured decoder reads, one batch at a time, refilled
// in place before each replay; and the cache of graphs, one per input shape, that turns itself
// off for good after a failed or disagreeing capture.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "train/cuda_graph.h"

namespace glr {

// The decoder's inputs for one batch, all on the model's device. Undefined = not used.
struct DecoderInputs {
    at::Tensor ids;         // I64 [B,T], or…
    at::Tensor embeds;      // [B,T,H] token embeddings with the ID slots filled
    at::Tensor mask;        // I64 [B,T] 1 = token, 0 = left padding; undefined: no padding
    at::Tensor positions;   // I64 [B,T]
    at::Tensor anchors;     // I64 [n,3] (row, position, k): anchor k takes row k of `signal`
    at::Tensor signal;      // [n,r] middle injection, or [n,H] pre-A injection (one row per anchor, before β)
    at::Tensor coraWeight;  // [B,H,r] CoRA's generated A
};

// Scores [B] from the inputs; must read nothing back to the host (it is captured).
using DecoderFunction = std::function<at::Tensor(const DecoderInputs&)>;

// The inputs' slots in a fixed order (undefined ones included), for loops over all of them.
std::vector<at::Tensor*> inputSlots(DecoderInputs& inputs);
std::vector<const at::Tensor*> inputSlots(const DecoderInputs& inputs);

// Which inputs are there, with their dtypes, sizes and whether they need gradients: batches with
// equal keys can share a graph.
std::vector<std::int64_t> shapeKey(const DecoderInputs& inputs);

// "8 rows x 256 tokens, 16 anchors", for messages.
std::string describeShape(const DecoderInputs& inputs);

// Static buffers holding a copy of `inputs` (detached; those that need gradients are leaves
// that require them), and the copy of later inputs into them.
DecoderInputs cloneAsBuffers(const DecoderInputs& inputs);
void copyIntoBuffers(DecoderInputs& buffers, const DecoderInputs& inputs);

// A replay may differ from an eager call on the same buffers in the last bits (cuBLAS may pick
// another algorithm inside a capture), never by more than this fraction of the results' scale.
// Stale or unconnected buffers give differences of the results' own size.
constexpr double kReplayTolerance = 2e-2;
// max |a − b| in fp64, and max(1, max |t|): the scale the tolerance is a fraction of.
double largestDifference(const at::Tensor& a, const at::Tensor& b);
double scaleOf(const at::Tensor& t);

// The length a batch whose longest prompt has `longest` tokens is padded to: the next multiple
// of `multiple`, but never beyond `maxLength` (nor below `longest`).
std::int64_t bucketedLength(std::int64_t longest, std::int64_t multiple, std::int64_t maxLength);

// Graphs by input shape (shapeKey), with what a run's note reports about them.
template <typename Graph>
struct GraphCache {
    explicit GraphCache(int maxGraphs) : maxGraphs(maxGraphs) {}

    bool active() const { return offReason.empty(); }
    bool full() const { return static_cast<int>(graphs.size()) >= maxGraphs; }
    Graph* find(const std::vector<std::int64_t>& key) {
        auto it = graphs.find(key);
        return it == graphs.end() ? nullptr : it->second.get();
    }
    Graph* add(const std::vector<std::int64_t>& key, std::unique_ptr<Graph> graph) {
        return graphs.emplace(key, std::move(graph)).first->second.get();
    }
    // One pool for all of them: they replay one at a time, so their scratch memory is shared.
    CudaGraphPool pool() {
        if (!poolCreated) {
            pool_ = CudaGraphPool::create();
            poolCreated = true;
        }
        return pool_;
    }
    // For the rest of the run: every later batch runs eagerly.
    void turnOff(std::string reason) {
        offReason = std::move(reason);
        graphs.clear();  // their buffers and pool memory go back to the allocator
    }

    int maxGraphs;
    std::map<std::vector<std::int64_t>, std::unique_ptr<Graph>> graphs;
    std::string offReason;         // "" while active
    std::int64_t replays = 0;      // batches run by a replay
    std::int64_t eager = 0;        // batches run eagerly (graphs off, or past maxGraphs shapes)

private:
    CudaGraphPool pool_;
    bool poolCreated = false;
};

}  // namespace glr
