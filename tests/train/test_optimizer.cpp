// AdamOptimizer against LibTorch's own torch::optim::AdamW and Adam (the reference the trainer's
// update rule follows, SPEC §4), several groups with their own learning rates, weight decay and
// decay kind in one optimiser, a changing schedule factor, and a parameter without gradient.
// Float64, so that the one difference in formulation — √(v/(1−β2ᵗ)) here, √v/√(1−β2ᵗ) there —
// stays within 1e-12 relative.
#include <QtTest>

#include <cmath>

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "common/host_reads.h"
#include "train/optimizer.h"
#include "util/error.h"

namespace {

constexpr double kTolerance = 1e-12;  // relative, float64, after every step
const std::vector<double> kScheduleFactors = {1.0, 0.8, 0.5, 0.5, 0.25, 1.0};

at::Tensor randomDouble(std::vector<std::int64_t> shape, std::uint64_t seed) {
    at::Generator g = at::detail::createCPUGenerator(seed);
    return at::randn(shape, g, at::TensorOptions().dtype(at::kDouble));
}

double relativeDifference(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-300, b.abs().max().item<double>());
}

// Same shapes and values, independent storage, gradients enabled.
std::vector<at::Tensor> copies(const std::vector<at::Tensor>& tensors) {
    std::vector<at::Tensor> out;
    for (const auto& t : tensors) out.push_back(t.detach().clone().set_requires_grad(true));
    return out;
}

}  // namespace

class TestOptimizer : public QObject {
    Q_OBJECT

private slots:
    // Both update paths: the CPU's one-pass loop (Auto) and the _foreach ops CUDA runs.
    void matchesLibTorchAdamWAndAdam_data() {
        QTest::addColumn<int>("kernel");
        QTest::newRow("one pass (CPU)") << int(glr::AdamKernel::Auto);
        QTest::newRow("_foreach ops") << int(glr::AdamKernel::Foreach);
        QTest::newRow("capturable (device scalars)") << int(glr::AdamKernel::Capturable);
    }

