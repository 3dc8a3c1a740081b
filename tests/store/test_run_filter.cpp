// The runs filter language (core/store/run_filter.h), as the Runs panel and `graphlora runs list
// --where` use it: comparisons, fields, tags, words, and/or/not, the error messages, and what a
// stored run looks like to it (results, series, config keys).
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

#include "store/run_filter.h"

using namespace glr::store;

namespace {

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

FilterableRun makeRun(const std::string& name, const std::string& method, const std::string& status, double auc,
                      std::vector<std::string> tags = {}, int seed = 42) {
    FilterableRun run;
    run.fields["name"] = name;
    run.fields["method"] = method;
    run.fields["status"] = status;
    run.fields["dataset"] = "ml1m-collm";
    run.fields["seed"] = std::to_string(seed);
    run.tags = std::move(tags);
    run.metrics["auc"] = auc;
    run.metrics["test/auc"] = auc;
    run.metrics["ndcg@10"] = auc / 2;
    return run;
}

}  // namespace

class TestRunFilter : public QObject {
    Q_OBJECT
private slots:
    void filterComparesMetrics() {
        const auto f = FilterExpression::parse("auc > 0.7");
        QVERIFY2(f.isValid(), f.error().c_str());
        QVERIFY(f.matches(makeRun("a", "graphlora", "finished", 0.71)));
        QVERIFY(!f.matches(makeRun("b", "graphlora", "finished", 0.70)));
        QVERIFY(FilterExpression::parse("auc>=0.7").matches(makeRun("b", "graphlora", "finished", 0.70)));
        QVERIFY(FilterExpression::parse("ndcg@10 < 0.4").matches(makeRun("b", "x", "finished", 0.70)));
        QVERIFY(FilterExpression::parse("test/auc = 0.5").matches(makeRun("b", "x", "finished", 0.5)));
        // A run without the metric never matches a comparison.
        QVERIFY(!FilterExpression::parse("uauc > 0").matches(makeRun("a", "x", "finished", 0.9)));
        QCOMPARE(FilterExpression::parse("uauc > 0 and auc < 1").referencedKeys(), (std::vector<std::string>{"uauc", "auc"}));
    }

    void filterMatchesFieldsTagsAndWords() {
        const auto run = makeRun("ml1m-graphlora-s1", "graphlora", "finished", 0.7, {"paper", "table3"}, 7);
        QVERIFY(FilterExpression::parse("method:graphlora").matches(run));
        QVERIFY(FilterExpression::parse("method:GraphLoRA,collm").matches(run));
        QVERIFY(!FilterExpression::parse("method:lora").matches(run));   // exact, not substring
        QVERIFY(FilterExpression::parse("method:*lora").matches(run));   // wildcard
        QVERIFY(FilterExpression::parse("tag:paper").matches(run));
        QVERIFY(!FilterExpression::parse("tag:draft").matches(run));
        QVERIFY(FilterExpression::parse("status = finished").matches(run));
        QVERIFY(FilterExpression::parse("seed = 7").matches(run));
        QVERIFY(FilterExpression::parse("seed != 42").matches(run));
        QVERIFY(FilterExpression::parse("s1").matches(run));      // name contains
        QVERIFY(FilterExpression::parse("table").matches(run));   // a tag contains
        QVERIFY(!FilterExpression::parse("sasrec").matches(run));
    }

    void filterCombinesWithAndOrNotAndParentheses() {
        const auto good = makeRun("g", "graphlora", "finished", 0.8);
        const auto failed = makeRun("f", "graphlora", "failed", 0.0);
        const auto other = makeRun("o", "mf", "finished", 0.6);
        const auto f = FilterExpression::parse("method:graphlora !status:failed");
        QVERIFY(f.matches(good));
        QVERIFY(!f.matches(failed));
        QVERIFY(!f.matches(other));
        const auto g = FilterExpression::parse("(auc > 0.75 or method:mf) && not status:failed");
        QVERIFY(g.matches(good));
        QVERIFY(g.matches(other));
        QVERIFY(!g.matches(failed));
        // `and` binds tighter than `or`.
        const auto h = FilterExpression::parse("method:mf or method:graphlora auc > 0.75");
        QVERIFY(h.matches(other));
        QVERIFY(h.matches(good));
        QVERIFY(!h.matches(makeRun("x", "graphlora", "finished", 0.7)));
    }

    void filterReportsMalformedExpressions() {
        QVERIFY(FilterExpression::parse("").isEmpty());
        QVERIFY(FilterExpression::parse("   ").matches(makeRun("a", "b", "c", 0)));
        const auto notNumber = FilterExpression::parse("auc > high");
        QVERIFY(!notNumber.isValid());
        QVERIFY2(contains(notNumber.error(), "'high'") && contains(notNumber.error(), "not a number"),
                 notNumber.error().c_str());
        QVERIFY(!notNumber.matches(makeRun("a", "b", "c", 0.9)));
        const auto missing = FilterExpression::parse("auc >");
        QVERIFY(contains(missing.error(), "expected a value after '>'"));
        const auto unclosed = FilterExpression::parse("(auc > 0.5");
        QVERIFY2(contains(unclosed.error(), "expected ')'"), unclosed.error().c_str());
        QVERIFY(contains(FilterExpression::parse("auc > 0.5)").error(), "unexpected ')'"));
        QVERIFY(contains(FilterExpression::parse("method:").error(), "expected a value after 'method:'"));
        QVERIFY(contains(FilterExpression::parse("a & b").error(), "'&&'"));
    }

    // A stored run: results under split[_subset]/metric with test/all's bare names, series with
    // .last/.min/.max and steps, config keys by path (arrays as JSON, strings bare), and the
    // identity fields winning over config keys of the same name.
    void storedRunsShowResultsSeriesAndConfigKeys() {
        RunRecord run;
        run.id = 12;
        run.name = "gl-s1";
        run.method = "graphlora";
        run.status = RunStatus::Finished;
        run.seed = 1;
        run.sweepId = 3;
        run.tags = {"paper"};
        run.configJson = R"({"name": "renamed-since", "seed": 1, "train": {"lr": 0.001, "epochs": 1},
            "method": {"name": "graphlora", "inject": {"layers": [0], "alpha": 1.0}, "gnn": {"type": "NGCF"}}})";
        const std::vector<ResultRow> results{{12, "test", "all", "auc", 0.71, 100},
                                             {12, "test", "cold", "uauc", 0.55, 40},
                                             {12, "valid", "all", "auc", 0.69, 50}};
        const std::vector<MetricSummary> series{{"train", "loss", 200, 0.41, 0.38, 0.93, 200},
                                                {"valid", "auc", 4, 0.69, 0.61, 0.70, 200}};
        const FilterableRun f = filterableRun(run, results, series);
        QCOMPARE(f.metrics.at("auc"), 0.71);
        QCOMPARE(f.metrics.at("test/auc"), 0.71);
        QCOMPARE(f.metrics.at("test_cold/uauc"), 0.55);
        QCOMPARE(f.metrics.count("uauc"), std::size_t(0));  // only test/all rows get bare names
        QCOMPARE(f.metrics.at("valid/auc"), 0.69);            // the series' last value
        QCOMPARE(f.metrics.at("valid/auc.max"), 0.70);
        QCOMPARE(f.metrics.at("train/loss.min"), 0.38);
        QCOMPARE(f.metrics.at("steps"), 200.0);
        QCOMPARE(f.fields.at("sweep"), std::string("3"));
        QCOMPARE(f.fields.at("name"), std::string("gl-s1"));  // the run's own name, not its config's
        QCOMPARE(f.fields.at("status"), std::string("finished"));
        QCOMPARE(f.fields.at("method.inject.layers"), std::string("[0]"));
        QCOMPARE(f.fields.at("method.gnn.type"), std::string("NGCF"));
        QCOMPARE(f.fields.at("train.lr"), std::string("0.001"));

        const auto matches = [&](const std::string& text) {
            const auto filter = FilterExpression::parse(text);
            if (!filter.isValid()) qWarning("%s: %s", text.c_str(), filter.error().c_str());
            return filter.matches(f);
        };
        QVERIFY(matches("train.lr > 5e-4 and train.lr <= 1e-3"));
        QVERIFY(!matches("train.lr < 1e-4"));
        QVERIFY(matches("method.gnn.type:ngcf,lightgcn"));           // any case
        QVERIFY(matches("method.inject.layers = [0]"));
        QVERIFY(matches("method.inject.layers:[0]"));                 // brackets are literal, not a class
        QVERIFY(!matches("method.inject.layers:0"));
        QVERIFY(matches("method.inject.alpha = 1"));                  // 1.0 == 1 numerically
        QVERIFY(matches("valid/auc.max >= 0.7 steps = 200 sweep = 3 tag:paper"));
        QVERIFY(!matches("test_cold/uauc > 0.6"));

        const auto typo = FilterExpression::parse("trian.lr < 1 auc > 0.5 tag:x acu > 0 zzzzzz = 1");
        const auto unknown = unknownFilterKeys(typo, {&f});
        QCOMPARE(unknown.size(), std::size_t(3));
        QCOMPARE(unknown[0].message(), std::string("no run has 'trian.lr' (did you mean 'train.lr'?)"));
        QCOMPARE(unknown[1].message(), std::string("no run has 'acu' (did you mean 'auc'?)"));
        QCOMPARE(unknown[2].message(), std::string("no run has 'zzzzzz'"));
        QVERIFY(unknownFilterKeys(typo, {}).empty());  // no runs: nothing to call a typo
    }

    // A config that is not JSON (a damaged row) leaves the run filterable by everything else.
    void brokenConfigJsonIsSkipped() {
        RunRecord run;
        run.id = 1;
        run.name = "x";
        run.configJson = "{not json";
        const FilterableRun f = filterableRun(run, {}, {});
        QCOMPARE(f.fields.at("name"), std::string("x"));
        QVERIFY(FilterExpression::parse("name = x").matches(f));
    }
};

QTEST_GUILESS_MAIN(TestRunFilter)
#include "test_run_filter.moc"
