#pragma once
// A prepared split directory (the format of shared/data/ml1m-collm and of `data prepare`):
//
//   train.tsv, valid.tsv, test.tsv, [valid_small.tsv]
//       header: uid  iid  label  timestamp  not_cold  history     (tab-separated)
//       history = the user's earlier positive item ids, space-separated, oldest first ("" if none)
//   items.tsv
//       header: iid  title  [further columns, e.g. genres]
//
// Ids are non-negative integers (prepare writes dense 1..N). Node ids for graphs and anchors follow
// SPEC §3 "users [0, U) then items U + iid" with U = max uid + 1 and I = max iid + 1 over every
// split and the catalog, so id 0 of each range is an unused, isolated node and raw ids index the
// MF tables directly (E_u has U rows, E_i has I rows).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace glr::data {

// A read-only view of contiguous ids (C++17 has no std::span).
struct IdSpan {
    const std::int32_t* ptr = nullptr;
    std::size_t count = 0;
    const std::int32_t* begin() const { return ptr; }
    const std::int32_t* end() const { return ptr + count; }
    std::size_t size() const { return count; }
    bool empty() const { return count == 0; }
    std::int32_t operator[](std::size_t i) const { return ptr[i]; }
};

struct InteractionRow {
    std::int32_t uid = 0;
    std::int32_t iid = 0;
    std::int64_t timestamp = 0;
    std::uint32_t historyOffset = 0;  // into Split::historyPool
    std::uint32_t historyLength = 0;
    std::int8_t label = 0;  // 0 or 1
    bool notCold = false;   // user and item both in train
};

struct Split {
    std::string name;  // "train", "valid", "test", "valid_small"
    std::string path;  // file it was read from ("" when built in memory)
    std::vector<InteractionRow> rows;
    std::vector<std::int32_t> historyPool;

    std::size_t size() const { return rows.size(); }
    bool empty() const { return rows.empty(); }
    IdSpan history(std::size_t row) const {
        const auto& r = rows[row];
        return {historyPool.data() + r.historyOffset, r.historyLength};
    }
    // Appends a row (history copied into the pool); for tests and generated data.
    void add(InteractionRow row, const std::vector<std::int32_t>& history);
};

class ItemCatalog {
public:
    bool has(std::int32_t iid) const;
    const std::string& title(std::int32_t iid) const;  // throws Error when unknown
    const std::string& genres(std::int32_t iid) const;  // "" when absent
    std::int32_t maxId() const { return static_cast<std::int32_t>(titles_.size()) - 1; }
    std::size_t count() const { return count_; }
    // Adds or replaces an item (id >= 0).
    void set(std::int32_t iid, std::string title, std::string genres = {});

private:
    std::vector<std::string> titles_{std::string()};  // index = iid; slot 0 unused
    std::vector<std::string> genres_{std::string()};
    std::vector<std::uint8_t> present_{0};
    std::size_t count_ = 0;
};

// Node numbering shared by the graph, the anchors and the MF tables (see the top of this file).
struct NodeIndex {
    std::int64_t numUsers = 1;  // U = max uid + 1
    std::int64_t numItems = 1;  // I = max iid + 1
    std::int64_t userNode(std::int32_t uid) const { return uid; }
    std::int64_t itemNode(std::int32_t iid) const { return numUsers + iid; }
    std::int64_t numNodes() const { return numUsers + numItems; }
    bool isUserNode(std::int64_t node) const { return node < numUsers; }
};

struct SplitLoadOptions {
    bool validSmall = true;      // read valid_small.tsv when present
    bool checkHistories = true;  // every history id must be in the catalog
};

class SplitDataset {
public:
    // Reads a split directory; InputError "FILE:LINE: field 'NAME': ..." on any malformed row,
    // an unknown item, or a missing file.
    static SplitDataset load(const std::string& dir, const SplitLoadOptions& options = {});

    std::string dir;
    Split train, valid, test, validSmall;  // validSmall empty when the file is absent
    ItemCatalog items;

    bool hasValidSmall() const { return !validSmall.empty(); }
    // "train", "valid", "test", "valid_small"; throws InputError naming the choices otherwise.
    const Split& split(const std::string& name) const;
    NodeIndex nodeIndex() const;
};

// Reads one split file (header checked by name; extra columns ignored). With a catalog, every
// iid (and, with checkHistories, every history id) must be in it.
Split loadSplitFile(const std::string& path, const std::string& name, const ItemCatalog* catalog = nullptr,
                    bool checkHistories = true);
ItemCatalog loadItemCatalog(const std::string& path);

}  // namespace glr::data
