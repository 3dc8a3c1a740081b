// Paper-style results tables and the stable CSV exports.
#include "store/results_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "config/experiment_config.h"
#include "util/error.h"

namespace glr::store {

using json = nlohmann::json;

TableFormat tableFormatFromString(const std::string& name) {
    if (name == "md" || name == "markdown") return TableFormat::Markdown;
    if (name == "csv") return TableFormat::Csv;
    if (name == "latex" || name == "tex") return TableFormat::Latex;
    failInput("unknown table format \"{}\" (expected md, csv or latex)", name);
}

std::string csvField(const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

namespace {

// Shortest text that reads back as the same double; "" for NaN (missing).
std::string numberText(double v) {
    if (std::isnan(v)) return "";
    return fmt::format("{}", v);
}

}  // namespace

std::string runsCsv(const std::vector<RunRecord>& runs) {
    std::string out = "run_id,name,method,status,created,finished\n";
    for (const auto& r : runs)
        out += fmt::format("{},{},{},{},{},{}\n", r.id, csvField(r.name), csvField(r.method), toString(r.status),
                           formatTime(r.createdAt), formatTime(r.finishedAt));
    return out;
}

std::string runsJson(const std::vector<RunRecord>& runs) {
    json out = json::array();
    for (const auto& r : runs) {
        json j = {{"run_id", r.id},
                  {"name", r.name},
                  {"method", r.method},
                  {"dataset", r.dataset},
                  {"status", toString(r.status)},
                  {"created", formatTime(r.createdAt)},
                  {"started", formatTime(r.startedAt)},
                  {"finished", formatTime(r.finishedAt)},
                  {"seed", r.seed},
                  {"config_hash", r.configHash},
                  {"git_commit", r.gitCommit},
                  {"git_dirty", r.gitDirty},
                  {"torch_version", r.torchVersion},
                  {"device", r.device},
                  {"tags", r.tags},
                  {"notes", r.notes},
                  {"error", r.error}};
        j["sweep_id"] = r.sweepId ? json(*r.sweepId) : json(nullptr);
        out.push_back(std::move(j));
    }
    return out.dump(2) + "\n";
}

std::string resultsCsv(const std::vector<RunRecord>& runs, const std::vector<ResultRow>& results) {
    std::map<std::int64_t, const RunRecord*> byId;
    for (const auto& r : runs) byId[r.id] = &r;
    std::string out = "run_id,run_name,method,split,subset,metric,value\n";
    for (const auto& row : results) {
        auto it = byId.find(row.runId);
        std::string name = it == byId.end() ? "" : it->second->name;
        std::string method = it == byId.end() ? "" : it->second->method;
        out += fmt::format("{},{},{},{},{},{},{}\n", row.runId, csvField(name), csvField(method), csvField(row.split),
                           csvField(row.subset), csvField(row.metric), numberText(row.value));
    }
    return out;
}

std::string seriesCsv(const std::vector<std::pair<RunRecord, std::vector<MetricPoint>>>& runs) {
    std::string out = "run_id,run_name,split,name,step,epoch,wall_time,value\n";
    for (const auto& [run, points] : runs) {
        const std::string name = csvField(run.name);
        for (const auto& p : points)
            out += fmt::format("{},{},{},{},{},{},{},{}\n", run.id, name, csvField(p.split), csvField(p.name), p.step,
                               numberText(p.epoch), numberText(p.wallTime), numberText(p.value));
    }
    return out;
}

std::string predictionsCsv(const std::vector<PredictionRow>& rows) {
    std::string out = "uid,iid,label,score,not_cold\n";
    out.reserve(out.size() + rows.size() * 32);
    for (const auto& r : rows)
        out += fmt::format("{},{},{},{},{}\n", r.uid, r.iid, r.label, numberText(r.score), r.notCold ? 1 : 0);
    return out;
}

PredictionPairs pairPredictions(const std::vector<PredictionRow>& a, const std::vector<PredictionRow>& b) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> rowsOfB;
    for (std::size_t j = 0; j < b.size(); ++j) rowsOfB[{b[j].uid, b[j].iid}].push_back(j);
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> used;  // occurrences of each pair taken so far
    PredictionPairs out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::pair<std::int64_t, std::int64_t> key{a[i].uid, a[i].iid};
        auto it = rowsOfB.find(key);
        std::size_t& taken = used[key];
        if (it == rowsOfB.end() || taken >= it->second.size()) {
            ++out.onlyA;
            continue;
        }
        const std::size_t j = it->second[taken++];
        if (a[i].label != b[j].label)
            ++out.labelMismatches;
        else
            out.matched.emplace_back(i, j);
    }
    out.onlyB = b.size() - (out.matched.size() + out.labelMismatches);
    return out;
}

