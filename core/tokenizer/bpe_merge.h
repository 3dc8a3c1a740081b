#pragma once
// The merge loop shared by the llama2.c and the HF byte-level BPE tokenizers: both repeatedly
// merge the adjacent pair with the best priority (llama2.c: highest score of the merged piece;
// HF: lowest merge rank), the leftmost one on ties. A heap of candidate pairs over a linked list
// of symbols does that in O(n log n) instead of the reference's O(n²) rescans, with the same
// result: every current pair is in the heap, stale entries are skipped when popped, and ties on
// priority are broken by position. Internal to the tokenizer module.
#include <cstdint>
#include <vector>

namespace glr::tok {

struct PairMerge {
    int merged = -1;       // id of the merged piece
    float priority = 0;    // lower merges first
};

// Open-addressing hash map (id, id) -> PairMerge: the merge loop's only lookup, so it is kept
// flat and branch-light. Built once, then read-only (safe to share between threads).
class PairTable {
public:
    // Keeps the first entry given for a pair.
    void insert(int left, int right, PairMerge merge);
    const PairMerge* find(int left, int right) const {
        if (slots_.empty()) return nullptr;
        const std::uint64_t key = pack(left, right);
        for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.key == key) return &s.merge;
            if (s.key == kEmpty) return nullptr;
        }
    }
    std::size_t size() const { return count_; }

private:
    struct Slot {
        std::uint64_t key;
        PairMerge merge;
    };
    static constexpr std::uint64_t kEmpty = ~std::uint64_t(0);
    static std::uint64_t pack(int l, int r) { return (std::uint64_t(std::uint32_t(l)) << 32) | std::uint32_t(r); }
    static std::size_t hash(std::uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return std::size_t(k);
    }
    void grow();
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t count_ = 0;
};

// Merges `ids` in place (ids must be >= 0) until no adjacent pair is in `table`.
void applyMerges(std::vector<int>& ids, const PairTable& table);

}  // namespace glr::tok
