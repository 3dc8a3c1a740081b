// y = Â x for a CSR Â: the CPU kernel and its autograd wrapper; LibTorch's CSR × dense with the
// same transposed-CSR backward on other devices; sparse COO as the reference both are tested against.
//   x [N, d] -> y [N, d];  dL/dx = Âᵀ dL/dy
#include <algorithm>
#include <cstring>

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "gnn/device_upload.h"
#include "gnn/graph_adjacency.h"
#include "util/error.h"

namespace glr::gnn {
namespace {

// Non-zeros per parallel work item: large enough to amortise scheduling, small enough that the
// dense item rows (hundreds of entries each) spread over the threads.
constexpr std::int64_t kNonZerosPerChunk = 16384;

template <typename scalar_t>
void spmmRows(const std::int64_t* rowPtr, const std::int64_t* col, const scalar_t* values, const scalar_t* x,
              scalar_t* out, std::int64_t rowBegin, std::int64_t rowEnd, std::int64_t dim) {
    for (std::int64_t r = rowBegin; r < rowEnd; ++r) {
        scalar_t* outRow = out + r * dim;
        std::fill(outRow, outRow + dim, scalar_t(0));
        for (std::int64_t j = rowPtr[r]; j < rowPtr[r + 1]; ++j) {
            const scalar_t value = values[j];
            const scalar_t* xRow = x + col[j] * dim;
            for (std::int64_t k = 0; k < dim; ++k) outRow[k] += value * xRow[k];
        }
    }
}

// Rows are split into chunks of about equal non-zero count; each output row is written by one
// thread in a fixed order, so the result does not depend on the thread count.
at::Tensor spmmCpu(const at::Tensor& rowPtr, const at::Tensor& col, const at::Tensor& values, const at::Tensor& x) {
    const std::int64_t n = rowPtr.size(0) - 1;
    const std::int64_t dim = x.size(1);
    at::Tensor input = x.contiguous();
    at::Tensor out = at::empty({n, dim}, input.options());
    at::Tensor coefficients = values.to(input.scalar_type());
    const std::int64_t* rp = rowPtr.data_ptr<std::int64_t>();
    const std::int64_t* cp = col.data_ptr<std::int64_t>();
    const std::int64_t nnz = rp[n];
    const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(n, nnz / kNonZerosPerChunk + 1));
    auto chunkStart = [&](std::int64_t chunk) -> std::int64_t {
        if (chunk >= chunks) return n;
        const std::int64_t target = chunk * nnz / chunks;
        return std::int64_t(std::lower_bound(rp, rp + n + 1, target) - rp);
    };
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "glr_spmm_cpu", [&] {
        const scalar_t* vp = coefficients.data_ptr<scalar_t>();
        const scalar_t* xp = input.data_ptr<scalar_t>();
        scalar_t* op = out.data_ptr<scalar_t>();
        at::parallel_for(0, chunks, 1, [&](std::int64_t first, std::int64_t last) {
            for (std::int64_t chunk = first; chunk < last; ++chunk)
                spmmRows(rp, cp, vp, xp, op, std::min(chunkStart(chunk), n), std::min(chunkStart(chunk + 1), n), dim);
        });
    });
    return out;
}

// CSR [n, n] × dense through LibTorch (cuSPARSE on CUDA, MKL or its fallback on the CPU).
at::Tensor csrTimesDense(const at::Tensor& rowPtr, const at::Tensor& col, const at::Tensor& values,
                         const at::Tensor& x) {
    const std::int64_t n = rowPtr.size(0) - 1;
    // Unchecked: the CSR was built and checked once (GraphAdjacency); the checked constructor
    // re-validates every index on every propagation (in some LibTorch versions through reads
    // that wait for the device).
    at::Tensor a = at::_sparse_csr_tensor_unsafe(rowPtr, col, values.to(x.scalar_type()), {n, n},
                                                 x.options().layout(at::kSparseCsr));
    return at::mm(a, x.contiguous());
}