std::string metricDisplayName(const std::string& metric) {
    if (metric == "auc") return "AUC";
    if (metric == "uauc") return "UAUC";
    if (metric == "uauc_weighted") return "wUAUC";
    if (metric.rfind("ndcg@", 0) == 0) return "NDCG@" + metric.substr(5);
    return metric;
}

namespace {

std::string columnHeader(const std::string& metric, const std::string& subset) {
    std::string name = metricDisplayName(metric);
    if (subset == "all") return name;
    if (subset == "warm") return "Warm " + name;
    if (subset == "cold") return "Cold " + name;
    return name + " [" + subset + "]";
}

std::string shortValue(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Config keys that tell apart groups with the same method, as "key=value" (method. prefix
// dropped), at most three then "…".
std::string distinguishingLabel(const json& mine, const std::vector<json>& others) {
    static const std::set<std::string> kIgnored{"name", "seed", "tags", "notes"};
    std::vector<std::string> parts;
    for (const auto& [key, value] : mine.items()) {
        if (kIgnored.count(key)) continue;
        bool differs = false;
        for (const auto& other : others)
            if (!other.contains(key) || other[key] != value) differs = true;
        if (!differs) continue;
        std::string shown = key.rfind("method.", 0) == 0 ? key.substr(7) : key;
        parts.push_back(shown + "=" + shortValue(value));
    }
    std::string label;
    for (std::size_t i = 0; i < parts.size() && i < 3; ++i) label += (i ? ", " : "") + parts[i];
    if (parts.size() > 3) label += ", …";
    return label;
}

std::string latexEscape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '_': case '%': case '&': case '#': case '$': case '{': case '}': out += '\\'; out += c; break;
            case '~': out += "\\textasciitilde{}"; break;
            case '^': out += "\\textasciicircum{}"; break;
            case '\\': out += "\\textbackslash{}"; break;
            default: out += c;
        }
    }
    // "…" is not in every LaTeX setup's input encoding.
    std::string::size_type pos;
    while ((pos = out.find("…")) != std::string::npos) out.replace(pos, std::string("…").size(), "\\ldots{}");
    return out;
}

std::string markdownEscape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

ResultsTable buildResultsTable(const std::vector<RunRecord>& runs, const std::vector<ResultRow>& results,
                               const ResultsTableOptions& options) {
    ResultsTable table;
    table.split = options.split;
    for (const auto& subset : options.subsets)
        for (const auto& metric : options.metrics) table.columns.push_back({metric, subset, columnHeader(metric, subset)});

    // (run, subset, metric) -> row
    std::map<std::tuple<std::int64_t, std::string, std::string>, const ResultRow*> lookup;
    std::set<std::int64_t> runsWithResults;
    for (const auto& r : results) {
        if (r.split != options.split) continue;
        lookup[{r.runId, r.subset, r.metric}] = &r;
        runsWithResults.insert(r.runId);
    }

    // Group runs: same config apart from seed (and descriptive keys) -> one row.
    std::vector<std::string> groupOrder;
    std::map<std::string, std::vector<const RunRecord*>> groups;
    for (const auto& run : runs) {
        if (!runsWithResults.count(run.id)) continue;
        std::string key = options.groupSeeds && !run.groupHash.empty() ? "g:" + run.groupHash
                                                                        : "r:" + std::to_string(run.id);
        if (!groups.count(key)) groupOrder.push_back(key);
        groups[key].push_back(&run);
    }

    std::vector<json> flatConfigs;
    for (const auto& key : groupOrder) {
        const auto& members = groups[key];
        ResultsTableRow row;
        row.method = members.front()->method;
        for (const auto* run : members) row.runIds.push_back(run->id);
        for (const auto& column : table.columns) {
            std::vector<double> values;
            std::int64_t nRows = -1;
            for (const auto* run : members) {
                auto it = lookup.find({run->id, column.subset, column.metric});
                if (it == lookup.end() || std::isnan(it->second->value)) continue;
                values.push_back(it->second->value);
                if (nRows < 0) nRows = it->second->nRows;
            }
            if (values.empty()) {
                row.cells.push_back(std::nullopt);
                continue;
            }
            CellStat stat;
            stat.n = int(values.size());
            for (double v : values) stat.mean += v;
            stat.mean /= stat.n;
            if (stat.n > 1) {
                double ss = 0;
                for (double v : values) ss += (v - stat.mean) * (v - stat.mean);
                stat.std = std::sqrt(ss / (stat.n - 1));
            }
            stat.nRows = nRows;
            row.cells.push_back(stat);
        }
        flatConfigs.push_back(config::flatten(members.front()->config()));
        table.rows.push_back(std::move(row));
    }

    // Labels: the method, plus what distinguishes rows that share it.
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        auto& row = table.rows[i];
        std::vector<json> others;
        for (std::size_t j = 0; j < table.rows.size(); ++j)
            if (j != i && table.rows[j].method == row.method) others.push_back(flatConfigs[j]);
        row.label = row.method;
        if (others.empty()) continue;
        std::string detail = distinguishingLabel(flatConfigs[i], others);
        if (detail.empty()) {
            // Same config but not grouped (groupSeeds off): the run name tells them apart.
            for (const auto& run : runs)
                if (run.id == row.runIds.front()) detail = run.name.empty() ? "run " + std::to_string(run.id) : run.name;
        }
        row.label += " (" + detail + ")";
    }

    // Best per column: highest mean at the displayed precision, marked when two or more rows compete.
    const double unit = std::pow(10.0, options.decimals);
    for (auto& row : table.rows) row.best.assign(table.columns.size(), false);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        std::optional<double> best;
        int present = 0;
        for (const auto& row : table.rows)
            if (row.cells[c]) {
                ++present;
                double shown = std::round(row.cells[c]->mean * unit);
                if (!best || shown > *best) best = shown;
            }
        if (present < 2) continue;
        for (auto& row : table.rows)
            if (row.cells[c] && std::round(row.cells[c]->mean * unit) == *best) row.best[c] = true;
    }
    return table;
}

