// compat::scaledDotProductAttention (and the blocked CPU attention behind it for large inputs)
// against a plain float64 softmax(q kᵀ/√D + mask) v with expanded KV heads: outputs and the
// gradients w.r.t. q, k and v, across GQA, padding masks, causality, row blocks and T ≠ S.
#include <QtTest>

#include <cmath>

#include <torch/csrc/autograd/autograd.h>

#include "model/compat.h"
#include "model/cpu_attention.h"
#include "model/cpu_attention_kernels.h"
#include "model/llama.h"
#include "model/loader.h"
#include "model_test_util.h"

using glr::test::maskedRelativeError;

namespace {

at::Tensor referenceAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                              bool isCausal) {
    const auto group = q.size(1) / k.size(1);
    at::Tensor kk = k.repeat_interleave(group, 1), vv = v.repeat_interleave(group, 1);
    at::Tensor scores = at::matmul(q, kk.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(-1)));
    if (mask.defined()) scores = scores + mask;
    if (isCausal) {
        const auto t = q.size(2), s = k.size(2);
        scores = scores.masked_fill(at::ones({t, s}, at::kBool).triu(s - t + 1), -1e9);
    }
    return at::matmul(at::softmax(scores, -1), vv);
}

// Left-padding + causal additive mask [B,1,T,S] like the model builds.
at::Tensor paddingMask(std::int64_t batch, std::int64_t tokens, std::int64_t keys, std::vector<std::int64_t> pads,
                       at::ScalarType dtype) {
    at::Tensor mask = at::zeros({batch, 1, tokens, keys}, dtype);
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 0; t < tokens; ++t)
            for (std::int64_t s = 0; s < keys; ++s)
                if (s < pads[b] || s > t + (keys - tokens)) mask[b][0][t][s] = -1e9;
    return mask;
}

}  // namespace

class TestAttention : public QObject {
    Q_OBJECT

    // Float64 inputs, compared to 1e-10 (output) and 1e-9 (gradients); with `asFloat` the
    // implementation runs in float32 (the row kernels' vectorised float path, its own exp) and is
    // compared to 2e-6 and 1e-5.
    void compare(std::int64_t batch, std::int64_t heads, std::int64_t kvHeads, std::int64_t tokens, std::int64_t keys,
                 std::int64_t dim, bool withMask, bool isCausal, bool blocked, bool asFloat = false) {
        const QString what = QString("B%1 H%2/%3 T%4 S%5 D%6 mask %7 causal %8 blocked %9")
                                 .arg(batch).arg(heads).arg(kvHeads).arg(tokens).arg(keys).arg(dim)
                                 .arg(withMask).arg(isCausal).arg(blocked);
        at::manual_seed(tokens * 7 + keys);
        at::Tensor q = at::randn({batch, heads, tokens, dim}, at::kDouble).requires_grad_(true);
        at::Tensor k = at::randn({batch, kvHeads, keys, dim}, at::kDouble).requires_grad_(true);
        at::Tensor v = at::randn({batch, kvHeads, keys, dim}, at::kDouble).requires_grad_(true);
        std::vector<std::int64_t> pads;
        for (std::int64_t b = 0; b < batch; ++b) pads.push_back(b == 0 ? 0 : std::min<std::int64_t>(keys - 1, 3 + 5 * b));
        at::Tensor mask = withMask ? paddingMask(batch, tokens, keys, pads, at::kDouble) : at::Tensor();
        // Fully padded query rows (every key masked) only have to stay finite: implementations
        // may spread them over different keys, and in the model nothing downstream reads them,
        // so they get no upstream gradient and are not compared.
        at::Tensor keep = withMask ? (mask > -1).any(-1, true) : at::ones({1, 1, 1, 1}, at::kBool);
        at::Tensor upstream = at::randn({batch, heads, tokens, dim}, at::kDouble) * keep;

        auto run = [&](const at::Tensor& qq, const at::Tensor& kk, const at::Tensor& vv, const at::Tensor& m) {
            return blocked ? glr::blockedCpuAttention(qq, kk, vv, m, isCausal)
                           : glr::compat::scaledDotProductAttention(qq, kk, vv, m, isCausal);
        };
        at::Tensor out = asFloat ? run(q.to(at::kFloat), k.to(at::kFloat), v.to(at::kFloat),
                                       withMask ? mask.to(at::kFloat) : mask)
                                 : run(q, k, v, mask);
        auto grads = torch::autograd::grad({out}, {q, k, v}, {asFloat ? upstream.to(at::kFloat) : upstream});
        const double outTolerance = asFloat ? 2e-6 : 1e-10, gradTolerance = asFloat ? 1e-5 : 1e-9;
        at::Tensor ref = referenceAttention(q, k, v, mask, isCausal);
        auto refGrads = torch::autograd::grad({ref}, {q, k, v}, {upstream});
        QVERIFY2(out.isfinite().all().item<bool>(), qPrintable(what));
        const double outError = maskedRelativeError(out, ref, keep);
        QVERIFY2(outError < outTolerance, qPrintable(what + " output: " + QString::number(outError)));
        const char* names[] = {"dq", "dk", "dv"};
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(grads[i].isfinite().all().item<bool>(), qPrintable(what + names[i]));
            const double err = maskedRelativeError(grads[i], refGrads[i]);
            QVERIFY2(err < gradTolerance, qPrintable(what + " " + names[i] + ": " + QString::number(err)));
        }
    }

