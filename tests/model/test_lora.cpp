// LoRA and the GraphLoRA injection against PEFT's golden outputs (llama_dev/lora_io and
// graphlora_io), finite-difference gradient checks in float64, PEFT save/load and its errors.
//
// The reference loss and every reference LoRA gradient in lora_io/graphlora_io are NaN: the two
// left-padded rows of the reference are NaN (see test_llama.cpp), and the mean loss carries that
// into every gradient. What the fixtures still pin down is compared exactly: logits of the
// unpadded row, its BCE term, and the graph-signal gradient rows of nodes that only the unpadded
// row uses (finite in the reference). Every gradient is additionally checked against central
// finite differences of the loss in float64 — numbers independent of autograd.
#include <QtTest>

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>

#include "model/llama.h"
#include "model/loader.h"
#include "model/lora.h"
#include "model_test_util.h"

using namespace glr;
using glr::test::expectInputError;
using glr::test::maskedRelativeError;

namespace fs = std::filesystem;

namespace {

std::string modelDir() { return glr::test::sharedPath("fixtures/llama_dev/model"); }
std::string adapterDir() { return glr::test::sharedPath("fixtures/llama_dev/lora"); }

// BCE-with-logits of logits[:, -1, 5] (token 5 plays "Yes"), per row.
at::Tensor rowLosses(const at::Tensor& logits, const at::Tensor& label) {
    return at::binary_cross_entropy_with_logits(logits.select(1, -1).select(1, 5), label.to(logits.scalar_type()), {},
                                                {}, at::Reduction::None);
}

// The same loss through the scoring path (logits only at position 15, the last token of every
// row) — what the trainer runs; its gradients are compared with the references and finite
// differences of the full-logits loss.
at::Tensor scoredLoss(LlamaModelImpl& model, ForwardInput in, const at::Tensor& label) {
    in.scorePositions = at::full({in.inputIds.size(0)}, in.inputIds.size(1) - 1, at::kLong);
    at::Tensor logit = model.forward(in).logits.select(1, 5);
    return at::binary_cross_entropy_with_logits(logit, label.to(logit.scalar_type()));
}

struct Batch {
    std::map<std::string, at::Tensor> io;
    ForwardInput input(const AdapterContext* ctx = nullptr) const {
        ForwardInput in;
        in.inputIds = io.at("input_ids");
        in.attentionMask = io.at("attention_mask");
        in.positionIds = io.at("position_ids");
        in.adapters = ctx;
        return in;
    }
};

Batch loadBatch(const std::string& fixture) {
    Batch b;
    b.io = glr::test::fixture("llama_dev/io.safetensors");
    for (auto& [k, v] : glr::test::fixture(fixture)) b.io[k] = v;
    return b;
}

AdapterContext injectionContext(const Batch& b, at::ScalarType dtype, bool requiresGrad) {
    AdapterContext ctx;
    GraphInjection g;
    g.anchors = b.io.at("anchors");
    g.graphSignal = b.io.at("graph_signal").to(dtype).detach().set_requires_grad(requiresGrad);
    g.alpha = b.io.at("alpha").to(dtype).detach().set_requires_grad(requiresGrad);
    g.beta = b.io.at("beta").to(dtype).detach().set_requires_grad(requiresGrad);
    g.layers = {static_cast<int>(b.io.at("inject_layer").item<std::int64_t>())};
    ctx.middle = g;
    return ctx;
}

// Central differences of `loss` w.r.t. `sampled` entries of `param`, compared with `grad`.
double finiteDifferenceError(const std::function<double()>& loss, at::Tensor param, const at::Tensor& grad,
                             int samples, std::uint64_t seed) {
    at::NoGradGuard noGrad;
    auto flat = param.view({-1});
    auto g = grad.reshape({-1});
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    at::Tensor idx = at::randperm(flat.numel(), gen, at::TensorOptions().dtype(at::kLong)).slice(0, 0, samples);
    std::vector<double> fd, ag;
    const double h = 1e-6;
    for (std::int64_t i = 0; i < idx.numel(); ++i) {
        const std::int64_t k = idx[i].item<std::int64_t>();
        const double orig = flat[k].item<double>();
        flat[k].fill_(orig + h);
        const double up = loss();
        flat[k].fill_(orig - h);
        const double down = loss();
        flat[k].fill_(orig);
        fd.push_back((up - down) / (2 * h));
        ag.push_back(g[k].item<double>());
    }
    return glr::test::relativeError(ag, fd);
}

// The fixture model with dropout-free LoRA on `targets` and B drawn non-zero, so that every
// adapter (and every injection through it) changes the logits.
glr::LlamaModel modelWithActiveLora(const std::vector<std::string>& targets, std::uint64_t seed) {
    auto model = glr::loadModel(modelDir());
    glr::LoraOptions o;
    o.targets = targets;
    o.dropout = 0;
    o.seed = seed;
    glr::attachLora(*model, o);
    at::NoGradGuard noGrad;
    for (auto& m : glr::loraModules(*model)) m->loraB().normal_(0, 0.3);
    return model;
}

}  // namespace

