#include "session/core_access.h"

#include <nlohmann/json.hpp>

#include "config/config_schema.h"
#include "config/experiment_config.h"
#include "config/sweep.h"
#include "data/prepare.h"
#include "data/prepare_spec.h"
#include "data/split_dataset.h"
#include "data/stats.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace glr::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

nlohmann::json parseJson(const QString& text, const char* what) {
    try {
        return nlohmann::json::parse(ss(text));
    } catch (const nlohmann::json::exception& e) {
        failInput("{} is not valid JSON: {}", what, e.what());
    }
}

QString typeName(config::FieldType type) {
    switch (type) {
    case config::FieldType::Bool: return QStringLiteral("bool");
    case config::FieldType::Int: return QStringLiteral("int");
    case config::FieldType::Number: return QStringLiteral("number");
    case config::FieldType::String: return QStringLiteral("string");
    case config::FieldType::Path: return QStringLiteral("path");
    case config::FieldType::Enum: return QStringLiteral("enum");
    case config::FieldType::IntList: return QStringLiteral("int-list");
    case config::FieldType::StringList: return QStringLiteral("string-list");
    }
    return QStringLiteral("string");
}

DistributionView toView(const data::Distribution& d) {
    DistributionView v;
    v.count = d.count;
    v.mean = d.mean;
    v.min = d.min;
    v.p50 = d.p50;
    v.p95 = d.p95;
    v.max = d.max;
    for (double e : d.edges) v.edges.push_back(e);
    for (auto c : d.counts) v.counts.push_back(c);
    return v;
}

}  // namespace

ConfigCheck checkConfig(const QString& json, const QString& baseDir) {
    ConfigCheck check;
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(ss(json));
    } catch (const nlohmann::json::exception& e) {
        check.parseError = QStringLiteral("not valid JSON: ") + QString::fromUtf8(e.what());
        return check;
    }
    try {
        for (const auto& issue : config::validateConfig(config))
            check.issues.push_back({qs(issue.path), qs(issue.message)});
        if (check.issues.isEmpty()) {
            const auto canonical = config::canonicalJson(config, ss(baseDir));
            check.canonicalJson = qs(canonical.dump(2));
            check.hash = qs(config::configHash(canonical));
            check.groupHash = qs(config::configGroupHash(canonical));
        }
    } catch (const std::exception& e) {
        check.issues.push_back({QString(), QString::fromUtf8(e.what())});
    }
    return check;
}

QString applyConfigOverride(const QString& json, const QString& assignment) {
    auto config = parseJson(json, "the config");
    config::applyOverride(config, ss(assignment));
    return qs(config.dump(2));
}

QVector<SchemaFieldView> configSchema() {
    QVector<SchemaFieldView> out;
    for (const auto& field : config::describeSchema()) {
        SchemaFieldView v;
        v.path = qs(field.path);
        v.type = typeName(field.type);
        v.help = qs(field.help);
        v.nullable = field.nullable;
        v.defaultJson = qs(field.defaultValue.dump());
        for (const auto& a : field.allowed) v.allowed << qs(a);
        v.hasMin = field.min.has_value();
        v.hasMax = field.max.has_value();
        v.min = field.min.value_or(0);
        v.max = field.max.value_or(0);
        for (const auto& m : field.methods) v.methods << qs(m);
        out.push_back(std::move(v));
    }
    return out;
}

QString defaultConfigJson() { return qs(config::defaultConfigJson().dump(2)); }

QStringList methodNames() {
    using config::Method;
    QStringList names;
    for (Method m : {Method::GraphLoRA, Method::LoraOnly, Method::TallRec, Method::Icl, Method::CoLLM, Method::CoRA,
                     Method::MF, Method::LightGCN, Method::NGCF, Method::SASRec})
        names << qs(config::toString(m));
    return names;
}

SweepExpansion expandSweepJson(const QString& sweepJson, const QString& baseDir) {
    const auto spec = config::expandSweep(parseJson(sweepJson, "the sweep"), ss(baseDir), "sweep");
    SweepExpansion out;
    out.name = qs(spec.name);
    out.gridJson = qs(spec.grid.dump());
    for (const auto& run : spec.runs)
        out.points.push_back({qs(run.name), qs(run.params.dump()), qs(run.config.canonical.dump())});
    return out;
}

QVector<PreviewTableView> previewPrepareSpec(const QString& specJson, const QString& baseDir, int rows) {
    const auto spec = data::parsePrepareSpecText(ss(specJson), ss(baseDir));
    QVector<PreviewTableView> out;
    for (const auto& table : data::previewSpec(spec, rows)) {
        PreviewTableView v;
        v.title = qs(table.title);
        for (const auto& c : table.columns) v.columns << qs(c);
        for (const auto& row : table.rows) {
            QStringList cells;
            for (const auto& cell : row) cells << qs(cell);
            v.rows.push_back(cells);
        }
        out.push_back(std::move(v));
    }
    return out;
}

PrepareOutcome runPrepare(const QString& specJson, const QString& baseDir, const QString& outDir, bool overwrite,
                          const PrepareProgressFn& progress) {
    const auto spec = data::parsePrepareSpecText(ss(specJson), ss(baseDir));
    data::PrepareOptions options;
    options.overwrite = overwrite;
    if (progress) {
        options.progress = [&](double fraction, const std::string& message) { return progress(fraction, qs(message)); };
    }
    const auto result = data::prepareSplits(spec, ss(outDir), options);
    PrepareOutcome out;
    out.outDir = qs(result.outDir);
    out.rawRows = result.rawRows;
    out.outsideWindows = result.outsideWindows;
    out.filtered = result.filtered;
    out.users = result.users;
    out.items = result.items;
    for (const auto& s : result.splits) out.splits.push_back({qs(s.name), s.rows, s.positives, s.warm});
    out.seconds = result.seconds("total");
    return out;
}

DatasetStatsView computeDatasetStats(const QString& splitDir, const QString& tokenizer, const QString& domain) {
    const auto dataset = data::SplitDataset::load(ss(splitDir));
    std::unique_ptr<Tokenizer> tok;
    if (tokenizer == QLatin1String("bytes")) tok = makeByteTokenizer();
    else if (!tokenizer.isEmpty()) tok = loadTokenizer(ss(tokenizer));
    data::StatsOptions options;
    options.tokenizer = tok.get();
    options.prompt.domain = ss(domain);
    const auto stats = data::computeStats(dataset, options);

    DatasetStatsView view;
    view.dir = qs(stats.dir);
    view.items = stats.items;
    view.users = stats.users;
    view.userDegree = toView(stats.userDegree);
    view.tokenizer = qs(stats.tokenizer);
    for (const auto& s : stats.splits) {
        SplitStatsView v;
        v.name = qs(s.name);
        v.rows = s.rows;
        v.users = s.users;
        v.items = s.items;
        v.positives = s.positives;
        v.warm = s.warm;
        v.cold = s.cold;
        v.positiveRate = s.positiveRate;
        v.historyLength = toView(s.historyLength);
        v.promptTokens = toView(s.promptTokens);
        view.splits.push_back(std::move(v));
    }
    return view;
}

}  // namespace glr::ui