    void matchesLibTorchAdamWAndAdam() {
        QFETCH(int, kernel);
        // AdamW groups (decay and none), an Adam-with-L2 group, as the trainer builds them.
        const std::vector<at::Tensor> initial = {randomDouble({5, 3}, 1), randomDouble({7}, 2), randomDouble({4, 4}, 3),
                                                 randomDouble({2, 6}, 4), randomDouble({3}, 5)};
        std::vector<at::Tensor> ours = copies(initial), ref = copies(initial);
        glr::AdamOptimizer optimizer({{"lora", {"a", "b"}, {ours[0], ours[1]}, true, 1e-2, 0.1},
                                      {"gnn", {"w"}, {ours[2]}, false, 3e-3, 0.05},
                                      {"mf", {"e", "unused"}, {ours[3], ours[4]}, true, 2e-2, 0.0}});
        optimizer.setKernel(static_cast<glr::AdamKernel>(kernel));
        torch::optim::AdamW adamwDecay({ref[0], ref[1]}, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
        torch::optim::Adam adamL2({ref[2]}, torch::optim::AdamOptions(3e-3).weight_decay(0.05));
        torch::optim::AdamW adamwPlain({ref[3], ref[4]}, torch::optim::AdamWOptions(2e-2).weight_decay(0.0));

        for (std::size_t step = 0; step < kScheduleFactors.size(); ++step) {
            const double scale = kScheduleFactors[step];
            for (std::size_t i = 0; i < 4; ++i) {  // parameter 4 never gets a gradient
                const at::Tensor grad = randomDouble(initial[i].sizes().vec(), 100 + 10 * step + i);
                ours[i].mutable_grad() = grad.clone();
                ref[i].mutable_grad() = grad.clone();
            }
            static_cast<torch::optim::AdamWOptions&>(adamwDecay.param_groups()[0].options()).lr(1e-2 * scale);
            static_cast<torch::optim::AdamOptions&>(adamL2.param_groups()[0].options()).lr(3e-3 * scale);
            static_cast<torch::optim::AdamWOptions&>(adamwPlain.param_groups()[0].options()).lr(2e-2 * scale);
            optimizer.step(scale);
            adamwDecay.step();
            adamL2.step();
            adamwPlain.step();
            for (std::size_t i = 0; i < ours.size(); ++i) {
                const double diff = relativeDifference(ours[i].detach(), ref[i].detach());
                QVERIFY2(diff < kTolerance, qPrintable(QString("step %1, parameter %2: relative difference %3")
                                                           .arg(step + 1).arg(i).arg(diff)));
            }
            optimizer.zeroGrad();
            for (auto& p : ref) p.mutable_grad() = at::Tensor();
        }
        QVERIFY(!ours[0].detach().equal(initial[0]));  // it moved
        QVERIFY(ours[4].detach().equal(initial[4]));  // no gradient, no update, no decay
        QCOMPARE(optimizer.stepCount(), std::int64_t(kScheduleFactors.size()));
        const auto state = optimizer.state();
        QVERIFY(state.at("mf.unused.exp_avg").abs().sum().item<double>() == 0);
    }

    // Splitting the same parameters into more groups with the same settings must not change a
    // single bit, on either path.
    void groupingDoesNotChangeTheUpdate_data() { matchesLibTorchAdamWAndAdam_data(); }

    void groupingDoesNotChangeTheUpdate() {
        QFETCH(int, kernel);
        const std::vector<at::Tensor> initial = {randomDouble({6, 2}, 11), randomDouble({9}, 12), randomDouble({3, 3}, 13)};
        std::vector<at::Tensor> one = copies(initial), split = copies(initial);
        glr::AdamOptimizer together({{"all", {"a", "b", "c"}, {one[0], one[1], one[2]}, true, 5e-3, 0.01}});
        glr::AdamOptimizer apart({{"a", {"a"}, {split[0]}, true, 5e-3, 0.01},
                                  {"b", {"b"}, {split[1]}, true, 5e-3, 0.01},
                                  {"c", {"c"}, {split[2]}, true, 5e-3, 0.01}});
        together.setKernel(static_cast<glr::AdamKernel>(kernel));
        apart.setKernel(static_cast<glr::AdamKernel>(kernel));
        for (int step = 0; step < 4; ++step) {
            for (std::size_t i = 0; i < initial.size(); ++i) {
                const at::Tensor grad = randomDouble(initial[i].sizes().vec(), 200 + 10 * step + i);
                one[i].mutable_grad() = grad.clone();
                split[i].mutable_grad() = grad.clone();
            }
            together.step(0.7);
            apart.step(0.7);
        }
        for (std::size_t i = 0; i < initial.size(); ++i) QVERIFY(one[i].detach().equal(split[i].detach()));
    }

    // Float32, as training runs: the one-pass loop and the _foreach ops agree to float rounding
    // over a 100k-entry tensor split into parallel chunks, L2 and decoupled decay both.
    void onePassMatchesForeachInFloat() {
        for (bool decoupled : {true, false}) {
            const at::Tensor initial = randomDouble({1000, 100}, 21).to(at::kFloat);
            at::Tensor a = initial.clone().set_requires_grad(true), b = initial.clone().set_requires_grad(true);
            glr::AdamOptimizer onePass({{"g", {"w"}, {a}, decoupled, 1e-2, 0.05}});
            glr::AdamOptimizer multiTensor({{"g", {"w"}, {b}, decoupled, 1e-2, 0.05}});
            multiTensor.setKernel(glr::AdamKernel::Foreach);
            for (int step = 0; step < 5; ++step) {
                const at::Tensor grad = randomDouble({1000, 100}, 300 + step).to(at::kFloat);
                a.mutable_grad() = grad.clone();
                b.mutable_grad() = grad.clone();
                onePass.step(1.0);
                multiTensor.step(1.0);
            }
            const double diff = relativeDifference(a.detach().to(at::kDouble), b.detach().to(at::kDouble));
            QVERIFY2(diff < 1e-6, qPrintable(QString("decoupled %1: %2").arg(decoupled).arg(diff)));
            QVERIFY(!a.detach().equal(initial));
        }
    }

    // The capturable kernel's device half reads nothing from the host, so a CUDA graph can hold
    // it; replaying it after each prepareStep is the same as calling step().
    void capturableHalvesMatchStep() {
        const at::Tensor initial = randomDouble({40, 3}, 31);
        at::Tensor a = initial.clone().set_requires_grad(true), b = initial.clone().set_requires_grad(true);
        glr::AdamOptimizer halves({{"g", {"w"}, {a}, true, 1e-2, 0.1}}), whole({{"g", {"w"}, {b}, true, 1e-2, 0.1}});
        halves.setKernel(glr::AdamKernel::Capturable);
        whole.setKernel(glr::AdamKernel::Capturable);
        QVERIFY_THROWS_EXCEPTION(glr::Error, halves.applyPreparedStep());  // nothing prepared yet
        for (int step = 0; step < 3; ++step) {
            const at::Tensor grad = randomDouble({40, 3}, 400 + step);
            a.mutable_grad() = grad.clone();
            b.mutable_grad() = grad.clone();
            halves.prepareStep(0.5);
            {
                glr::test::HostReadCounter hostReads;
                halves.applyPreparedStep();
                QVERIFY2(hostReads.reads() == 0, hostReads.describe().c_str());
            }
            whole.step(0.5);
        }
        QVERIFY(a.detach().equal(b.detach()));
        QCOMPARE(halves.stepCount(), std::int64_t(3));
        glr::AdamOptimizer plain({{"g", {"w"}, {a}, true, 1e-2, 0.1}});
        QVERIFY_THROWS_EXCEPTION(glr::Error, plain.prepareStep(1.0));  // only for the capturable kernel
    }

    // Clipping by the global norm across groups, in float32 and float64 gradients, without any
    // read back to the host (on a GPU such a read waits for the whole step).
    void clipGradNormScalesToTheLimitOnTheDevice() {
        at::Tensor a = at::zeros({2}, at::kFloat).set_requires_grad(true);
        at::Tensor b = at::zeros({1, 1}, at::kDouble).set_requires_grad(true);
        at::Tensor frozen = at::zeros({3}, at::kFloat).set_requires_grad(true);  // no gradient
        const std::vector<glr::ParamGroup> groups = {{"x", {"a"}, {a}, true, 1e-3, 0}, {"y", {"b", "f"}, {b, frozen}, false, 1e-3, 0}};
        auto setGrads = [&] {
            a.mutable_grad() = at::tensor({3.0f, 0.0f});
            b.mutable_grad() = at::full({1, 1}, 4.0, at::kDouble);  // ‖g‖ = 5
        };

        glr::test::HostReadCounter hostReads;
        setGrads();
        glr::clipGradNorm(groups, 1.0);
        const at::Tensor aClipped = a.grad().clone(), bClipped = b.grad().clone();
        setGrads();
        glr::clipGradNorm(groups, 10.0);  // within the limit: untouched
        QVERIFY2(hostReads.reads() == 0, hostReads.describe().c_str());

        const double factor = 1.0 / (5.0 + 1e-6);
        QVERIFY(std::abs(aClipped[0].item<float>() - float(3.0 * factor)) <= 1e-7);
        QCOMPARE(aClipped[1].item<float>(), 0.0f);
        QVERIFY(std::abs(bClipped.item<double>() - 4.0 * factor) <= 1e-15);
        QVERIFY(a.grad().equal(at::tensor({3.0f, 0.0f})));
        QCOMPARE(b.grad().item<double>(), 4.0);
        QVERIFY(!frozen.grad().defined());
        QVERIFY_THROWS_EXCEPTION(glr::Error, glr::clipGradNorm(groups, 0.0));
    }
};

QTEST_APPLESS_MAIN(TestOptimizer)
#include "test_optimizer.moc"
