// Reading the raw files of a prepare spec; see raw_input.h.
#include "data/raw_input.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include <fmt/format.h>

#include "data/prepare.h"
#include "data/text.h"
#include "util/error.h"

namespace glr::data::raw {

namespace {
constexpr std::int64_t kDirectLimit = 1 << 22;  // 16 MiB of direct slots at most
}  // namespace

bool KeyIndex::asNumber(std::string_view key, std::int64_t& number) {
    if (key.empty() || key.size() > 18) return false;
    number = 0;
    for (char c : key) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + (c - '0');
    }
    return true;
}

std::int32_t KeyIndex::add(bool numeric, std::int64_t number, std::string text) {
    if (keys_.size() >= static_cast<std::size_t>(INT32_MAX)) fail("too many distinct keys");
    keys_.push_back({numeric, number, std::move(text)});
    return static_cast<std::int32_t>(keys_.size() - 1);
}

std::int32_t KeyIndex::find(std::string_view key) const {
    std::int64_t number;
    if (asNumber(key, number)) {
        if (number < kDirectLimit) return number < static_cast<std::int64_t>(direct_.size()) ? direct_[number] : -1;
        lookup_ = std::to_string(number);
    } else {
        lookup_.assign(key.data(), key.size());
    }
    auto it = text_.find(lookup_);
    return it == text_.end() ? -1 : it->second;
}

std::int32_t KeyIndex::insert(std::string_view key) {
    std::int64_t number = 0;
    const bool numeric = asNumber(key, number);
    if (numeric) {
        if (number < kDirectLimit) {
            if (number >= static_cast<std::int64_t>(direct_.size()))
                direct_.resize(std::max<std::size_t>(number + 1, direct_.size() * 2), -1);
            std::int32_t& slot = direct_[number];
            if (slot < 0) slot = add(true, number, {});
            return slot;
        }
        lookup_ = std::to_string(number);
    } else {
        lookup_.assign(key.data(), key.size());
    }
    auto it = text_.find(lookup_);
    if (it != text_.end()) return it->second;
    const std::int32_t index = add(numeric, number, numeric ? std::string() : lookup_);
    text_.emplace(lookup_, index);
    return index;
}

std::string KeyIndex::keyText(std::int32_t index) const {
    const Key& k = keys_[index];
    return k.numeric ? std::to_string(k.number) : k.text;
}

std::vector<std::int32_t> KeyIndex::ranks() const {
    std::vector<std::int32_t> order(keys_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        const Key& x = keys_[a];
        const Key& y = keys_[b];
        if (x.numeric != y.numeric) return x.numeric;
        if (x.numeric) return x.number < y.number;
        return x.text < y.text;
    });
    std::vector<std::int32_t> rank(keys_.size());
    for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<std::int32_t>(r);
    return rank;
}

std::string cleanCell(std::string_view text) {
    std::string out(trimAscii(text));
    for (char& c : out)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
}

namespace {

struct ItemColumns {
    int item, title, genres, year;
};

ItemColumns resolveItemColumns(const DelimitedReader& reader, const ItemsSpec& spec) {
    ItemColumns c;
    c.item = reader.resolve(spec.item, "items.columns.item");
    c.title = reader.resolve(spec.title, "items.columns.title");
    c.genres = spec.genres.given() ? reader.resolve(spec.genres, "items.columns.genres") : -1;
    c.year = spec.year.given() ? reader.resolve(spec.year, "items.columns.year") : -1;
    return c;
}

std::string itemTitle(const DelimitedReader& reader, const DelimitedReader::Record& record, const ItemColumns& c) {
    std::string title = cleanCell(record.fields[c.title]);
    if (title.empty()) reader.fieldError(record, c.title, "empty title");
    if (c.year >= 0) {
        const std::string_view year = trimAscii(record.fields[c.year]);
        if (!year.empty() && year != "NA" && year != "NaN") {
            if (!parseInt64(year)) reader.fieldError(record, c.year, "expected a year, got " + quoteForMessage(year));
            title += fmt::format(" ({})", year);
        }
    }
    return title;
}

}  // namespace

Catalog readCatalog(const ItemsSpec& spec, const RawProgress& progress) {
    Catalog catalog;
    DelimitedReader reader(spec.path, spec.format);
    const ItemColumns c = resolveItemColumns(reader, spec);
    catalog.hasGenres = c.genres >= 0;
    DelimitedReader::Record record;
    std::int64_t n = 0;
    while (reader.next(record)) {
        const std::string_view key = trimAscii(record.fields[c.item]);
        if (key.empty()) reader.fieldError(record, c.item, "empty item id");
        const std::int32_t index = catalog.keys.insert(key);
        if (static_cast<std::size_t>(index) < catalog.entries.size())
            reader.fieldError(record, c.item,
                              fmt::format("duplicate item {} (first defined on line {})", quoteForMessage(key),
                                          catalog.entries[index].line));
        CatalogEntry entry;
        entry.title = itemTitle(reader, record, c);
        if (c.genres >= 0) entry.genres = cleanCell(record.fields[c.genres]);
        entry.line = record.line;
        catalog.entries.push_back(std::move(entry));
        if ((++n & 0x3FFF) == 0) progress(0.05 * reader.progress(), "reading items");
    }
    if (catalog.entries.empty()) failInput("{}: no items", spec.path);
    return catalog;
}