std::string formatResultsTable(const ResultsTable& table, TableFormat format, int decimals) {
    auto number = [&](double v) { return fmt::format("{:.{}f}", v, decimals); };
    std::string out;
    switch (format) {
        case TableFormat::Csv: {
            out = "label,method,runs,run_ids";
            for (const auto& c : table.columns) out += "," + csvField(c.header + " mean") + "," + csvField(c.header + " std");
            out += "\n";
            for (const auto& row : table.rows) {
                std::string ids;
                for (auto id : row.runIds) ids += (ids.empty() ? "" : " ") + std::to_string(id);
                out += fmt::format("{},{},{},{}", csvField(row.label), csvField(row.method), row.runIds.size(), ids);
                for (const auto& cell : row.cells)
                    out += cell ? fmt::format(",{},{}", numberText(cell->mean), numberText(cell->std)) : std::string(",,");
                out += "\n";
            }
            return out;
        }
        case TableFormat::Markdown: {
            out = "| Method | Runs |";
            for (const auto& c : table.columns) out += " " + c.header + " |";
            out += "\n|---|---:|";
            for (std::size_t i = 0; i < table.columns.size(); ++i) out += "---:|";
            out += "\n";
            for (const auto& row : table.rows) {
                out += "| " + markdownEscape(row.label) + " | " + std::to_string(row.runIds.size()) + " |";
                for (std::size_t c = 0; c < row.cells.size(); ++c) {
                    const auto& cell = row.cells[c];
                    std::string text = !cell ? "–" : cell->n > 1 ? number(cell->mean) + " ± " + number(cell->std)
                                                                 : number(cell->mean);
                    if (cell && row.best[c]) text = "**" + text + "**";
                    out += " " + text + " |";
                }
                out += "\n";
            }
            return out;
        }
        case TableFormat::Latex: {
            out = "% requires \\usepackage{booktabs}\n\\begin{tabular}{lr";
            for (std::size_t i = 0; i < table.columns.size(); ++i) out += "c";
            out += "}\n\\toprule\nMethod & Runs";
            for (const auto& c : table.columns) out += " & " + latexEscape(c.header);
            out += " \\\\\n\\midrule\n";
            for (const auto& row : table.rows) {
                out += latexEscape(row.label) + " & " + std::to_string(row.runIds.size());
                for (std::size_t c = 0; c < row.cells.size(); ++c) {
                    const auto& cell = row.cells[c];
                    std::string text = !cell ? "--" : cell->n > 1 ? number(cell->mean) + " $\\pm$ " + number(cell->std)
                                                                  : number(cell->mean);
                    if (cell && row.best[c]) text = "\\textbf{" + text + "}";
                    out += " & " + text;
                }
                out += " \\\\\n";
            }
            out += "\\bottomrule\n\\end{tabular}\n";
            return out;
        }
    }
    return out;
}

}  // namespace glr::store
