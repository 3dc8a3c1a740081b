#pragma once
// `graphlora bench gnn`: full-graph propagation on a generated Amazon-Book-sized graph
// (57,000 nodes, 1.45M non-zeros of Â, width 64 by default). Random bipartite graph with
// Zipf-like item popularity, so item rows are dense and user rows sparse as in the real data.
// Times (milliseconds, median over the timed repetitions after warm-up):
//   build      pairs -> CSR structure -> Â and Â_sl (once)
//   spmm       one Â x with the CSR kernel, and with torch's sparse COO mm for comparison
//   lightgcn   K-layer LightGCN forward, and forward + backward into x
//   ngcf       K-layer NGCF forward + backward (weights and x)
//   subgraph   the host work of one GraphLoRA training step in 1-hop mode: the batch's nodes
//              (a user and an item per row) and their neighbours chosen as the trainer does
//              (data::BipartiteGraph::oneHopNodes), and Â induced on them (GraphAdjacency::subgraph;
//              NGCF's and LightGCN's, without Â_sl)
// Threads: whatever at::get_num_threads() is (the CLI sets it; library code does not).
#include <cstdint>
#include <string>

namespace glr::gnn {

struct GnnBenchOptions {
    std::int64_t numUsers = 45'000;
    std::int64_t numItems = 12'000;
    std::int64_t interactions = 725'000;  // unique pairs; Â has twice as many non-zeros
    std::int64_t dim = 64;
    std::int64_t layers = 3;
    int warmup = 1;
    int repeats = 5;
    std::int64_t subgraphRows = 32;  // rows per batch for the subgraph cut (0: not timed)
    int subgraphBatches = 50;        // distinct random batches, each cut once per timed pass
    std::uint64_t seed = 2024;
};

struct GnnBenchResult {
    std::int64_t nodes = 0;
    std::int64_t nonZeros = 0;
    std::int64_t dim = 0;
    std::int64_t layers = 0;
    int threads = 0;
    int repeats = 0;
    double buildMs = 0;
    double spmmMs = 0;                 // CSR kernel, Â x
    double spmmTorchCooMs = 0;         // at::mm(sparse COO, x), same product
    double lightgcnForwardMs = 0;
    double lightgcnForwardBackwardMs = 0;
    double ngcfForwardBackwardMs = 0;
    double subgraphCutMs = 0;          // per batch, median over the batches
    double subgraphNodes = 0;          // mean over the batches
    double subgraphNonZeros = 0;       // mean non-zeros of the induced Â
    double spmmGigaflops = 0;          // 2·nnz·dim / spmm time
    double maxAbsDifference = 0;       // CSR kernel vs torch COO (sanity)
};

// Throws InputError for non-positive sizes or more interactions than user × item pairs allow.
GnnBenchResult benchGnn(const GnnBenchOptions& options = {});

// {"nodes": …, "non_zeros": …, "timings_ms": {…}, …}
std::string toJson(const GnnBenchResult& result);

}  // namespace glr::gnn
