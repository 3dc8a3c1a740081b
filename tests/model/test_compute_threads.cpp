// compat::prepareComputeThreads: the intra-op thread count, and denormals flushed to zero on the
// calling thread and on every thread of its intra-op pool (or kept, GRAPHLORA_DENORMALS=keep);
// then that flushing leaves the real stories260K's logits and LoRA gradients as they were.
#include <QtTest>

#include <cstdlib>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include <ATen/Parallel.h>

#include "model/compat.h"
#include "model/llama.h"
#include "model/loader.h"
#include "model/lora.h"
#include "model_test_util.h"

using glr::test::maskedRelativeError;

namespace {

// Whether each intra-op pool thread flushes denormals, one answer per pool index; the threads
// that answered.
std::set<bool> poolFlushStates(std::set<std::thread::id>* threads = nullptr) {
    std::mutex mutex;
    std::set<bool> states;
    at::parallel_for(0, at::get_num_threads(), 1, [&](std::int64_t, std::int64_t) {
        const bool flushed = glr::compat::denormalsFlushed();
        std::lock_guard<std::mutex> lock(mutex);
        states.insert(flushed);
        if (threads) threads->insert(std::this_thread::get_id());
    });
    return states;
}

// The smallest positive denormal float times one: 0 under denormals-are-zero.
float denormalTimesOne() {
    const at::Tensor tiny = at::full({1}, std::numeric_limits<float>::denorm_min(), at::kFloat);
    return (tiny * 1.0f).item<float>();
}

struct RealStep {
    at::Tensor logits;
    std::vector<at::Tensor> adapterGrads;
};

// stories260K with LoRA on q/v: logits of `ids` and the adapters' gradients of
// sum(logsumexp(logits)) (B is zero at attachment, so A's gradients are zero: B's carry the signal).
RealStep realStep(const at::Tensor& ids) {
    glr::LlamaModel model = glr::loadModel(glr::test::sharedPath("models/stories260K/stories260K.bin"));
    glr::LoraOptions lora;
    lora.r = 8;
    lora.alpha = 16;
    lora.dropout = 0;  // the two runs must see the same computation
    lora.targets = {"q_proj", "v_proj"};
    glr::attachLora(*model, lora);
    glr::ForwardInput in;
    in.inputIds = ids;
    RealStep out;
    out.logits = model->forward(in).logits;
    out.logits.logsumexp(-1).sum().backward();
    for (const at::Tensor& p : glr::adapterParameters(*model)) out.adapterGrads.push_back(p.grad().clone());
    return out;
}

}  // namespace

class TestComputeThreads : public QObject {
    Q_OBJECT

private slots:
    void cleanup() {
        ::unsetenv("GRAPHLORA_DENORMALS");
        glr::compat::prepareComputeThreads(2);
    }

    void flushesOnEveryPoolThread() {
#if !(defined(__x86_64__) || defined(_M_X64))
        QSKIP("denormal flushing is read from x86 MXCSR");
#endif
        QVERIFY(glr::compat::prepareComputeThreads(2));
        QCOMPARE(at::get_num_threads(), 2);
        QVERIFY(glr::compat::denormalsFlushed());
        // Our own parallel loops really run on two threads (they only do when compiled with
        // OpenMP, as LibTorch's parallel_for is a header template), and both flush.
        std::set<std::thread::id> threads;
        QCOMPARE(poolFlushStates(&threads), std::set<bool>{true});
        QCOMPARE(threads.size(), std::size_t(2));
        QCOMPARE(denormalTimesOne(), 0.0f);

        ::setenv("GRAPHLORA_DENORMALS", "keep", 1);
        QVERIFY(!glr::compat::prepareComputeThreads(2));
        QVERIFY(!glr::compat::denormalsFlushed());
        QCOMPARE(poolFlushStates(), std::set<bool>{false});
        QCOMPARE(denormalTimesOne(), std::numeric_limits<float>::denorm_min());
    }

    void threadCountDefaultsToEveryCore() {
        glr::compat::prepareComputeThreads(0);
        QCOMPARE(at::get_num_threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    }

    // Flushing changes only magnitudes below 1.2e-38: the real model's logits and gradients, over a
    // prompt as long as ML-1M's (where training is slow without flushing), agree with IEEE
    // arithmetic far inside the golden tolerance (1e-4), and the fixture's logits still match HF.
    void realModelUnchangedByFlushing() {
        GLR_REQUIRE_SHARED("fixtures/stories260K_logits.safetensors");
        GLR_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const auto fixture = glr::test::fixture("stories260K_logits.safetensors");
        at::Generator generator = at::detail::createCPUGenerator(3);
        const at::Tensor longPrompt = at::randint(1, 512, {2, 430}, generator, at::TensorOptions().dtype(at::kLong));
        ::setenv("GRAPHLORA_DENORMALS", "keep", 1);
        glr::compat::prepareComputeThreads(2);
        const RealStep kept = realStep(longPrompt);
        ::unsetenv("GRAPHLORA_DENORMALS");
        QVERIFY(glr::compat::prepareComputeThreads(2) || !glr::compat::denormalsFlushed());
        const RealStep flushed = realStep(longPrompt);

        const double logitsError = maskedRelativeError(flushed.logits, kept.logits);
        qInfo("logits, flushed vs kept: relative error %.3g", logitsError);
        QVERIFY2(logitsError < 1e-6, qPrintable(QString::number(logitsError)));
        const double fixtureError = maskedRelativeError(realStep(fixture.at("input_ids")).logits, fixture.at("logits"));
        QVERIFY2(fixtureError < 1e-4, qPrintable(QString::number(fixtureError)));
        QCOMPARE(flushed.adapterGrads.size(), kept.adapterGrads.size());
        double worst = 0;
        for (std::size_t i = 0; i < kept.adapterGrads.size(); ++i)
            if (kept.adapterGrads[i].abs().max().item<double>() > 0)
                worst = std::max(worst, maskedRelativeError(flushed.adapterGrads[i], kept.adapterGrads[i]));
        qInfo("LoRA gradients, flushed vs kept: worst relative error %.3g", worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }
};

QTEST_APPLESS_MAIN(TestComputeThreads)
#include "test_compute_threads.moc"
