#include "data/split_dataset.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "data/delimited.h"
#include "data/text.h"
#include "util/error.h"

namespace glr::data {

void Split::add(InteractionRow row, const std::vector<std::int32_t>& history) {
    GLR_CHECK(historyPool.size() + history.size() < UINT32_MAX, "split '{}': history pool overflow", name);
    row.historyOffset = static_cast<std::uint32_t>(historyPool.size());
    row.historyLength = static_cast<std::uint32_t>(history.size());
    historyPool.insert(historyPool.end(), history.begin(), history.end());
    rows.push_back(row);
}

bool ItemCatalog::has(std::int32_t iid) const {
    return iid >= 0 && iid < static_cast<std::int32_t>(present_.size()) && present_[iid];
}

const std::string& ItemCatalog::title(std::int32_t iid) const {
    if (!has(iid)) fail("item {} is not in the item catalog", iid);
    return titles_[iid];
}

const std::string& ItemCatalog::genres(std::int32_t iid) const {
    if (!has(iid)) fail("item {} is not in the item catalog", iid);
    return genres_[iid];
}

void ItemCatalog::set(std::int32_t iid, std::string title, std::string genres) {
    GLR_CHECK(iid >= 0, "item id {} is negative", iid);
    if (iid >= static_cast<std::int32_t>(titles_.size())) {
        titles_.resize(iid + 1);
        genres_.resize(iid + 1);
        present_.resize(iid + 1, 0);
    }
    if (!present_[iid]) ++count_;
    present_[iid] = 1;
    titles_[iid] = std::move(title);
    genres_[iid] = std::move(genres);
}

namespace {

// Parses a non-negative int32 field; false on anything else.
bool parseId(std::string_view text, std::int32_t& out) {
    if (text.empty()) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size() && out >= 0;
}

int requireColumn(const DelimitedReader& reader, const std::string& name) {
    ColumnRef ref;
    ref.name = name;
    return reader.resolve(ref, "column '" + name + "'");
}

}  // namespace

Split loadSplitFile(const std::string& path, const std::string& name, const ItemCatalog* catalog,
                    bool checkHistories) {
    DelimitedFormat format;
    format.delimiter = "\t";
    DelimitedReader reader(path, format);
    const int cUid = requireColumn(reader, "uid");
    const int cIid = requireColumn(reader, "iid");
    const int cLabel = requireColumn(reader, "label");
    const int cTime = requireColumn(reader, "timestamp");
    const int cNotCold = requireColumn(reader, "not_cold");
    const int cHistory = requireColumn(reader, "history");

    Split split;
    split.name = name;
    split.path = path;
    DelimitedReader::Record record;
    auto flag = [&](int column) -> std::int8_t {
        const std::string_view v = trimAscii(record.fields[column]);
        if (v == "1") return 1;
        if (v == "0") return 0;
        reader.fieldError(record, column, "expected 0 or 1, got " + quoteForMessage(v));
    };
    while (reader.next(record)) {
        InteractionRow row;
        if (!parseId(trimAscii(record.fields[cUid]), row.uid))
            reader.fieldError(record, cUid, "expected a non-negative integer id, got " + quoteForMessage(record.fields[cUid]));
        if (!parseId(trimAscii(record.fields[cIid]), row.iid))
            reader.fieldError(record, cIid, "expected a non-negative integer id, got " + quoteForMessage(record.fields[cIid]));
        if (catalog && !catalog->has(row.iid))
            reader.fieldError(record, cIid, fmt::format("unknown item {} (not in the item catalog)", row.iid));
        row.label = flag(cLabel);
        row.notCold = flag(cNotCold) != 0;
        const auto time = parseInt64(record.fields[cTime]);
        if (!time) reader.fieldError(record, cTime, "expected Unix seconds, got " + quoteForMessage(record.fields[cTime]));
        row.timestamp = *time;

        row.historyOffset = static_cast<std::uint32_t>(split.historyPool.size());
        const std::string_view history = record.fields[cHistory];
        const char* p = history.data();
        const char* end = p + history.size();
        while (p < end) {
            while (p < end && (*p == ' ' || *p == '\r')) ++p;
            if (p == end) break;
            std::int32_t id = 0;
            auto [next, ec] = std::from_chars(p, end, id);
            if (ec != std::errc() || next == p || id < 0 || (next < end && *next != ' ' && *next != '\r'))
                reader.fieldError(record, cHistory,
                                  "expected space-separated item ids, got " +
                                      quoteForMessage(std::string_view(p, std::min<std::ptrdiff_t>(end - p, 20))));
            if (catalog && checkHistories && !catalog->has(id))
                reader.fieldError(record, cHistory, fmt::format("unknown item {} (not in the item catalog)", id));
            split.historyPool.push_back(id);
            p = next;
        }
        if (split.historyPool.size() >= UINT32_MAX) failInput("{}: histories too long", path);
        row.historyLength = static_cast<std::uint32_t>(split.historyPool.size()) - row.historyOffset;
        split.rows.push_back(row);
    }
    return split;
}

ItemCatalog loadItemCatalog(const std::string& path) {
    DelimitedFormat format;
    format.delimiter = "\t";
    DelimitedReader reader(path, format);
    const int cIid = requireColumn(reader, "iid");
    const int cTitle = requireColumn(reader, "title");
    int cGenres = -1;
    for (std::size_t i = 0; i < reader.header().size(); ++i)
        if (reader.header()[i] == "genres") cGenres = static_cast<int>(i);

    // Ids index a vector: read them first and refuse sparse ids that would need a huge one.
    struct Entry {
        std::int32_t iid;
        std::string title, genres;
    };
    std::vector<Entry> entries;
    std::int32_t maxId = 0;
    DelimitedReader::Record record;
    while (reader.next(record)) {
        Entry e;
        if (!parseId(trimAscii(record.fields[cIid]), e.iid))
            reader.fieldError(record, cIid, "expected a non-negative integer id, got " + quoteForMessage(record.fields[cIid]));
        e.title = std::string(trimAscii(record.fields[cTitle]));
        if (cGenres >= 0) e.genres = std::string(trimAscii(record.fields[cGenres]));
        maxId = std::max(maxId, e.iid);
        entries.push_back(std::move(e));
    }
    if (entries.empty()) failInput("{}: no items", path);
    const std::size_t limit = std::max<std::size_t>(4 * entries.size(), entries.size() + (1u << 20));
    if (static_cast<std::size_t>(maxId) > limit)
        failInput("{}: item ids are not dense (max id {} for {} items); `graphlora data prepare` remaps ids "
                  "to 1..N",
                  path, maxId, entries.size());
    ItemCatalog out;
    for (auto& e : entries) {
        if (out.has(e.iid)) failInput("{}: item {} is listed twice", path, e.iid);
        out.set(e.iid, std::move(e.title), std::move(e.genres));
    }
    return out;
}

SplitDataset SplitDataset::load(const std::string& dir, const SplitLoadOptions& options) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir)) failInput("{}: not a directory (a prepared split was expected)", dir);
    for (const char* required : {"train.tsv", "valid.tsv", "test.tsv", "items.tsv"})
        if (!fs::exists(fs::path(dir) / required))
            failInput("{}: missing {} (a split directory holds train.tsv, valid.tsv, test.tsv, items.tsv)", dir,
                      required);
    SplitDataset d;
    d.dir = dir;
    auto file = [&](const char* name) { return (fs::path(dir) / name).string(); };
    d.items = loadItemCatalog(file("items.tsv"));
    const bool checkHistories = options.checkHistories;
    d.train = loadSplitFile(file("train.tsv"), "train", &d.items, checkHistories);
    d.valid = loadSplitFile(file("valid.tsv"), "valid", &d.items, checkHistories);
    d.test = loadSplitFile(file("test.tsv"), "test", &d.items, checkHistories);
    if (options.validSmall && fs::exists(file("valid_small.tsv")))
        d.validSmall = loadSplitFile(file("valid_small.tsv"), "valid_small", &d.items, checkHistories);
    for (const Split* split : {&d.train, &d.valid, &d.test})
        if (split->empty()) failInput("{}: no rows", split->path);
    return d;
}

const Split& SplitDataset::split(const std::string& name) const {
    if (name == "train") return train;
    if (name == "valid") return valid;
    if (name == "test") return test;
    if (name == "valid_small") {
        if (!hasValidSmall()) failInput("{}: no valid_small.tsv", dir);
        return validSmall;
    }
    failInput("unknown split '{}' (choices: train, valid, test, valid_small)", name);
}

NodeIndex SplitDataset::nodeIndex() const {
    std::int32_t maxUser = 0, maxItem = items.maxId();
    for (const Split* split : {&train, &valid, &test, &validSmall}) {
        for (const auto& row : split->rows) {
            maxUser = std::max(maxUser, row.uid);
            maxItem = std::max(maxItem, row.iid);
        }
        for (std::int32_t h : split->historyPool) maxItem = std::max(maxItem, h);
    }
    NodeIndex index;
    index.numUsers = std::int64_t(maxUser) + 1;
    index.numItems = std::int64_t(maxItem) + 1;
    return index;
}

}  // namespace glr::data
