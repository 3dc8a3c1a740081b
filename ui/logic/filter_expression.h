#pragma once
// The Runs panel's filter language, e.g.
//
//   auc > 0.7 method:graphlora,collm status:finished
//   tag:paper and (valid/auc >= 0.65 or seed = 42) !status:failed
//
// Terms, joined by whitespace / `and` / `&&` (all must hold) or `or` / `||`; `!` or `not` negates;
// parentheses group:
//   key OP number   OP in > >= < <= = == != — compares a metric (`auc`, `test_cold/uauc`,
//                   `valid/auc`, `ndcg@10`) or a numeric field (`seed`, `id`, `steps`).
//   key = text      (or !=) exact, case-insensitive comparison with a text field.
//   key:v1,v2       a text field equals one of the values (`*` and `?` are wildcards);
//                   `tag:x` matches when any of the run's tags matches.
//   word            the run's name, method, dataset or a tag contains the word.
// Fields include every config key by its dotted path (`train.lr < 1e-3`, `method.gnn.type:ngcf`,
// `method.inject.layers = [0]`; models/runs_table_model.h).
// A run without the compared metric does not match. Keys and text are case-insensitive.
#include <QHash>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace glr::ui {

// What the filter sees of a run. Keys are lower case.
struct FilterableRun {
    QHash<QString, QString> fields;  // name, method, dataset, status, sweep, id, seed, …
    QStringList tags;
    QHash<QString, double> metrics;  // auc, uauc, test/auc, test_warm/auc, valid/auc, …
};

class FilterExpression {
public:
    FilterExpression();  // empty: matches everything
    ~FilterExpression();
    FilterExpression(const FilterExpression&);
    FilterExpression& operator=(const FilterExpression&);

    // Never throws: a malformed expression gives an invalid filter carrying a message that
    // names the position and what was expected.
    static FilterExpression parse(const QString& expression);

    bool isEmpty() const;
    bool isValid() const { return error_.isEmpty(); }
    const QString& error() const { return error_; }
    // Metric/field keys the expression compares, so the panel can warn about ones no run has.
    const QStringList& referencedKeys() const { return keys_; }

    bool matches(const FilterableRun& run) const;  // an invalid filter matches nothing

    struct Node;

private:
    std::shared_ptr<const Node> root_;
    QString error_;
    QStringList keys_;
};

}  // namespace glr::ui