// y = Â x with dL/dx = Âᵀ dL/dy, both through `product` (the CPU kernel or LibTorch's CSR × dense):
// the transpose's CSR is built once, so the backward needs no sparse transpose or coalescing.
template <at::Tensor (*product)(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&)>
class PropagateCsr : public torch::autograd::Function<PropagateCsr<product>> {
public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& rowPtr,
                              const at::Tensor& col, const at::Tensor& values, const at::Tensor& rowPtrT,
                              const at::Tensor& colT, const at::Tensor& valuesT) {
        ctx->saved_data["rowPtrT"] = rowPtrT;
        ctx->saved_data["colT"] = colT;
        ctx->saved_data["valuesT"] = valuesT;
        return product(rowPtr, col, values, x);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs) {
        at::Tensor gradX = product(ctx->saved_data["rowPtrT"].toTensor(), ctx->saved_data["colT"].toTensor(),
                                   ctx->saved_data["valuesT"].toTensor(), gradOutputs[0]);
        return {gradX, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

at::Tensor cooFromCsr(const at::Tensor& rowPtr, const at::Tensor& col, const at::Tensor& values, std::int64_t n) {
    at::Tensor counts = rowPtr.slice(0, 1) - rowPtr.slice(0, 0, n);
    at::Tensor rows = at::repeat_interleave(at::arange(n, rowPtr.options()), counts);
    return at::sparse_coo_tensor(at::stack({rows, col}), values, {n, n}).coalesce();
}

}  // namespace

SparseAdjacency SparseAdjacency::fromSymmetricCsr(const CsrGraph& graph) { return fromCsr(graph, true); }

SparseAdjacency SparseAdjacency::fromCsr(const CsrGraph& graph) { return fromCsr(graph, false); }

SparseAdjacency SparseAdjacency::fromCsr(const CsrGraph& graph, bool knownSymmetric) {
    graph.validate("sparse adjacency");
    SparseAdjacency out;
    out.numNodes_ = graph.numNodes;
    out.nnz_ = graph.nnz();
    auto i64 = at::TensorOptions().dtype(at::kLong);
    out.rowPtr_ = at::empty({graph.numNodes + 1}, i64);
    out.col_ = at::empty({graph.nnz()}, i64);
    out.values_ = at::empty({graph.nnz()}, at::TensorOptions().dtype(at::kFloat));
    std::memcpy(out.rowPtr_.data_ptr(), graph.rowPtr.data(), graph.rowPtr.size() * sizeof(std::int64_t));
    if (graph.nnz() > 0) std::memcpy(out.col_.data_ptr(), graph.col.data(), graph.col.size() * sizeof(std::int64_t));
    if (graph.values.empty())
        out.values_.fill_(1.0f);
    else if (graph.nnz() > 0)
        std::memcpy(out.values_.data_ptr(), graph.values.data(), graph.values.size() * sizeof(float));

    if (knownSymmetric) {
        out.symmetric_ = true;
        out.rowPtrT_ = out.rowPtr_;
        out.colT_ = out.col_;
        out.valuesT_ = out.values_;
        return out;
    }
    // Transpose by counting sort over columns; rows visited in order keep its columns sorted.
    const std::int64_t n = graph.numNodes;
    std::vector<std::int64_t> rowPtrT(std::size_t(n) + 1, 0), colT(graph.col.size());
    std::vector<float> valuesT(graph.col.size());
    for (std::int64_t c : graph.col) ++rowPtrT[std::size_t(c) + 1];
    for (std::int64_t r = 0; r < n; ++r) rowPtrT[r + 1] += rowPtrT[r];
    std::vector<std::int64_t> fill(rowPtrT.begin(), rowPtrT.end() - 1);
    const float* values = out.values_.data_ptr<float>();
    for (std::int64_t r = 0; r < n; ++r)
        for (std::int64_t j = graph.rowPtr[r]; j < graph.rowPtr[r + 1]; ++j) {
            const std::int64_t slot = fill[std::size_t(graph.col[std::size_t(j)])]++;
            colT[std::size_t(slot)] = r;
            valuesT[std::size_t(slot)] = values[j];
        }
    out.symmetric_ = rowPtrT == graph.rowPtr && colT == graph.col &&
                     std::equal(valuesT.begin(), valuesT.end(), values);
    if (out.symmetric_) {
        out.rowPtrT_ = out.rowPtr_;
        out.colT_ = out.col_;
        out.valuesT_ = out.values_;
    } else {
        out.rowPtrT_ = at::tensor(rowPtrT, i64);
        out.colT_ = at::tensor(colT, i64);
        out.valuesT_ = at::tensor(valuesT, at::TensorOptions().dtype(at::kFloat));
    }
    return out;
}

void SparseAdjacency::checkFeatures(const at::Tensor& x) const {
    GLR_CHECK(defined(), "propagate over an empty sparse adjacency");
    GLR_CHECK(x.dim() == 2 && x.size(0) == numNodes_, "propagate: features of shape {} do not match {} graph nodes",
              c10::str(x.sizes()), numNodes_);
    GLR_CHECK(x.device() == device(), "propagate: features on {} but the adjacency on {}", x.device().str(),
              device().str());
}

at::Tensor SparseAdjacency::propagate(const at::Tensor& x) const {
    if (device().is_cpu()) {
        checkFeatures(x);
        return PropagateCsr<spmmCpu>::apply(x, rowPtr_, col_, values_, rowPtrT_, colT_, valuesT_);
    }
    return propagateLibraryCsr(x);
}

at::Tensor SparseAdjacency::propagateLibraryCsr(const at::Tensor& x) const {
    checkFeatures(x);
    return PropagateCsr<csrTimesDense>::apply(x, rowPtr_, col_, values_, rowPtrT_, colT_, valuesT_);
}

at::Tensor SparseAdjacency::propagateReference(const at::Tensor& x) const {
    GLR_CHECK(defined(), "propagate over an empty sparse adjacency");
    return at::mm(toSparseCoo().to(x.device(), x.scalar_type()), x);
}

SparseAdjacency SparseAdjacency::to(const at::Device& device) const {
    SparseAdjacency out = *this;
    if (!defined() || device == this->device()) return out;
    out.rowPtr_ = uploadAsync(rowPtr_, device);
    out.col_ = uploadAsync(col_, device);
    out.values_ = uploadAsync(values_, device);
    out.rowPtrT_ = symmetric_ ? out.rowPtr_ : uploadAsync(rowPtrT_, device);
    out.colT_ = symmetric_ ? out.col_ : uploadAsync(colT_, device);
    out.valuesT_ = symmetric_ ? out.values_ : uploadAsync(valuesT_, device);
    return out;
}

at::Tensor SparseAdjacency::toSparseCoo() const {
    GLR_CHECK(defined(), "toSparseCoo of an empty sparse adjacency");
    return cooFromCsr(rowPtr_, col_, values_, numNodes_);
}

at::Tensor SparseAdjacency::toDense() const { return toSparseCoo().to_dense(); }

}  // namespace glr::gnn
