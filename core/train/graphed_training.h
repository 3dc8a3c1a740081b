#pragma once
// Training through CUDA graphs (train.cuda_graphs): the decoder's forward and its backward are
// captured once per batch shape and replayed behind one autograd node, the way PyTorch's
// make_graphed_callables does it. Batches are left-padded to a bucketed length
// (train.pad_to_multiple_of), so a run sees a few shapes. What changes shape from batch to batch
// stays eager, outside the graphs: the ID-slot projector, the graph path with its 1-hop
// subgraph, CoRA's generator. Their outputs enter the captured decoder as inputs; the backward
// graph hands their gradients back to autograd, with those of the adapters' A and B.
//
//   forward:  copy inputs → static buffers; replay F: scores = decoder(buffers)      [B]
//   backward: copy dL/dscores → static buffer; replay G: (dL/dinputs, dL/dA, dL/dB)
//
// Parameters are read in place by the replays, so the optimiser must update them in place.
// Dropout draws come from the generator's graph-safe offsets: masks change from replay to
// replay as they do between eager steps, but never match an eager step's.
//
// Each new pair of graphs is checked once against eager autograd on the same buffers: exactly
// (to rounding) without dropout; with dropout, the scores to within the adapters' share and
// every gradient's norm to within a factor of two. A capture that fails or disagrees turns the
// graphs off for the rest of the run: later steps run eagerly and notes() says why.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "train/graphed_decoder.h"

namespace glr {

class GraphedTraining {
public:
    // `decoder` runs in training mode and reads the inputs and `parameters` (the trainable
    // tensors inside it: the adapters' A and B). `deterministic`: the decoder draws no random
    // numbers (no dropout), so the check at capture can be exact.
    GraphedTraining(const at::Device& device, DecoderFunction decoder, std::vector<at::Tensor> parameters,
                    bool deterministic, int maxGraphs = 8);
    ~GraphedTraining();
    GraphedTraining(const GraphedTraining&) = delete;
    GraphedTraining& operator=(const GraphedTraining&) = delete;

    // Scores [B] with an autograd node whose backward replays the captured backward. The
    // inputs that require gradients get them, and so do the parameters. Past maxGraphs shapes,
    // or once the graphs are off, the decoder runs eagerly.
    at::Tensor forward(const DecoderInputs& inputs);

    bool active() const;
    int graphCount() const;
    std::int64_t replays() const;  // forward replays (each followed by its backward's)
    std::int64_t eagerSteps() const;
    std::string notes() const;     // one line for the run's log; "" before the first batch

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr
