#pragma once
// Reading the raw files of a prepare spec (internal to core/data: prepare.cpp and the preview).
// Keys are interned, every row is checked, and the interactions are kept as columns.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/delimited.h"
#include "data/prepare_spec.h"

namespace glr::data::raw {

// Interns raw user / item keys. Keys made of digits are numbers ("007" and "7" are the same
// key); small numbers index a vector directly (the MovieLens case, no hashing), the rest go
// through a hash map with a reused lookup string (no allocation per row).
class KeyIndex {
public:
    std::int32_t find(std::string_view key) const;  // -1 when absent
    std::int32_t insert(std::string_view key);      // existing or new index
    std::size_t size() const { return keys_.size(); }
    std::string keyText(std::int32_t index) const;
    // Rank of every key: numbers ascending, then text keys in byte order.
    std::vector<std::int32_t> ranks() const;

private:
    struct Key {
        bool numeric;
        std::int64_t number;
        std::string text;
    };
    static bool asNumber(std::string_view key, std::int64_t& number);
    std::int32_t add(bool numeric, std::int64_t number, std::string text);

    std::vector<std::int32_t> direct_;
    std::unordered_map<std::string, std::int32_t> text_;
    std::vector<Key> keys_;
    mutable std::string lookup_;
};

struct CatalogEntry {
    std::string title, genres;
    std::int64_t line = 0;
};

struct Catalog {
    KeyIndex keys;
    std::vector<CatalogEntry> entries;  // by key index
    bool hasGenres = false;
};

// Columns of the raw interactions, structure of arrays.
struct Interactions {
    std::vector<std::int32_t> user;  // KeyIndex index
    std::vector<std::int32_t> item;  // catalog index
    std::vector<std::int64_t> time;
    std::vector<std::int8_t> label;
    KeyIndex users;
};

// Reports (fraction of the whole prepare, message); may throw Cancelled.
using RawProgress = std::function<void(double, const std::string&)>;

Catalog readCatalog(const ItemsSpec& spec, const RawProgress& progress);
Interactions readInteractions(const InteractionsSpec& spec, const Catalog& catalog, double ratingAtLeast,
                              const std::string& itemsPath, const RawProgress& progress);

// Title text safe for a TSV cell.
std::string cleanCell(std::string_view text);

}  // namespace glr::data::raw