class TestLora : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string tmp(const std::string& name) { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

private slots:
    void init() {
        if (!fs::exists(glr::test::sharedPath("fixtures/llama_dev/lora_io.safetensors")))
            QSKIP("shared/fixtures/llama_dev missing (set GRAPHLORA_SHARED_DIR)");
    }

    void loraLogitsLossAndGradients() {
        auto model = loadModel(modelDir());
        auto options = loadAdapter(*model, adapterDir());
        QCOMPARE(options.r, 8);
        QCOMPARE(options.scaling(), 2.0);
        QCOMPARE(static_cast<int>(adapterParameters(*model).size()), 12);
        Batch b = loadBatch("llama_dev/lora_io.safetensors");
        at::Tensor logits = model->forward(b.input()).logits;
        at::Tensor keep = b.io["attention_mask"].to(at::kBool).unsqueeze(-1);
        const double err = maskedRelativeError(logits, b.io["logits"], keep);
        qInfo("LoRA logits: relative error %.3g", err);
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));

        // BCE of the unpadded row against the reference logit's BCE.
        at::Tensor losses = rowLosses(logits, b.io["label"]);
        at::Tensor refLosses = rowLosses(b.io["logits"], b.io["label"]);
        QVERIFY(losses.isfinite().all().item<bool>());
        QVERIFY(maskedRelativeError(losses[2], refLosses[2]) < 1e-4);

        // Gradients exist for every A and B (the reference's are NaN, see above).
        losses.mean().backward();
        for (const auto& [name, p] : namedAdapterParameters(*model)) {
            QVERIFY2(p.grad().defined() && p.grad().isfinite().all().item<bool>(), name.c_str());
            QVERIFY2(b.io.count("grad." + name.substr(0, name.find(".weight")) + ".default.weight"), name.c_str());
        }
    }

    void loraGradientsMatchFiniteDifferences() {
        LoadOptions opts;
        opts.dtype = at::kDouble;
        auto model = loadModel(modelDir(), opts);
        loadAdapter(*model, adapterDir());
        Batch b = loadBatch("llama_dev/lora_io.safetensors");
        auto loss = [&] { return rowLosses(model->forward(b.input()).logits, b.io["label"]).mean(); };
        scoredLoss(*model, b.input(), b.io["label"]).backward();
        // float32 gradients of the same loss agree with the float64 ones.
        auto model32 = loadModel(modelDir());
        loadAdapter(*model32, adapterDir());
        scoredLoss(*model32, b.input(), b.io["label"]).backward();
        auto named32 = namedAdapterParameters(*model32);
        auto named = namedAdapterParameters(*model);
        std::uint64_t seed = 1;
        for (std::size_t i = 0; i < named.size(); ++i) {
            const auto& [name, p] = named[i];
            const double err = finiteDifferenceError([&] { return loss().item<double>(); }, p, p.grad(), 12, seed++);
            QVERIFY2(err < 1e-5, qPrintable(QString("%1: finite differences %2").arg(name.c_str()).arg(err)));
            const double err32 = maskedRelativeError(named32[i].second.grad(), p.grad());
            QVERIFY2(err32 < 1e-3, qPrintable(QString("%1: fp32 vs fp64 %2").arg(name.c_str()).arg(err32)));
        }
    }

    void graphInjection() {
        auto model = loadModel(modelDir());
        loadAdapter(*model, adapterDir());
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        AdapterContext ctx = injectionContext(b, at::kFloat, true);
        ctx.validate(model->config(), 8, 3, 16);
        at::Tensor logits = model->forward(b.input(&ctx)).logits;
        at::Tensor keep = b.io["attention_mask"].to(at::kBool).unsqueeze(-1);
        const double err = maskedRelativeError(logits, b.io["logits"], keep);
        qInfo("GraphLoRA logits: relative error %.3g", err);
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
        // The injection changes the output (it is not silently skipped).
        at::Tensor plain = model->forward(b.input()).logits.detach();
        QVERIFY(maskedRelativeError(plain, b.io["logits"], keep) > 1e-3);

        scoredLoss(*model, b.input(&ctx), b.io["label"]).backward();
        at::Tensor grad = ctx.middle->graphSignal.grad();
        at::Tensor ref = b.io["grad.graph_signal"];
        const std::int64_t finiteRows = ref.isfinite().all(1).sum().item<std::int64_t>();
        QVERIFY2(finiteRows >= 2, "reference has too few finite graph-signal gradient rows");
        const double gerr = maskedRelativeError(grad, ref);
        qInfo("grad graph_signal: relative error %.3g over %lld finite rows", gerr, static_cast<long long>(finiteRows));
        QVERIFY2(gerr < 1e-3, qPrintable(QString::number(gerr)));
        QVERIFY(ctx.middle->alpha.grad().defined() && ctx.middle->beta.grad().defined());
    }

    void graphInjectionGradientsMatchFiniteDifferences() {
        LoadOptions opts;
        opts.dtype = at::kDouble;
        auto model = loadModel(modelDir(), opts);
        loadAdapter(*model, adapterDir());
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        AdapterContext ctx = injectionContext(b, at::kDouble, true);
        auto loss = [&] { return rowLosses(model->forward(b.input(&ctx)).logits, b.io["label"]).mean(); };
        scoredLoss(*model, b.input(&ctx), b.io["label"]).backward();
        auto value = [&] { return loss().item<double>(); };
        auto& g = *ctx.middle;
        QVERIFY(finiteDifferenceError(value, g.graphSignal, g.graphSignal.grad(), 24, 3) < 1e-5);
        QVERIFY(finiteDifferenceError(value, g.alpha, g.alpha.grad(), 1, 4) < 1e-5);
        QVERIFY(finiteDifferenceError(value, g.beta, g.beta.grad(), 1, 5) < 1e-5);
        // Node 3 has no anchor: zero gradient.
        QCOMPARE(g.graphSignal.grad()[3].abs().sum().item<double>(), 0.0);
        int checked = 0;
        for (const auto& [name, p] : namedAdapterParameters(*model)) {
            if (name.find("layers.1.") == std::string::npos) continue;  // the injected layer's A and B
            const double err = finiteDifferenceError(value, p, p.grad(), 12, 10 + checked);
            QVERIFY2(err < 1e-5, qPrintable(QString("%1: %2").arg(name.c_str()).arg(err)));
            ++checked;
        }
        QCOMPARE(checked, 4);
    }

    // bf16 frozen weights with fp32 adapters (the CUDA configuration), on the CPU.
    void bf16BaseWithFp32Adapters() {
        LoadOptions opts;
        opts.dtype = at::kBFloat16;
        auto model = loadModel(modelDir(), opts);
        loadAdapter(*model, adapterDir());
        for (const auto& p : adapterParameters(*model)) QCOMPARE(p.scalar_type(), at::kFloat);
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        AdapterContext ctx = injectionContext(b, at::kFloat, true);
        at::Tensor logits = model->forward(b.input(&ctx)).logits;
        at::Tensor keep = b.io["attention_mask"].to(at::kBool).unsqueeze(-1);
        const double err = maskedRelativeError(logits, b.io["logits"], keep);
        qInfo("bf16 GraphLoRA logits: relative error %.3g", err);
        QVERIFY2(err < 5e-2, qPrintable(QString::number(err)));
        scoredLoss(*model, b.input(&ctx), b.io["label"]).backward();
        const double gerr = maskedRelativeError(ctx.middle->graphSignal.grad(), b.io["grad.graph_signal"]);
        qInfo("bf16 grad graph_signal: relative error %.3g", gerr);
        QVERIFY2(gerr < 1e-1, qPrintable(QString::number(gerr)));
        for (const auto& p : adapterParameters(*model)) {
            QCOMPARE(p.grad().scalar_type(), at::kFloat);
            QVERIFY(p.grad().isfinite().all().item<bool>());
        }
    }

    void injectionIdentities() {
        auto model = loadModel(modelDir());
        loadAdapter(*model, adapterDir());
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        at::NoGradGuard noGrad;
        at::Tensor plain = model->forward(b.input()).logits;
        // α = 1, β = 0: plain LoRA.
        AdapterContext ctx;
        ctx.middle = GraphInjection::make(b.io["anchors"], b.io["graph_signal"], 1.0, 0.0, {-2});
        QVERIFY(at::allclose(model->forward(b.input(&ctx)).logits, plain, 1e-6, 1e-6));
        // Pre-A injection with zero vectors: plain LoRA; non-zero vectors change the output.
        AdapterContext pre;
        pre.pre = PreInjection{b.io["anchors"], at::zeros({7, 64}), {1}, {"q_proj", "v_proj"}};
        QVERIFY(at::allclose(model->forward(b.input(&pre)).logits, plain, 1e-6, 1e-6));
        pre.pre->vectors = at::randn({7, 64});
        QVERIFY(!at::allclose(model->forward(b.input(&pre)).logits, plain, 1e-4, 1e-4));
        // CoRA with W_gen = Aᵀ for every row is plain LoRA when A is shared — check on one module
        // set: give every adapted module the same A first.
        auto modules = loraModules(*model);
        for (auto& m : modules) m->loraA().copy_(modules.front()->loraA());
        at::Tensor sharedA = model->forward(b.input()).logits;
        AdapterContext cora;
        cora.cora = CoraInjection{modules.front()->loraA().t().unsqueeze(0).expand({3, 64, 8}).contiguous(), {}, {}};
        QVERIFY(at::allclose(model->forward(b.input(&cora)).logits, sharedA, 1e-5, 1e-5));
    }

    // The scoring path computes the last layer at the scored positions only; it must equal the
    // full computation, with and without injections (including those it must fall back for).
    void scoredPathMatchesFullPath() {
        auto model = modelWithActiveLora({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}, 5);
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        at::NoGradGuard noGrad;
        at::Tensor positions = at::tensor({15, 12, 9}, at::kLong);
        auto check = [&](const AdapterContext* ctx, const char* what) {
            ForwardInput full = b.input(ctx);
            at::Tensor all = model->forward(full).logits;
            ForwardInput scored = full;
            scored.scorePositions = positions;
            at::Tensor some = model->forward(scored).logits;
            for (int r = 0; r < 3; ++r) {
                const double err = maskedRelativeError(some[r], all[r][positions[r].item<std::int64_t>()]);
                QVERIFY2(err < 1e-5, qPrintable(QString("%1, row %2: %3").arg(what).arg(r).arg(err)));
            }
            // Without a padding mask (causal only) as well.
            full.attentionMask = at::Tensor();
            full.positionIds = at::Tensor();
            scored.attentionMask = at::Tensor();
            scored.positionIds = at::Tensor();
            all = model->forward(full).logits;
            some = model->forward(scored).logits;
            for (int r = 0; r < 3; ++r)
                QVERIFY2(maskedRelativeError(some[r], all[r][positions[r].item<std::int64_t>()]) < 1e-5, what);
        };
        check(nullptr, "plain");
        AdapterContext middle;
        middle.middle = GraphInjection::make(b.io["anchors"], b.io["graph_signal"], 1.3, 0.7, {-1});
        check(&middle, "middle q,v at the last layer");
        middle.middle->modules = {"q_proj", "o_proj", "down_proj"};
        check(&middle, "middle q,o,down at the last layer (fallback)");
        AdapterContext pre;
        pre.pre = PreInjection{b.io["anchors"], at::randn({7, 64}), {-1}, {"q_proj", "v_proj", "gate_proj"}};
        check(&pre, "pre q,v,gate at the last layer");
        AdapterContext cora;
        cora.cora = CoraInjection{at::randn({3, 64, 8}) * 0.2, {}, {}};
        check(&cora, "CoRA everywhere");
    }

    // Injections handed over as a callback (built while a GPU runs the lower layers) give exactly
    // the eager result, whichever layer asks first, with the scored last-layer path included; the
    // callback runs once per forward.
    void deferredContextMatchesEager() {
        auto model = modelWithActiveLora({"q_proj", "v_proj", "o_proj", "down_proj"}, 9);
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        at::NoGradGuard noGrad;
        AdapterContext middle;
        middle.middle = GraphInjection::make(b.io["anchors"], b.io["graph_signal"], 1.3, 0.7, {-1});
        AdapterContext fallback = middle;  // injecting into o/down at the last layer: no scored shortcut
        fallback.middle->modules = {"q_proj", "o_proj", "down_proj"};
        AdapterContext pre;
        pre.pre = PreInjection{b.io["anchors"], at::randn({7, 64}), {0}, {"q_proj", "v_proj"}};
        const int last = model->numLayers() - 1;
        for (const auto& [context, what] : {std::pair{&middle, "middle"}, {&fallback, "middle, o/down"}, {&pre, "pre"}}) {
            for (const bool scored : {false, true}) {
                ForwardInput eager = b.input(context);
                if (scored) eager.scorePositions = at::tensor({15, 12, 9}, at::kLong);
                const at::Tensor want = model->forward(eager).logits;
                const std::vector<int> froms = context == &pre ? std::vector<int>{0} : std::vector<int>{0, last, last + 5};
                for (const int from : froms) {
                    ForwardInput deferred = eager;
                    deferred.adapters = nullptr;
                    int calls = 0;
                    deferred.deferredAdapters = [&, ctx = context]() -> const AdapterContext* {
                        ++calls;
                        return ctx;
                    };
                    deferred.deferredFromLayer = from;
                    const at::Tensor got = model->forward(deferred).logits;
                    const QString label = QString("%1, scored %2, from layer %3").arg(what).arg(scored).arg(from);
                    QVERIFY2(calls == 1, qPrintable(label));
                    QVERIFY2(at::equal(got, want), qPrintable(label));
                }
            }
        }
        // Built too late for an injection at layer 0: an error, not a silently different result.
        ForwardInput late = b.input(nullptr);
        late.deferredAdapters = [&]() -> const AdapterContext* { return &pre; };
        late.deferredFromLayer = last;
        QVERIFY_THROWS_EXCEPTION(glr::Error, model->forward(late));
    }

    void contextErrors() {
        auto model = loadModel(modelDir());
        Batch b = loadBatch("llama_dev/graphlora_io.safetensors");
        AdapterContext ctx = injectionContext(b, at::kFloat, false);
        // No adapter attached at the injected modules.
        expectInputError([&] { model->forward(b.input(&ctx)); }, {"layer 1", "q_proj", "adapter"});
        loadAdapter(*model, adapterDir());
        ctx.middle->layers = {5};
        expectInputError([&] { model->forward(b.input(&ctx)); }, {"5", "3 layers"});
        ctx.middle->layers = {-1};
        ctx.middle->modules = {"k_proj"};
        expectInputError([&] { model->forward(b.input(&ctx)); }, {"k_proj"});
        ctx.middle->modules = {"qq_proj"};
        expectInputError([&] { model->forward(b.input(&ctx)); }, {"qq_proj", "q_proj"});
        ctx = injectionContext(b, at::kFloat, false);
        ctx.middle->graphSignal = at::zeros({7, 4});
        expectInputError([&] { model->forward(b.input(&ctx)); }, {"width 4", "rank 8"});
        ctx = injectionContext(b, at::kFloat, false);
        at::Tensor dup = b.io["anchors"].clone();
        dup[1][0] = dup[0][0];
        dup[1][1] = dup[0][1];
        ctx.middle->anchors = dup;
        expectInputError([&] { ctx.validate(model->config(), 8, 3, 16); }, {"appears twice"});
        ctx.middle->anchors = b.io["anchors"].clone();
        ctx.middle->anchors[0][2] = 9;
        expectInputError([&] { ctx.validate(model->config(), 8, 3, 16); }, {"out of range"});
    }

    void saveReloadIsBitIdentical() {
        auto model = loadModel(modelDir());
        LoraOptions options;
        options.r = 4;
        options.alpha = 8;
        options.dropout = 0.1;
        options.targets = {"q_proj", "o_proj", "down_proj"};
        options.layers = {0, -1};
        options.seed = 11;
        attachLora(*model, options);
        {
            at::NoGradGuard noGrad;  // non-trivial B
            for (auto& p : adapterParameters(*model)) p.add_(at::randn(p.sizes()) * 0.37);
        }
        const std::string out = tmp("adapter");
        saveAdapter(*model, out);
        auto reloaded = loadModel(modelDir());
        auto loadedOptions = loadAdapter(*reloaded, out);
        QCOMPARE(loadedOptions.r, 4);
        QCOMPARE(loadedOptions.dropout, 0.1);
        QCOMPARE(loadedOptions.layers, (std::vector<int>{0, 2}));
        auto a = namedAdapterParameters(*model), r = namedAdapterParameters(*reloaded);
        QCOMPARE(a.size(), std::size_t(12));
        QCOMPARE(r.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(QString::fromStdString(r[i].first), QString::fromStdString(a[i].first));
            QVERIFY(at::equal(r[i].second, a[i].second));
        }
        model->eval();
        reloaded->eval();
        Batch b = loadBatch("llama_dev/lora_io.safetensors");
        at::NoGradGuard noGrad;
        QVERIFY(at::equal(model->forward(b.input()).logits, reloaded->forward(b.input()).logits));

        // The PEFT fixture itself round-trips bit-identically.
        auto peft = loadModel(modelDir());
        loadAdapter(*peft, adapterDir());
        saveAdapter(*peft, tmp("peft_copy"));
        auto original = glr::loadAllTensors(adapterDir() + "/adapter_model.safetensors");
        auto copy = glr::loadAllTensors(tmp("peft_copy") + "/adapter_model.safetensors");
        QCOMPARE(copy.size(), original.size());
        for (const auto& [name, t] : original) QVERIFY2(copy.count(name) && at::equal(copy[name], t), name.c_str());
    }

    void adapterErrors() {
        auto model = loadModel(modelDir());
        const std::string config = glr::test::readBytes(adapterDir() + "/adapter_config.json");
        auto variant = [&](const std::string& name, const std::string& from, const std::string& to) {
            const std::string d = tmp(name);
            fs::create_directories(d);
            std::string c = config;
            if (!from.empty()) c.replace(c.find(from), from.size(), to);
            glr::test::writeBytes(d + "/adapter_config.json", c);
            fs::copy_file(adapterDir() + "/adapter_model.safetensors", d + "/adapter_model.safetensors",
                          fs::copy_options::overwrite_existing);
            return d;
        };
        expectInputError([&] { loadAdapter(*model, variant("rank", "\"r\": 8", "\"r\": 4")); },
                         {"lora_A.weight", "[8, 64]", "[4, 64]", "r = 4"});
        expectInputError([&] { loadAdapter(*model, variant("target", "\"q_proj\"", "\"k_proj\"")); },
                         {"k_proj.lora_A.weight", "missing"});
        expectInputError([&] { loadAdapter(*model, variant("target2", "\"q_proj\"", "\"c_attn\"")); },
                         {"c_attn", "matches no projection"});
        expectInputError([&] { loadAdapter(*model, variant("dora", "\"use_dora\": false", "\"use_dora\": true")); },
                         {"DoRA"});
        const std::string missing = variant("missing", "", "");
        auto tensors = glr::loadAllTensors(missing + "/adapter_model.safetensors");
        tensors.erase("base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight");
        glr::saveTensors(missing + "/adapter_model.safetensors", tensors);
        expectInputError([&] { loadAdapter(*model, missing); },
                         {"base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight", "[32, 8]"});
        // A failed load leaves no half-attached adapter behind.
        QVERIFY(loraModules(*model).empty());
        expectInputError([&] { loadAdapter(*model, tmp("none")); }, {"adapter_config.json"});
        expectInputError([&] {
            LoraOptions o;
            o.targets = {"lm_head"};
            attachLora(*model, o);
        }, {"lm_head", "q_proj"});
    }

    void dropoutOnlyInTraining() {
        auto model = loadModel(modelDir());
        LoraOptions o;
        o.dropout = 0.5;
        attachLora(*model, o);
        {
            at::NoGradGuard noGrad;
            for (auto& m : loraModules(*model)) m->loraB().normal_(0, 0.5);
        }
        Batch b = loadBatch("llama_dev/lora_io.safetensors");
        at::NoGradGuard noGrad;
        model->eval();
        at::Tensor e1 = model->forward(b.input()).logits, e2 = model->forward(b.input()).logits;
        QVERIFY(at::equal(e1, e2));
        model->train();
        QVERIFY(!at::allclose(model->forward(b.input()).logits, e1, 1e-5, 1e-5));
    }
};

QTEST_APPLESS_MAIN(TestLora)
#include "test_lora.moc"
