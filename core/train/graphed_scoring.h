#pragma once
// Scoring through CUDA graphs (eval.cuda_graphs). A small model's scoring forward on a GPU waits
// on the host launching its kernels one by one; captured once, the same kernels launch in one
// call. A graph needs static shapes, so batches are left-padded to a bucketed length
// (eval.pad_to_multiple_of) and one graph is kept per input shape: (rows, length, anchors).
// What changes shape from batch to batch (the 1-hop subgraph and its GNN, the ID-slot
// projector) runs eagerly before the graph; the graph starts from its results, copied into the
// graph's own input buffers.
//
// Each new graph is checked once against an eager call of the same function on the same
// buffers. A capture that fails, or a replay that disagrees, turns the graphs off for the rest
// of the run: later batches are scored eagerly and notes() says why.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <ATen/ATen.h>

#include "train/graphed_decoder.h"

namespace glr {

class GraphedScoring {
public:
    GraphedScoring(const at::Device& device, DecoderFunction score, int maxGraphs = 32);
    ~GraphedScoring();
    GraphedScoring(const GraphedScoring&) = delete;
    GraphedScoring& operator=(const GraphedScoring&) = delete;

    // Scores [B] of one batch (a tensor of its own), through the graph for the inputs' shape,
    // capturing it on first sight. Past maxGraphs shapes, or once graphs are off, eagerly.
    at::Tensor score(const DecoderInputs& inputs);

    bool active() const;           // false once a capture failed or disagreed
    int graphCount() const;        // graphs captured so far
    std::int64_t replays() const;  // batches scored by a replay
    std::int64_t eagerBatches() const;
    std::string notes() const;     // one line for the run's log; "" before the first batch

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr
