#pragma once
// The filter language over runs, shared by the workbench's Runs panel and `graphlora runs list
// --where` / `graphlora results --where`, e.g.
//
//   auc > 0.7 method:graphlora,collm status:finished
//   tag:paper and (valid/auc.max >= 0.65 or seed = 42) !status:failed
//   train.lr < 1e-3 method.gnn.type:lightgcn method.inject.layers = [0]
//
// Terms, joined by whitespace / `and` / `&&` (all must hold) or `or` / `||`; `!` or `not` negates;
// parentheses group:
//   key OP number   OP in > >= < <= = == != — compares a metric (`auc`, `test_cold/uauc`,
//                   `valid/auc`, `valid/auc.max`, `ndcg@10`) or a numeric field (`seed`, `id`,
//                   `steps`, a config key such as `train.lr`).
//   key = text      (or !=) exact, case-insensitive comparison with a text field.
//   key:v1,v2       a text field equals one of the values (`*` and `?` are wildcards, all
//                   else literal: `method.inject.layers:[0]`);
//                   `tag:x` matches when any of the run's tags matches.
//   word            the run's name, method, dataset or a tag contains the word.
// A run without the compared metric or field does not match. Keys and text are case-insensitive.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace glr::store {

// What the filter sees of a run. Keys are lower case.
struct FilterableRun {
    std::map<std::string, std::string> fields;  // name, method, dataset, status, sweep, id, seed, hash, device, config keys
    std::vector<std::string> tags;
    std::map<std::string, double> metrics;      // auc, test/auc, test_warm/auc, valid/auc(.last|.min|.max), steps
};

// "test/auc" for the split's "all" rows, "test_warm/auc" for a subset's.
std::string resultKey(const std::string& split, const std::string& subset, const std::string& metric);

// A run as the filter sees it: its identity fields; its results under resultKey, the test
// split's "all" rows also under the metric's bare name ("auc"); each series "split/name" as its
// last value, with .last, .min and .max, and `steps` (train/loss's last step); every config
// key by its dotted path (arrays whole, as JSON: "[0]"), unless an identity field has the name.
FilterableRun filterableRun(const RunRecord& run, const std::vector<ResultRow>& results,
                            const std::vector<MetricSummary>& series);

class FilterExpression {
public:
    FilterExpression();  // empty: matches everything
    ~FilterExpression();
    FilterExpression(const FilterExpression&);
    FilterExpression& operator=(const FilterExpression&);

    // Never throws: a malformed expression gives an invalid filter carrying a message that
    // names the position and what was expected.
    static FilterExpression parse(const std::string& expression);

    bool isEmpty() const;
    bool isValid() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    // Metric/field keys the expression compares (lower case, each once), so a caller can warn
    // about ones no run has.
    const std::vector<std::string>& referencedKeys() const { return keys_; }

    bool matches(const FilterableRun& run) const;  // an invalid filter matches nothing

    struct Node;

private:
    std::shared_ptr<const Node> root_;
    std::string error_;
    std::vector<std::string> keys_;
};

// A key the filter compares that none of the runs has (a likely typo), and the closest key they
// have ("" when none is close): "trian.lr" → "train.lr", "acu" → "auc".
struct UnknownFilterKey {
    std::string key, closest;
    std::string message() const;  // "no run has 'trian.lr' (did you mean 'train.lr'?)"
};
// `tag` never counts; with no runs nothing is unknown.
std::vector<UnknownFilterKey> unknownFilterKeys(const FilterExpression& filter, const std::vector<const FilterableRun*>& runs);

}  // namespace glr::store
