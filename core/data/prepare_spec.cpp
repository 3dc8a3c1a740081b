#include "data/prepare_spec.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/text.h"
#include "util/did_you_mean.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::data {

namespace {

using nlohmann::json;

std::string typeName(const json& value) {
    switch (value.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        case json::value_t::number_float: return "a number";
        default: return "an integer";
    }
}

// Walks the spec with the key path at hand, so every message names where the problem is.
class SpecReader {
public:
    explicit SpecReader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(fmt::format("{}: {}: {}", source_, path, message));
    }

    void requireObject(const json& value, const std::string& path) const {
        if (!value.is_object()) fail(path, "expected an object, got " + typeName(value));
    }

    void checkKeys(const json& object, const std::string& path, const std::vector<std::string>& known) const {
        for (const auto& item : object.items()) {
            if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            const std::string hint = didYouMean(item.key(), known);
            fail(join(path, item.key()),
                 fmt::format("unknown key{} (known keys: {})",
                             hint.empty() ? std::string() : fmt::format("; did you mean '{}'?", hint), list));
        }
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    const json* find(const json& object, const std::string& key) const {
        auto it = object.find(key);
        return it == object.end() ? nullptr : &*it;
    }

    const json& require(const json& object, const std::string& path, const std::string& key) const {
        const json* value = find(object, key);
        if (!value) fail(join(path, key), "missing (required)");
        return *value;
    }

    std::string string(const json& value, const std::string& path) const {
        if (!value.is_string()) fail(path, "expected a string, got " + typeName(value));
        return value.get<std::string>();
    }

    bool boolean(const json& value, const std::string& path) const {
        if (!value.is_boolean()) fail(path, "expected true or false, got " + typeName(value));
        return value.get<bool>();
    }

    double number(const json& value, const std::string& path) const {
        if (!value.is_number()) fail(path, "expected a number, got " + typeName(value));
        return value.get<double>();
    }

    std::int64_t integer(const json& value, const std::string& path, std::int64_t min) const {
        if (!value.is_number_integer()) fail(path, "expected an integer, got " + typeName(value));
        const auto v = value.get<std::int64_t>();
        if (v < min) fail(path, fmt::format("expected an integer >= {}, got {}", min, v));
        return v;
    }

    std::string source_;
};

std::string resolvePath(const std::string& path, const std::string& baseDir) {
    namespace fs = std::filesystem;
    fs::path p(path);
    if (p.is_absolute() || baseDir.empty()) return p.lexically_normal().string();
    return (fs::path(baseDir) / p).lexically_normal().string();
}

void readTable(const SpecReader& r, const json& table, const std::string& path, const std::string& baseDir,
               TableSpec& out) {
    out.path = resolvePath(r.string(r.require(table, path, "path"), SpecReader::join(path, "path")), baseDir);
    if (const json* v = r.find(table, "format")) {
        const std::string format = r.string(*v, path + ".format");
        if (format != "delimited")
            r.fail(path + ".format", fmt::format("unknown format '{}' (supported: delimited)", format));
    }
    if (const json* v = r.find(table, "delimiter")) {
        std::string delimiter = r.string(*v, path + ".delimiter");
        if (delimiter == "\\t" || delimiter == "tab") delimiter = "\t";
        if (delimiter.empty()) r.fail(path + ".delimiter", "must not be empty");
        if (delimiter.find('\n') != std::string::npos || delimiter.find('\r') != std::string::npos)
            r.fail(path + ".delimiter", "must not contain a line break");
        out.format.delimiter = delimiter;
    }
    if (const json* v = r.find(table, "quote")) {
        if (!v->is_null()) {
            const std::string quote = r.string(*v, path + ".quote");
            if (quote.size() != 1) r.fail(path + ".quote", "expected one character such as \"\\\"\"");
            out.format.quote = quote[0];
        }
    }
    if (const json* v = r.find(table, "header")) out.format.header = r.boolean(*v, path + ".header");
    if (const json* v = r.find(table, "encoding")) {
        const std::string encoding = asciiLower(r.string(*v, path + ".encoding"));
        if (encoding == "utf-8" || encoding == "utf8") out.format.encoding = TextEncoding::Utf8;
        else if (encoding == "latin-1" || encoding == "latin1" || encoding == "iso-8859-1")
            out.format.encoding = TextEncoding::Latin1;
        else r.fail(path + ".encoding", fmt::format("unknown encoding '{}' (supported: utf-8, latin-1)", encoding));
    }
}

// A table section of the spec ("interactions" or "items"): its file and format into `table`;
// returns its "columns" object, whose keys must be among `columnKeys`.
template <typename Table>
const json& readTableSection(const SpecReader& r, const json& spec, const std::string& name, const std::string& baseDir,
                             Table& table, const std::vector<std::string>& columnKeys) {
    const json& section = r.require(spec, "", name);
    r.requireObject(section, name);
    r.checkKeys(section, name, {"path", "format", "delimiter", "quote", "header", "encoding", "columns"});
    readTable(r, section, name, baseDir, table);
    const json& columns = r.require(section, name, "columns");
    r.requireObject(columns, name + ".columns");
    r.checkKeys(columns, name + ".columns", columnKeys);
    return columns;
}

ColumnRef readColumn(const SpecReader& r, const json& columns, const std::string& path, const std::string& key,
                     bool header, bool required) {
    const std::string keyPath = SpecReader::join(path, key);
    const json* value = r.find(columns, key);
    if (!value || value->is_null()) {
        if (required) r.fail(keyPath, "missing (required): a header name or a 0-based column index");
        return {};
    }
    ColumnRef column;
    if (value->is_string()) {
        column.name = value->get<std::string>();
        if (column.name.empty()) r.fail(keyPath, "empty column name");
        if (!header) r.fail(keyPath, "names a column but \"header\" is false; give a 0-based index");
    } else if (value->is_number_integer()) {
        column.index = static_cast<int>(r.integer(*value, keyPath, 0));
    } else {
        r.fail(keyPath, "expected a header name (string) or a 0-based index (integer), got " + typeName(*value));
    }
    return column;
}

TimeWindow readWindow(const SpecReader& r, const json& value, const std::string& path) {
    if (!value.is_array() || value.size() != 2)
        r.fail(path, "expected [\"START\", \"END\"] (UTC dates, start inclusive, end exclusive)");
    TimeWindow window;
    window.startText = r.string(value[0], path + "[0]");
    window.endText = r.string(value[1], path + "[1]");
    auto start = parseUtcDateTime(window.startText);
    auto end = parseUtcDateTime(window.endText);
    if (!start) r.fail(path + "[0]", fmt::format("bad date '{}' (expected YYYY-MM-DD)", window.startText));
    if (!end) r.fail(path + "[1]", fmt::format("bad date '{}' (expected YYYY-MM-DD)", window.endText));
    if (*end <= *start) r.fail(path, fmt::format("ends ({}) before it starts ({})", window.endText, window.startText));
    window.start = *start;
    window.end = *end;
    return window;
}

}  // namespace