private slots:
    void blockedMatchesReference() {
        compare(2, 4, 2, 150, 150, 8, true, true, true);    // GQA, padding, row blocks of 64
        compare(2, 4, 4, 70, 70, 16, false, true, true);    // causal only
        compare(1, 2, 1, 65, 65, 8, false, false, true);    // bidirectional
        compare(2, 4, 2, 40, 100, 8, true, true, true);     // T < S: after a KV cache
        compare(3, 8, 4, 1, 90, 8, true, false, true);      // one query row per sequence (scoring)
    }

    void blockedFloatMatchesReference() {
        compare(2, 4, 2, 150, 150, 8, true, true, true, true);   // GQA, padding, causal
        compare(1, 2, 1, 97, 97, 16, false, false, true, true);  // bidirectional, odd length
        compare(2, 4, 2, 40, 100, 8, true, true, true, true);    // T < S
    }

    // The float kernels' exp against std::exp (in double) where softmax evaluates it, x ≤ 0:
    // at most 2 ulp (2.4e-7 relative) down to −87, exactly 0 below.
    void kernelExpIsAccurate() {
        double worst = 0;
        for (int i = 0; i <= 200000; ++i) {
            const float x = -87.0f * float(i) / 200000.0f;
            const double exact = std::exp(double(x));
            worst = std::max(worst, std::abs(double(glr::attention_kernels::expFloat(x)) - exact) / exact);
        }
        qInfo("kernel exp: worst relative error %.3g on [-87, 0]", worst);
        QVERIFY2(worst < 2.4e-7, qPrintable(QString::number(worst)));
        QCOMPARE(glr::attention_kernels::expFloat(-88.0f), 0.0f);
        QCOMPARE(glr::attention_kernels::expFloat(-1e9f), 0.0f);
        QCOMPARE(glr::attention_kernels::expFloat(0.0f), 1.0f);
    }

    void compatMatchesReference() {
        compare(2, 4, 2, 12, 12, 8, true, true, false);     // small: explicit path
        compare(2, 4, 2, 100, 100, 8, true, true, false);   // large: blocked path on 1.13
        compare(2, 4, 1, 3, 20, 8, false, true, false);     // causal without mask, T < S
    }

    // No query row of the model's mask is empty: a left-padded query sees itself, and only
    // itself, so its output is the same whatever real tokens follow it. (Fully masked rows are
    // what fused GPU kernels answer with NaN.) Real positions are covered by the test below.
    void paddedQueriesSeeOnlyThemselves() {
        auto model = glr::loadModel("random:stories260K", {at::kFloat, at::kCPU, 5});
        at::NoGradGuard noGrad;
        const std::int64_t tokens = 24, pad = 9;
        at::Tensor ids = at::randint(3, 512, {2, tokens}, at::kLong);
        ids.narrow(1, 0, pad).fill_(0);  // the same padding in both rows, different real tokens
        at::Tensor attention = at::ones({2, tokens}, at::kLong);
        attention.narrow(1, 0, pad).zero_();
        glr::ForwardInput input;
        input.inputIds = ids;
        input.attentionMask = attention;
        at::Tensor logits = model->forward(input).logits;  // [2,T,V]
        QVERIFY(logits.isfinite().all().item<bool>());
        const double samePads = maskedRelativeError(logits[0].narrow(0, 0, pad), logits[1].narrow(0, 0, pad));
        QVERIFY2(samePads < 1e-6, qPrintable(QString("padded positions differ by %1").arg(samePads)));
        QVERIFY(maskedRelativeError(logits[0].narrow(0, pad, tokens - pad), logits[1].narrow(0, pad, tokens - pad)) > 1e-2);
    }

    // The whole model over a long padded batch (blocked path) against token-by-token decoding
    // with a KV cache (one query row per step: the explicit path).
    void longSequencesMatchIncrementalDecoding() {
        auto model = glr::loadModel("random:stories260K", {at::kFloat, at::kCPU, 3});
        at::NoGradGuard noGrad;
        const std::int64_t tokens = 130, pad = 17;
        at::Tensor ids = at::randint(3, 512, {2, tokens}, at::kLong);
        at::Tensor attention = at::ones({2, tokens}, at::kLong);
        attention[1].narrow(0, 0, pad).zero_();
        glr::ForwardInput full;
        full.inputIds = ids;
        full.attentionMask = attention;
        at::Tensor logits = model->forward(full).logits;
        for (std::int64_t row = 0; row < 2; ++row) {
            const std::int64_t start = row == 1 ? pad : 0;
            glr::KVCache cache(model->config(), 1, tokens, model->options());
            glr::ForwardInput step;
            step.cache = &cache;
            for (std::int64_t t = start; t < tokens; ++t) {
                step.inputIds = ids[row].narrow(0, t, 1).view({1, 1});
                at::Tensor one = model->forward(step).logits[0][0];
                const double err = maskedRelativeError(one, logits[row][t]);
                QVERIFY2(err < 1e-4, qPrintable(QString("row %1 token %2: %3").arg(row).arg(t).arg(err)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestAttention)
#include "test_attention.moc"
