// The collaborative baselines (SPEC §7): scores are what their formulas say, each model learns a
// planted preference pattern, and SASRec's padding and bad ids are handled.
#include <QtTest>

#include <random>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "common/test_support.h"
#include "gnn/graph_recommender.h"
#include "gnn/mf.h"
#include "gnn/sasrec.h"
#include "gnn_fixtures.h"
#include "util/error.h"

using namespace glr::gnn;

namespace {

// Users 0..U/2-1 like items 0..I/2-1, the other users the other items. Returns all pairs with labels.
struct PlantedData {
    std::int64_t users = 40, items = 20;
    std::vector<std::pair<std::int64_t, std::int64_t>> trainPositives;
    at::Tensor uids, iids, labels;
};

PlantedData plantedPreferences() {
    PlantedData d;
    std::vector<std::int64_t> u, i;
    std::vector<float> y;
    for (std::int64_t user = 0; user < d.users; ++user)
        for (std::int64_t item = 0; item < d.items; ++item) {
            const bool likes = (user < d.users / 2) == (item < d.items / 2);
            u.push_back(user);
            i.push_back(item);
            y.push_back(likes ? 1.0f : 0.0f);
            if (likes && (user + item) % 3 != 0) d.trainPositives.emplace_back(user, item);  // 2/3 of positives
        }
    d.uids = at::tensor(u, at::kLong);
    d.iids = at::tensor(i, at::kLong);
    d.labels = at::tensor(y);
    return d;
}

// Fraction of (positive, negative) pairs ordered correctly: AUC.
double pairwiseAuc(const at::Tensor& scores, const at::Tensor& labels) {
    at::Tensor pos = scores.masked_select(labels.gt(0.5)), neg = scores.masked_select(labels.lt(0.5));
    at::Tensor diff = pos.unsqueeze(1) - neg.unsqueeze(0);
    return (diff.gt(0).to(at::kDouble).sum() + 0.5 * diff.eq(0).to(at::kDouble).sum()).item<double>() /
           double(pos.numel() * neg.numel());
}

double trainAndScore(CollaborativeModelImpl& model, const PlantedData& d, int steps, double lr) {
    torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(lr));
    RecBatch batch{d.uids, d.iids, {}};
    for (int step = 0; step < steps; ++step) {
        optimizer.zero_grad();
        at::Tensor loss = at::binary_cross_entropy_with_logits(model.forward(batch), d.labels);
        loss.backward();
        optimizer.step();
    }
    at::NoGradGuard noGrad;
    return pairwiseAuc(model.forward(batch), d.labels);
}

}  // namespace

class TestCollaborativeModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        // Tiny tensors: OpenMP threads only add spin-wait, which on a busy 2-core machine turned
        // a 2 s test into a minute.
        at::set_num_threads(1);
    }

    void mfScoresAreDotProducts() {
        torch::manual_seed(0);
        MatrixFactorization mf(5, 7, 4);
        at::Tensor u = at::tensor(std::vector<std::int64_t>{0, 4, 2}), i = at::tensor(std::vector<std::int64_t>{6, 0, 2});
        at::Tensor scores = mf->forward({u, i, {}});
        for (int b = 0; b < 3; ++b) {
            const float expected = (mf->userEmbeddings()[u[b].item<std::int64_t>()] *
                                    mf->itemEmbeddings()[i[b].item<std::int64_t>()]).sum().item<float>();
            QVERIFY(std::abs(scores[b].item<float>() - expected) < 1e-6);
        }
        QCOMPARE(mf->userEmbeddings().sizes().vec(), (std::vector<std::int64_t>{5, 4}));
        auto names = mf->named_parameters().keys();
        QVERIFY(std::find(names.begin(), names.end(), "user_embedding.weight") != names.end());
    }

    void graphRecommenderScoresPropagatedEmbeddings() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        auto f = glr::test::loadGnnFixture(glr::test::sharedPath("fixtures/gnn.safetensors"));
        std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
        for (std::int64_t p = 0; p < f["pairs"].size(0); ++p)
            pairs.emplace_back(f["pairs"][p][0].item<std::int64_t>(), f["pairs"][p][1].item<std::int64_t>());
        GraphAdjacency graph = GraphAdjacency::fromStructure(bipartiteStructure(5, 7, pairs));
        CollaborativeModelOptions options;
        options.method = "lightgcn";
        options.numUsers = 5;
        options.numItems = 7;
        options.dim = 8;
        options.layers = 3;
        auto model = std::dynamic_pointer_cast<GraphRecommenderImpl>(makeCollaborativeModel(options, graph));
        QVERIFY(model);
        {
            at::NoGradGuard noGrad;
            model->nodes->weight.copy_(f["E0"]);
        }
        // With E = E0 the propagated table is PyG's LightGCN output, so scores are its dot products.
        at::Tensor h = f["lightgcn_3layer_mean"];
        at::Tensor u = at::tensor(std::vector<std::int64_t>{0, 3}), i = at::tensor(std::vector<std::int64_t>{6, 1});
        at::Tensor expected = (h.index_select(0, u) * h.index_select(0, i + 5)).sum(-1);
        QVERIFY(glr::test::tensorRelativeError(model->forward({u, i, {}}), expected) < 1e-5);
        QVERIFY(glr::test::tensorRelativeError(model->itemEmbeddings(), h.slice(0, 5)) < 1e-5);

        options.method = "ngcf";
        QCOMPARE(makeCollaborativeModel(options, graph)->embeddingDim(), std::int64_t(8 * 4));
        options.numUsers = 6;  // graph has 12 nodes, not 13
        QVERIFY_THROWS_EXCEPTION(glr::InputError, makeCollaborativeModel(options, graph));
        options.method = "bpr";
        QVERIFY_THROWS_EXCEPTION(glr::InputError, makeCollaborativeModel(options, graph));
    }

    void modelsLearnPlantedPreferences() {
        PlantedData d = plantedPreferences();
        GraphAdjacency graph = GraphAdjacency::fromStructure(bipartiteStructure(d.users, d.items, d.trainPositives));
        for (const char* method : {"mf", "lightgcn", "ngcf"}) {
            torch::manual_seed(1);
            CollaborativeModelOptions options;
            options.method = method;
            options.numUsers = d.users;
            options.numItems = d.items;
            options.dim = 8;
            options.layers = 2;
            auto model = makeCollaborativeModel(options, graph);
            const double before = [&] {
                at::NoGradGuard noGrad;
                return pairwiseAuc(model->forward({d.uids, d.iids, {}}), d.labels);
            }();
            const double after = trainAndScore(*model, d, 150, 0.05);
            QVERIFY2(after > 0.95, qPrintable(QString("%1: AUC %2 -> %3").arg(method).arg(before).arg(after)));
        }
    }

    void sasrecIgnoresExtraPadding() {
        torch::manual_seed(2);
        SasRec model(30, 16, 10, 2, 2, 0.2);
        model->eval();
        at::Tensor shortRows = at::tensor(std::vector<std::int64_t>{0, 3, 4, 5, 0, 0, 9, 2}).view({2, 4});
        at::Tensor longRows =
            at::tensor(std::vector<std::int64_t>{0, 0, 0, 0, 3, 4, 5, 0, 0, 0, 0, 0, 9, 2}).view({2, 7});
        at::Tensor items = at::tensor(std::vector<std::int64_t>{7, 8});
        at::Tensor a = model->forward({{}, items, shortRows}), b = model->forward({{}, items, longRows});
        QVERIFY2(glr::test::tensorRelativeError(a, b) < 1e-5, "padding changed the scores");
        // An empty history is finite; over-long histories keep their last maxLength items.
        at::Tensor empty = model->forward({{}, items, at::zeros({2, 3}, at::kLong)});
        QVERIFY(at::isfinite(empty).all().item<bool>());
        at::Tensor tooLong = at::arange(1, 15, at::kLong).view({1, 14});
        at::Tensor lastTen = at::arange(5, 15, at::kLong).view({1, 10});
        at::Tensor one = at::tensor(std::vector<std::int64_t>{3});
        QVERIFY(at::allclose(model->forward({{}, one, tooLong}), model->forward({{}, one, lastTen})));
        QVERIFY_THROWS_EXCEPTION(glr::Error, model->forward({{}, one, at::full({1, 3}, 31, at::kLong)}));
        QVERIFY_THROWS_EXCEPTION(glr::Error, model->forward({{}, one, at::full({1, 3}, -1, at::kInt)}));
        QVERIFY_THROWS_EXCEPTION(glr::Error, model->userEmbeddings());
        QCOMPARE(model->itemEmbeddings().size(0), std::int64_t(30));
    }

    void sasrecLearnsNextItem() {
        // Sequences of consecutive items; the next item is the last + 1 (wrapping), a negative is random.
        torch::manual_seed(3);
        std::mt19937 rng(3);
        constexpr std::int64_t kItems = 30, kLength = 5;
        auto makeBatch = [&](int size, at::Tensor& histories, at::Tensor& items, at::Tensor& labels) {
            std::uniform_int_distribution<std::int64_t> start(1, kItems), length(1, kLength), coin(0, 1);
            std::vector<std::int64_t> h(std::size_t(size * kLength), 0), it;
            std::vector<float> y;
            for (int b = 0; b < size; ++b) {
                std::int64_t s = start(rng), n = length(rng), last = 0;
                for (std::int64_t k = 0; k < n; ++k) {
                    last = (s + k - 1) % kItems + 1;
                    h[std::size_t(b * kLength + kLength - n + k)] = last;
                }
                const bool positive = coin(rng) == 1;
                std::int64_t target = last % kItems + 1;
                if (!positive) {
                    std::uniform_int_distribution<std::int64_t> any(1, kItems);
                    do target = any(rng);
                    while (target == last % kItems + 1);
                }
                it.push_back(target);
                y.push_back(positive ? 1.0f : 0.0f);
            }
            histories = at::tensor(h, at::kLong).view({size, kLength});
            items = at::tensor(it, at::kLong);
            labels = at::tensor(y);
        };
        SasRec model(kItems, 32, kLength, 2, 1, 0.1);
        torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.01));
        at::Tensor histories, items, labels;
        for (int step = 0; step < 150; ++step) {
            makeBatch(64, histories, items, labels);
            optimizer.zero_grad();
            at::binary_cross_entropy_with_logits(model->forward({{}, items, histories}), labels).backward();
            optimizer.step();
        }
        model->eval();
        at::NoGradGuard noGrad;
        makeBatch(400, histories, items, labels);
        const double auc = pairwiseAuc(model->forward({{}, items, histories}), labels);
        QVERIFY2(auc > 0.9, qPrintable(QString("held-out AUC %1").arg(auc)));
    }
};

QTEST_APPLESS_MAIN(TestCollaborativeModels)
#include "test_collaborative_models.moc"
