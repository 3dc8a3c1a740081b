#pragma once
// Results tables shared by `graphlora results`, `graphlora runs list` and the workbench's Results
// panel: the long CSV (one row per run × split × subset × metric), and the paper-style table
// (methods as rows, metric × subset columns, mean ± std over seeds, best in bold) as Markdown,
// CSV or LaTeX. Plain functions over store records: no database access here.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/run_store.h"

namespace glr::store {

enum class TableFormat { Markdown, Csv, Latex };
TableFormat tableFormatFromString(const std::string& name);  // "md"|"markdown"|"csv"|"latex"|"tex"

// RFC-4180 field quoting (only when needed).
std::string csvField(const std::string& field);

// `run_id,name,method,status,created,finished` with ISO-8601 UTC times ("" when unset).
std::string runsCsv(const std::vector<RunRecord>& runs);
// JSON array of runs (id, name, method, dataset, status, times, seed, hash, tags, git, ...).
std::string runsJson(const std::vector<RunRecord>& runs);
// `run_id,run_name,method,split,subset,metric,value`, rows ordered as given.
std::string resultsCsv(const std::vector<RunRecord>& runs, const std::vector<ResultRow>& results);
// `run_id,run_name,split,name,step,epoch,wall_time,value`: the metric series of runs, one row per
// logged point, runs in the order given, each run's points in the order given. wall_time is
// unix seconds; values keep round-trip precision and NaN is written as "" (as in resultsCsv).
std::string seriesCsv(const std::vector<std::pair<RunRecord, std::vector<MetricPoint>>>& runs);
// `uid,iid,label,score,not_cold` (score with round-trip precision, not_cold 0/1).
std::string predictionsCsv(const std::vector<PredictionRow>& rows);

// Two runs' predictions of one split, matched row for row by (uid, iid): the k-th occurrence of a
// pair in one run with its k-th in the other, in stored order, as a pair can repeat.
struct PredictionPairs {
    std::vector<std::pair<std::size_t, std::size_t>> matched;  // (index in a, index in b)
    std::size_t onlyA = 0, onlyB = 0;  // rows the other run did not score
    std::size_t labelMismatches = 0;   // matched rows whose labels differ: left out of `matched`
};
PredictionPairs pairPredictions(const std::vector<PredictionRow>& a, const std::vector<PredictionRow>& b);

// Display name of a metric: auc -> AUC, uauc -> UAUC, uauc_weighted -> wUAUC, ndcg@10 -> NDCG@10.
std::string metricDisplayName(const std::string& metric);

struct ResultsTableOptions {
    std::string split = "test";
    std::vector<std::string> metrics{"auc", "uauc"};
    std::vector<std::string> subsets{"all", "warm", "cold"};
    bool groupSeeds = true;   // runs with the same groupHash (config except seed) form one row
    int decimals = 4;
};

struct CellStat {
    double mean = 0;
    double std = 0;     // sample standard deviation (n-1); 0 when n == 1
    int n = 0;          // runs contributing
    std::int64_t nRows = 0;  // evaluated rows (of the first run)
};

struct ResultsTableColumn {
    std::string metric, subset;
    std::string header;  // "AUC", "UAUC (warm)", ...
};

struct ResultsTableRow {
    std::string label;   // method, plus the config keys that tell it apart from same-method rows
    std::string method;
    std::vector<std::int64_t> runIds;
    std::vector<std::optional<CellStat>> cells;  // one per column
    std::vector<bool> best;                      // one per column: highest mean in the column
};

struct ResultsTable {
    std::string split;
    std::vector<ResultsTableColumn> columns;
    std::vector<ResultsTableRow> rows;
};

// Builds the table for `runs` (in their order of first appearance per group). Runs without any
// result in `split` are left out. Every metric is treated as higher-is-better.
ResultsTable buildResultsTable(const std::vector<RunRecord>& runs,
                               const std::vector<ResultRow>& results,
                               const ResultsTableOptions& options = {});

// Renders the table: Markdown pipes with **best**, CSV (label,method,runs,<col> mean,<col> std,
// ...), or a LaTeX tabular with \textbf{best} and $\pm$.
std::string formatResultsTable(const ResultsTable& table, TableFormat format, int decimals = 4);

}  // namespace glr::store