Interactions readInteractions(const InteractionsSpec& spec, const Catalog& catalog, double ratingAtLeast,
                              const std::string& itemsPath, const RawProgress& progress) {
    Interactions data;
    DelimitedReader reader(spec.path, spec.format);
    const int cu = reader.resolve(spec.user, "interactions.columns.user");
    const int ci = reader.resolve(spec.item, "interactions.columns.item");
    const int cr = reader.resolve(spec.rating, "interactions.columns.rating");
    const int ct = reader.resolve(spec.timestamp, "interactions.columns.timestamp");
    // A guess from the file size keeps the vectors from reallocating (about 20 bytes a row).
    const std::size_t guess = std::min<std::size_t>(std::filesystem::file_size(spec.path) / 16 + 16, 200'000'000);
    data.user.reserve(guess);
    data.item.reserve(guess);
    data.time.reserve(guess);
    data.label.reserve(guess);
    DelimitedReader::Record record;
    std::int64_t n = 0;
    while (reader.next(record)) {
        const std::string_view userKey = trimAscii(record.fields[cu]);
        if (userKey.empty()) reader.fieldError(record, cu, "empty user id");
        const std::string_view itemKey = trimAscii(record.fields[ci]);
        const std::int32_t item = catalog.keys.find(itemKey);
        if (item < 0)
            reader.fieldError(record, ci,
                              fmt::format("unknown item {}: not in the items file {}", quoteForMessage(itemKey), itemsPath));
        const auto rating = parseDouble(record.fields[cr]);
        if (!rating) reader.fieldError(record, cr, "expected a number, got " + quoteForMessage(record.fields[cr]));
        const auto time = parseTimestamp(record.fields[ct]);
        if (!time)
            reader.fieldError(record, ct,
                              "bad date " + quoteForMessage(record.fields[ct]) +
                                  " (expected Unix seconds or YYYY-MM-DD[ HH:MM:SS])");
        data.user.push_back(data.users.insert(userKey));
        data.item.push_back(item);
        data.time.push_back(*time);
        data.label.push_back(*rating >= ratingAtLeast ? 1 : 0);
        if ((++n & 0xFFFF) == 0) progress(0.05 + 0.45 * reader.progress(), "reading interactions");
    }
    if (data.user.empty()) failInput("{}: no interactions", spec.path);
    return data;
}

}  // namespace glr::data::raw

namespace glr::data {

std::vector<PreviewTable> previewSpec(const PrepareSpec& spec, int rows) {
    std::vector<PreviewTable> tables;
    DelimitedReader::Record record;
    {
        DelimitedReader reader(spec.interactions.path, spec.interactions.format);
        const int cu = reader.resolve(spec.interactions.user, "interactions.columns.user");
        const int ci = reader.resolve(spec.interactions.item, "interactions.columns.item");
        const int cr = reader.resolve(spec.interactions.rating, "interactions.columns.rating");
        const int ct = reader.resolve(spec.interactions.timestamp, "interactions.columns.timestamp");
        PreviewTable table;
        table.title = "interactions: " + spec.interactions.path;
        table.columns = {"line", "user", "item", "rating", "label", "timestamp", "date (UTC)"};
        for (int k = 0; k < rows && reader.next(record); ++k) {
            const auto rating = parseDouble(record.fields[cr]);
            if (!rating) reader.fieldError(record, cr, "expected a number, got " + quoteForMessage(record.fields[cr]));
            const auto time = parseTimestamp(record.fields[ct]);
            if (!time)
                reader.fieldError(record, ct, "bad date " + quoteForMessage(record.fields[ct]) +
                                                  " (expected Unix seconds or YYYY-MM-DD[ HH:MM:SS])");
            table.rows.push_back({std::to_string(record.line), std::string(trimAscii(record.fields[cu])),
                                  std::string(trimAscii(record.fields[ci])), fmt::format("{}", *rating),
                                  *rating >= spec.ratingAtLeast ? "1" : "0", std::to_string(*time),
                                  formatUtcDateTime(*time)});
        }
        tables.push_back(std::move(table));
    }
    {
        DelimitedReader reader(spec.items.path, spec.items.format);
        const raw::ItemColumns c = raw::resolveItemColumns(reader, spec.items);
        PreviewTable table;
        table.title = "items: " + spec.items.path;
        table.columns = {"line", "item", "title"};
        if (c.genres >= 0) table.columns.push_back("genres");
        for (int k = 0; k < rows && reader.next(record); ++k) {
            std::vector<std::string> row{std::to_string(record.line), std::string(trimAscii(record.fields[c.item])),
                                         raw::itemTitle(reader, record, c)};
            if (c.genres >= 0) row.push_back(raw::cleanCell(record.fields[c.genres]));
            table.rows.push_back(std::move(row));
        }
        tables.push_back(std::move(table));
    }
    return tables;
}

}  // namespace glr::data
