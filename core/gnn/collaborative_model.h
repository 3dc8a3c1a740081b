#pragma once
// The collaborative baselines of SPEC §7 behind one interface (methods mf, lightgcn, ngcf, sasrec),
// also the embedding sources of CoLLM / CoRA and of GraphLoRA's MF initialisation.
//
//   logits = model(batch)    uids [B], iids [B] (I64), histories [B, L] (SASRec only) -> [B]
// Train with BCE-with-logits against the label (CoLLM's MF objective).
//
// Index conventions: MF / LightGCN / NGCF tables are indexed directly by uid and iid, so size them
// max id + 1 when ids are 1-based (row 0 then simply never trains). SASRec reserves item 0 for
// padding: item ids are 1..numItems.
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "gnn/graph_encoder.h"

namespace glr::gnn {

struct RecBatch {
    at::Tensor uids;       // [B] I64
    at::Tensor iids;       // [B] I64
    at::Tensor histories;  // [B, L] I64 item ids, left-padded with 0 (most recent last); SASRec only
};

class CollaborativeModelImpl : public torch::nn::Module {
public:
    virtual at::Tensor forward(const RecBatch& batch) = 0;
    virtual std::string methodName() const = 0;
    virtual std::int64_t embeddingDim() const = 0;
    // Final user / item representations [numUsers, D] / [numItems, D] (after propagation for graph
    // models), e.g. for CoLLM's projected soft tokens. SASRec has no user table: see SasRec.
    virtual at::Tensor userEmbeddings() = 0;
    virtual at::Tensor itemEmbeddings() = 0;
};
using CollaborativeModelPtr = std::shared_ptr<CollaborativeModelImpl>;

struct CollaborativeModelOptions {
    std::string method = "mf";       // "mf", "lightgcn", "ngcf" or "sasrec"
    std::int64_t numUsers = 0;       // table rows (max uid + 1)
    std::int64_t numItems = 0;       // table rows (max iid + 1); SASRec: largest item id
    std::int64_t dim = 64;
    std::int64_t layers = 3;         // lightgcn / ngcf propagation layers
    double initStd = 0.1;            // normal init of MF / graph tables
    // SASRec
    std::int64_t maxLength = 50;
    std::int64_t blocks = 2;
    std::int64_t heads = 1;
    double dropout = 0.2;
};

// `graph` is required for lightgcn / ngcf (the full training graph over numUsers + numItems nodes)
// and ignored otherwise. Throws InputError for an unknown method or bad sizes.
CollaborativeModelPtr makeCollaborativeModel(const CollaborativeModelOptions& options,
                                             const GraphAdjacency& graph = {});

}  // namespace glr::gnn
