// Experiment config: defaults (issue 5's table), validation messages, --set overrides, relative
// paths, canonical hash stability and sweep expansion.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/test_support.h"
#include "config/config_schema.h"
#include "config/experiment_config.h"
#include "config/sweep.h"
#include "util/error.h"
#include "util/sha256.h"

using namespace glr::config;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// The InputError message thrown by `fn`, or "" when it did not throw.
template <typename Fn>
std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const glr::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

class TestExperimentConfig : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    // Every default of issue 5's config table, read through the typed struct.
    void defaultsMatchIssueTable() {
        ExperimentConfig c = parseExperimentConfig(json::object());
        QCOMPARE(c.seed, std::int64_t(42));
        QCOMPARE(c.data.dir, std::string());
        QCOMPARE(c.data.validSplit, std::string("valid_small"));
        QCOMPARE(c.data.domain, std::string("movie"));
        QCOMPARE(c.data.maxHistory, 10);
        QCOMPARE(c.data.maxLength, 1024);
        QVERIFY(!c.model.checkpoint);
        QVERIFY(!c.model.tokenizer);
        QCOMPARE(c.model.device, std::string("cpu"));
        QCOMPARE(c.model.dtype, std::string("float32"));
        QVERIFY(c.method.name == Method::GraphLoRA);
        QCOMPARE(c.method.lora.r, 8);
        QCOMPARE(c.method.lora.alpha, 16.0);
        QCOMPARE(c.method.lora.dropout, 0.05);
        QCOMPARE(c.method.lora.targets, (std::vector<std::string>{"q_proj", "v_proj"}));
        QCOMPARE(c.method.mf.dim, 256);
        QVERIFY(c.method.mf.trainable);
        QVERIFY(!c.method.mf.init);
        QVERIFY(c.method.gnn.type == GnnType::NGCF);
        QCOMPARE(c.method.gnn.layers, 3);
        QCOMPARE(c.method.gnn.dim, 256);
        QVERIFY(c.method.gnn.neighborhood == Neighborhood::OneHop);
        QVERIFY(!c.method.gnn.fanout);
        QCOMPARE(c.method.inject.layers, std::vector<int>{-1});
        QCOMPARE(c.method.inject.alpha, 1.0);
        QCOMPARE(c.method.inject.beta, 0.1);
        QVERIFY(c.method.inject.position == InjectPosition::Middle);
        QCOMPARE(c.train.epochs, 1);
        QVERIFY(!c.train.maxSteps);
        QCOMPARE(c.train.batchSize, 8);
        QCOMPARE(c.train.gradAccum, 1);
        QCOMPARE(c.train.lr, 1e-4);
        QCOMPARE(c.train.gnnLr, 1e-3);
        QCOMPARE(c.train.weightDecay, 1e-3);
        QCOMPARE(c.train.warmupSteps, 200);
        QVERIFY(c.train.schedule == Schedule::Cosine);
        QCOMPARE(c.train.evalEvery, 500);
        QCOMPARE(c.train.earlyStopPatience, 5);
        QCOMPARE(c.eval.splits, std::vector<std::string>{"test"});
        QVERIFY(!c.eval.maxRows);
        QCOMPARE(c.eval.batchSize, 16);
        QCOMPARE(c.hash.size(), std::size_t(64));
        // The canonical form holds every schema key.
        for (const auto& field : describeSchema()) {
            std::string pointer = "/" + field.path;
            std::replace(pointer.begin(), pointer.end(), '.', '/');
            QVERIFY2(c.canonical.contains(json::json_pointer(pointer)), field.path.c_str());
        }
    }

    // Each default satisfies its own field's rules, and the help text exists for the UI.
    void schemaTableIsCoherent() {
        for (const auto& field : describeSchema()) {
            QVERIFY2(validateFieldValue(field, field.defaultValue).empty(), field.path.c_str());
            QVERIFY2(!field.help.empty(), field.path.c_str());
            if (field.type == FieldType::Enum) QVERIFY2(!field.allowed.empty(), field.path.c_str());
        }
        QCOMPARE(findField("method.method")  , nullptr);
        QVERIFY(isSchemaGroup("method.lora"));
        QVERIFY(!isSchemaGroup("method.lora.r"));
        const SchemaField* type = findField("method.gnn.type");
        QVERIFY(type && type->appliesTo("graphlora") && !type->appliesTo("tallrec"));
    }

    void unknownKeysSuggestTheClosest() {
        auto message = [](const json& j) { return errorOf([&] { parseExperimentConfig(j, "", "cfg.json"); }); };
        QCOMPARE(message({{"train", {{"lrr", 1e-3}}}}),
                 std::string("cfg.json: unknown key 'train.lrr' (did you mean 'train.lr'?)"));
        QCOMPARE(message({{"lr", 1e-3}}), std::string("cfg.json: unknown key 'lr' (did you mean 'train.lr'?)"));
        QCOMPARE(message({{"trian", {{"lr", 1e-3}}}}),
                 std::string("cfg.json: unknown key 'trian' (did you mean 'train'?)"));
        QCOMPARE(message({{"method", {{"gnn", {{"neighbourhood", "full"}}}}}}),
                 std::string("cfg.json: unknown key 'method.gnn.neighbourhood' (did you mean 'method.gnn.neighborhood'?)"));
        QCOMPARE(message({{"zzzzzz", 1}}), std::string("cfg.json: unknown key 'zzzzzz'"));
        QVERIFY(message({{"train.lr", 1e-3}}).find("contains a dot") != std::string::npos);
    }

    void wrongTypesNameKeyPathAndExpectation() {
        writeText(dir() / "bad_type.json", R"({"train": {"lr": "abc"}})");
        std::string path = (dir() / "bad_type.json").string();
        QCOMPARE(errorOf([&] { loadExperimentConfig(path); }),
                 path + ": train.lr: expected a number, got \"abc\"");
        auto message = [](const json& j) { return errorOf([&] { parseExperimentConfig(j); }); };
        QCOMPARE(message({{"method", {{"lora", {{"r", 8.5}}}}}}),
                 std::string("method.lora.r: expected an integer, got 8.5"));
        QCOMPARE(message({{"train", {{"lr", nullptr}}}}), std::string("train.lr: expected a number, got null"));
        QCOMPARE(message({{"method", {{"mf", {{"trainable", "yes"}}}}}}),
                 std::string("method.mf.trainable: expected a boolean, got \"yes\""));
        QCOMPARE(message({{"method", {{"inject", {{"layers", {0, "x"}}}}}}}),
                 std::string("method.inject.layers[1]: expected an integer, got \"x\""));
        QCOMPARE(message({{"method", {{"lora", 3}}}}), std::string("method.lora: expected an object, got 3"));
        QCOMPARE(message(json::array()), std::string("expected a JSON object at the top level, got []"));
        // Nullable fields say so.
        QCOMPARE(message({{"model", {{"checkpoint", 5}}}}),
                 std::string("model.checkpoint: expected a path string or null, got 5"));
        // All problems are reported at once, on one line.
        std::string both = message({{"train", {{"lr", "x"}, {"batch_size", 0}}}});
        QVERIFY2(both.find("train.lr") != std::string::npos && both.find("train.batch_size") != std::string::npos,
                 both.c_str());
        QVERIFY(both.find('\n') == std::string::npos);
    }

    void enumsListAllowedValues() {
        auto message = [](const json& j) { return errorOf([&] { parseExperimentConfig(j); }); };
        QCOMPARE(message({{"method", {{"gnn", {{"type", "gat"}}}}}}),
                 std::string("method.gnn.type: expected one of gcn, lightgcn, ngcf, identity, got \"gat\""));
        QCOMPARE(message({{"method", {{"name", "GraphLoRA"}}}}),
                 std::string("method.name: expected one of graphlora, lora-only, tallrec, icl, collm, cora, mf, "
                             "lightgcn, ngcf, sasrec, got \"GraphLoRA\" (did you mean \"graphlora\"?)"));
        QCOMPARE(message({{"eval", {{"splits", {"test", "dev"}}}}}),
                 std::string("eval.splits[1]: expected one of train, valid, valid_small, test, got \"dev\""));
    }

    void rangesAreChecked() {
        auto message = [](const json& j) { return errorOf([&] { parseExperimentConfig(j); }); };
        QCOMPARE(message({{"method", {{"lora", {{"r", 0}}}}}}),
                 std::string("method.lora.r: expected an integer >= 1 and <= 4096, got 0"));
        QCOMPARE(message({{"method", {{"lora", {{"dropout", 1.0}}}}}}),
                 std::string("method.lora.dropout: expected a number >= 0 and < 1, got 1.0"));
        QCOMPARE(message({{"train", {{"batch_size", -1}}}}),
                 std::string("train.batch_size: expected an integer >= 1 and <= 1048576, got -1"));
        QCOMPARE(message({{"train", {{"lr", 0}}}}), std::string("train.lr: expected a number > 0, got 0"));
        QCOMPARE(message({{"eval", {{"splits", json::array()}}}}),
                 std::string("eval.splits: expected an array of train, valid, valid_small, test, got an empty array"));
        // 8.0 is an integer, normalised to 8 in the canonical form.
        auto c = parseExperimentConfig({{"method", {{"lora", {{"r", 8.0}}}}}});
        QCOMPARE(c.method.lora.r, 8);
        QVERIFY(c.canonical["method"]["lora"]["r"].is_number_integer());
    }

    // The UI's per-field check gives exactly the CLI's message.
    void formValidationMatchesCli() {
        QCOMPARE(validateFieldValue("train.lr", "abc"), std::string("train.lr: expected a number, got \"abc\""));
        QCOMPARE(validateFieldValue("train.lrr", 1), std::string("unknown key 'train.lrr' (did you mean 'train.lr'?)"));
        QCOMPARE(validateFieldValue("train.lr", 0.5), std::string());
    }

    void irrelevantKeysAreAccepted() {
        auto c = parseExperimentConfig({{"method", {{"name", "mf"}, {"lora", {{"r", 4}}}, {"inject", {{"layers", {1, 2}}}}}}});
        QVERIFY(c.method.name == Method::MF);
        QCOMPARE(c.method.lora.r, 4);
    }

    void overrides() {
        json j = json::object();
        applyOverride(j, "train.lr=3e-4");
        applyOverride(j, "method.name=tallrec");       // unquoted string
        applyOverride(j, "method.inject.layers=[0, 2]");
        applyOverride(j, "model.checkpoint=null");
        applyOverride(j, "name=123");                  // a string key keeps the text
        applyOverride(j, "method.lora={\"r\": 16}");   // a whole group
        auto c = parseExperimentConfig(j);
        QCOMPARE(c.train.lr, 3e-4);
        QVERIFY(c.method.name == Method::TallRec);
        QCOMPARE(c.method.inject.layers, (std::vector<int>{0, 2}));
        QVERIFY(!c.model.checkpoint);
        QCOMPARE(c.name, std::string("123"));
        QCOMPARE(c.method.lora.r, 16);

        QCOMPARE(errorOf([&] { applyOverride(j, "train.lrr=1"); }),
                 std::string("--set train.lrr=1: unknown key 'train.lrr' (did you mean 'train.lr'?)"));
        QCOMPARE(errorOf([&] { applyOverride(j, "train.lr=abc"); }),
                 std::string("--set train.lr=abc: train.lr: expected a number, got \"abc\""));
        QCOMPARE(errorOf([&] { applyOverride(j, "method.gnn.type=gat"); }),
                 std::string("--set method.gnn.type=gat: method.gnn.type: expected one of gcn, lightgcn, ngcf, "
                             "identity, got \"gat\""));
        QVERIFY(errorOf([&] { applyOverride(j, "train.lr"); }).find("expected key.path=value") != std::string::npos);
        QVERIFY(errorOf([&] { applyOverride(j, "method.lora={\"rr\": 1}"); }).find("did you mean 'method.lora.r'") !=
                std::string::npos);

        // Overrides through loadExperimentConfig; errors there name the override.
        writeText(dir() / "ok.json", R"({"train": {"lr": 0.001}})");
        auto loaded = loadExperimentConfig((dir() / "ok.json").string(), {"train.lr=0.5", "seed=7"});
        QCOMPARE(loaded.train.lr, 0.5);
        QCOMPARE(loaded.seed, std::int64_t(7));
    }

    void pathsResolveAgainstTheConfigFile() {
        writeText(dir() / "exp" / "cfg.json",
                  R"({"data": {"dir": "../data/split/"}, "model": {"checkpoint": "/abs/model.bin",
                      "tokenizer": "tok.bin"}, "method": {"mf": {"init": "./runs/../mf.ckpt"}}})");
        auto c = loadExperimentConfig((dir() / "exp" / "cfg.json").string());
        QCOMPARE(c.data.dir, (dir() / "data" / "split").lexically_normal().string());
        QCOMPARE(*c.model.checkpoint, std::string("/abs/model.bin"));
        QCOMPARE(*c.model.tokenizer, (dir() / "exp" / "tok.bin").string());
        QCOMPARE(*c.method.mf.init, (dir() / "exp" / "mf.ckpt").string());
        // --set paths are relative to the working directory, where the user typed them.
        auto o = loadExperimentConfig((dir() / "exp" / "cfg.json").string(), {"data.dir=rel/split"});
        QCOMPARE(o.data.dir, (fs::current_path() / "rel" / "split").string());
        QVERIFY(errorOf([&] { parseExperimentConfig({{"data", {{"dir", ""}}}}); }).find("empty string") !=
                std::string::npos);
    }

    void canonicalHashIsStable() {
        // Same experiment written two ways: key order, whitespace, explicit defaults, 16 vs 16.0,
        // 8.0 vs 8, a trailing slash, comments, descriptive keys.
        writeText(dir() / "h1.json", R"({"seed": 3, "method": {"lora": {"alpha": 16, "r": 8}, "name": "graphlora"},
                                        "train": {"lr": 0.0003}, "data": {"dir": "d"}, "name": "first"})");
        writeText(dir() / "h2.json", "{\n  // same run\n  \"name\": \"second\", \"tags\": [\"x\"],\n"
                                     "  \"data\" : { \"dir\" : \"d/\" , \"domain\": \"movie\"},\n"
                                     "  \"train\":{\"lr\":3e-4, \"batch_size\": 8},\n"
                                     "  \"method\": {\"name\": \"graphlora\", \"lora\": {\"r\": 8.0, \"alpha\": 16.0}},\n"
                                     "  \"seed\": 3\n}\n");
        auto a = loadExperimentConfig((dir() / "h1.json").string());
        auto b = loadExperimentConfig((dir() / "h2.json").string());
        QCOMPARE(a.hash, b.hash);
        QCOMPARE(a.hash, configHash(a.canonical));
        // The hash is the SHA-256 of the canonical dump minus descriptive keys.
        json stripped = a.canonical;
        stripped.erase("name");
        stripped.erase("tags");
        stripped.erase("notes");
        QCOMPARE(a.hash, glr::sha256Hex(stripped.dump()));
        // A real difference changes it; the seed changes the hash but not the group hash.
        auto c = loadExperimentConfig((dir() / "h1.json").string(), {"train.lr=0.0004"});
        QVERIFY(c.hash != a.hash);
        auto d = loadExperimentConfig((dir() / "h1.json").string(), {"seed=4"});
        QVERIFY(d.hash != a.hash);
        QCOMPARE(configGroupHash(d.canonical), configGroupHash(a.canonical));
        QVERIFY(configGroupHash(c.canonical) != configGroupHash(a.canonical));
        // Canonical JSON round-trips to the same typed config and hash.
        auto e = parseExperimentConfig(a.canonical);
        QCOMPARE(e.hash, a.hash);
    }

    void jsonSyntaxErrorsGiveLineAndColumn() {
        writeText(dir() / "syntax.json", "{\n  \"train\": {\"lr\": 1e-4,}\n}\n");
        std::string path = (dir() / "syntax.json").string();
        std::string message = errorOf([&] { loadExperimentConfig(path); });
        QVERIFY2(message.rfind(path + ":2:", 0) == 0, message.c_str());
        QVERIFY2(message.find("invalid JSON") != std::string::npos, message.c_str());
        QVERIFY(errorOf([&] { loadExperimentConfig((dir() / "missing.json").string()); }).find("missing.json") !=
                std::string::npos);
    }

    void sweepExpandsTheGrid() {
        writeText(dir() / "sw" / "base.json", R"({"data": {"dir": "split"}, "train": {"lr": 0.001}})");
        writeText(dir() / "sw" / "layers.json", R"({
            "name": "inject-layer", "base": "base.json",
            "set": {"train.max_steps": 20},
            "grid": {"seed": [1, 2], "method.inject.layers": [[0], [1], 2]}})");
        auto sweep = loadSweep((dir() / "sw" / "layers.json").string());
        QCOMPARE(sweep.name, std::string("inject-layer"));
        QCOMPARE(sweep.runs.size(), std::size_t(6));
        // Keys sorted ("method.inject.layers" < "seed"), the last varies fastest.
        QCOMPARE(sweep.runs[0].name, std::string("inject-layer[layers=[0],seed=1]"));
        QCOMPARE(sweep.runs[1].name, std::string("inject-layer[layers=[0],seed=2]"));
        QCOMPARE(sweep.runs[5].name, std::string("inject-layer[layers=[2],seed=2]"));
        QCOMPARE(sweep.runs[4].params, (json{{"method.inject.layers", {2}}, {"seed", 1}}));
        for (const auto& run : sweep.runs) {
            QCOMPARE(run.config.train.maxSteps.value_or(0), std::int64_t(20));
            QCOMPARE(run.config.train.lr, 0.001);
            QCOMPARE(run.config.name, run.name);
            QCOMPARE(run.config.data.dir, (dir() / "sw" / "split").string());  // relative to base.json
        }
        QCOMPARE(sweep.runs[3].config.method.inject.layers, std::vector<int>{1});
        QCOMPARE(configGroupHash(sweep.runs[0].config.canonical), configGroupHash(sweep.runs[1].config.canonical));
        QVERIFY(configGroupHash(sweep.runs[0].config.canonical) != configGroupHash(sweep.runs[2].config.canonical));

        // Inline base, 2-D grid.
        auto ab = expandSweep({{"name", "ab"}, {"base", {{"method", {{"name", "graphlora"}}}}},
                               {"grid", {{"method.inject.alpha", {0.5, 1.0}}, {"method.inject.beta", {0.1, 0.2, 0.3}}}}});
        QCOMPARE(ab.runs.size(), std::size_t(6));
        QCOMPARE(ab.runs[2].name, std::string("ab[alpha=0.5,beta=0.3]"));
    }

    // Every shipped ML-1M sweep expands and validates; the sizes are those docs/results.md and
    // experiments/ml1m/README.md describe (methods × seeds, layers × seeds, …).
    void shippedSweepsExpand() {
        const std::map<std::string, std::size_t> expected = {
            {"table3_llm.json", 18}, {"table3_collab.json", 9}, {"table4_budget.json", 6},
            {"table5_ablation.json", 18}, {"table6_position.json", 6}, {"table7_fewshot.json", 12},
            {"figure4_layers.json", 15}};
        const std::filesystem::path folder = glr::test::sourcePath("experiments/ml1m");
        std::size_t seen = 0;
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            const std::string file = entry.path().filename().string();
            if (entry.path().extension() != ".json" || file == "base.json") continue;
            QVERIFY2(expected.count(file), qPrintable(QString::fromStdString("no expectation for " + file)));
            const SweepSpec sweep = loadSweep(entry.path().string());
            QCOMPARE(sweep.runs.size(), expected.at(file));
            ++seen;
        }
        QCOMPARE(seen, expected.size());
    }

    void sweepErrorsNameThePoint() {
        auto message = [](const json& j) { return errorOf([&] { expandSweep(j, "", "s.json"); }); };
        QCOMPARE(message({{"grid", {{"train.lrr", {1}}}}}),
                 std::string("s.json: grid: unknown key 'train.lrr' (did you mean 'train.lr'?)"));
        QCOMPARE(message({{"grid", {{"train.lr", {0.1, "fast"}}}}}),
                 std::string("s.json: grid point lr=fast: train.lr: expected a number, got \"fast\""));
        QCOMPARE(message({{"grid", {{"seed", json::array()}}}}),
                 std::string("s.json: grid.seed: expected a non-empty array of values, got []"));
        QVERIFY(message({{"gird", json::object()}}).find("did you mean 'grid'") != std::string::npos);
        QVERIFY(message({{"base", {{"train", {{"lr", "x"}}}}}}).find("train.lr: expected a number") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestExperimentConfig)
#include "test_experiment_config.moc"