PrepareSpec parsePrepareSpec(const nlohmann::json& spec, const std::string& baseDir, const std::string& source) {
    SpecReader r(source);
    r.requireObject(spec, "(top level)");
    r.checkKeys(spec, "", {"interactions", "items", "label", "split", "min_user_interactions",
                           "min_item_interactions", "valid_small"});
    PrepareSpec out;
    out.sourceJson = spec.dump();

    const json& ic = readTableSection(r, spec, "interactions", baseDir, out.interactions, {"user", "item", "rating", "timestamp"});
    const bool ih = out.interactions.format.header;
    out.interactions.user = readColumn(r, ic, "interactions.columns", "user", ih, true);
    out.interactions.item = readColumn(r, ic, "interactions.columns", "item", ih, true);
    out.interactions.rating = readColumn(r, ic, "interactions.columns", "rating", ih, true);
    out.interactions.timestamp = readColumn(r, ic, "interactions.columns", "timestamp", ih, true);

    const json& tc = readTableSection(r, spec, "items", baseDir, out.items, {"item", "title", "genres", "year"});
    const bool th = out.items.format.header;
    out.items.item = readColumn(r, tc, "items.columns", "item", th, true);
    out.items.title = readColumn(r, tc, "items.columns", "title", th, true);
    out.items.genres = readColumn(r, tc, "items.columns", "genres", th, false);
    out.items.year = readColumn(r, tc, "items.columns", "year", th, false);

    const json& label = r.require(spec, "", "label");
    r.requireObject(label, "label");
    r.checkKeys(label, "label", {"rating_at_least"});
    out.ratingAtLeast = r.number(r.require(label, "label", "rating_at_least"), "label.rating_at_least");

    const json& split = r.require(spec, "", "split");
    r.requireObject(split, "split");
    r.checkKeys(split, "split", {"train", "valid", "test", "quantiles"});
    if (const json* q = r.find(split, "quantiles")) {
        if (split.size() != 1) r.fail("split", "give either \"quantiles\" or the train/valid/test date windows, not both");
        if (!q->is_array() || q->size() != 2)
            r.fail("split.quantiles", "expected [TRAIN_END, VALID_END], e.g. [0.8, 0.9]");
        out.split.mode = SplitSpec::Mode::Quantiles;
        out.split.trainEnd = r.number((*q)[0], "split.quantiles[0]");
        out.split.validEnd = r.number((*q)[1], "split.quantiles[1]");
        if (!(out.split.trainEnd > 0 && out.split.trainEnd < out.split.validEnd && out.split.validEnd < 1))
            r.fail("split.quantiles", fmt::format("expected 0 < {} < {} < 1", out.split.trainEnd, out.split.validEnd));
    } else {
        out.split.mode = SplitSpec::Mode::Dates;
        out.split.train = readWindow(r, r.require(split, "split", "train"), "split.train");
        out.split.valid = readWindow(r, r.require(split, "split", "valid"), "split.valid");
        out.split.test = readWindow(r, r.require(split, "split", "test"), "split.test");
        const std::pair<const char*, const TimeWindow*> windows[] = {
            {"train", &out.split.train}, {"valid", &out.split.valid}, {"test", &out.split.test}};
        for (int a = 0; a < 3; ++a)
            for (int b = a + 1; b < 3; ++b)
                if (windows[a].second->start < windows[b].second->end &&
                    windows[b].second->start < windows[a].second->end)
                    r.fail("split", fmt::format("the {} and {} windows overlap", windows[a].first, windows[b].first));
    }

    if (const json* v = r.find(spec, "min_user_interactions"))
        out.minUserInteractions = r.integer(*v, "min_user_interactions", 0);
    if (const json* v = r.find(spec, "min_item_interactions"))
        out.minItemInteractions = r.integer(*v, "min_item_interactions", 0);

    if (const json* vs = r.find(spec, "valid_small"); vs && !vs->is_null()) {
        r.requireObject(*vs, "valid_small");
        r.checkKeys(*vs, "valid_small", {"fraction", "seed"});
        out.validSmall = true;
        out.validSmallFraction = r.number(r.require(*vs, "valid_small", "fraction"), "valid_small.fraction");
        if (!(out.validSmallFraction > 0 && out.validSmallFraction <= 1))
            r.fail("valid_small.fraction", fmt::format("expected a fraction in (0, 1], got {}", out.validSmallFraction));
        if (const json* s = r.find(*vs, "seed"))
            out.validSmallSeed = static_cast<std::uint64_t>(r.integer(*s, "valid_small.seed", 0));
    }
    return out;
}

PrepareSpec parsePrepareSpecText(const std::string& jsonText, const std::string& baseDir, const std::string& source) {
    json spec;
    try {
        spec = json::parse(jsonText);
    } catch (const json::parse_error& e) {
        failInput("{}: not valid JSON: {}", source, e.what());
    }
    return parsePrepareSpec(spec, baseDir, source);
}

PrepareSpec loadPrepareSpec(const std::string& path) {
    std::string text;
    try {
        text = readFile(path);
    } catch (const std::exception& e) {
        failInput("{}", e.what());
    }
    const std::string baseDir = std::filesystem::path(path).parent_path().string();
    return parsePrepareSpecText(text, baseDir.empty() ? "." : baseDir, path);
}

}  // namespace glr::data
