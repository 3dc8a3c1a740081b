#pragma once
// The collectives a data-parallel run needs, over LibTorch's c10d (Gloo: CPU tensors, and CUDA
// tensors staged through the host). Every rank calls each collective in the same order with
// tensors of the same shape and dtype; a rank that waits longer than the spec's timeout throws
// naming the collective, so a dead peer ends the run instead of hanging it.
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "dist/data_parallel_spec.h"

namespace glr::dist {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    bool isLeader() const { return rank() == 0; }

    // tensor ← Σ_ranks tensor, in place.
    virtual void allReduceSum(at::Tensor& tensor) = 0;
    // tensor ← root's tensor, in place.
    virtual void broadcast(at::Tensor& tensor, int root) = 0;
    // Every rank's tensor, in rank order.
    virtual std::vector<at::Tensor> allGather(const at::Tensor& tensor) = 0;
    // A value one rank publishes through the rendezvous and the others wait for (the run's
    // id and config, which only rank 0 knows at first).
    virtual void publish(const std::string& key, const std::string& value) = 0;
    virtual std::string await(const std::string& key) = 0;

    // True on every rank when `flag` is true on any (a stop asked for on one rank).
    bool anyRank(bool flag);
    void barrier();
};

// World size 1: collectives are identities and nothing waits.
std::unique_ptr<Communicator> singleProcess();

// Joins the run's other ranks (throws InputError naming the address, or the timeout, when they
// cannot be reached). World size 1 returns singleProcess().
std::unique_ptr<Communicator> connect(const DataParallelSpec& spec);

// Whether this build can run more than one rank (LibTorch with c10d's Gloo backend).
bool dataParallelAvailable();

}  // namespace glr::dist
