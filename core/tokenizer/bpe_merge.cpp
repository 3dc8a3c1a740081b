#include "tokenizer/bpe_merge.h"

#include <algorithm>

namespace glr::tok {

void PairTable::insert(int left, int right, PairMerge merge) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const std::uint64_t key = pack(left, right);
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.key == key) return;
        if (s.key == kEmpty) {
            s = {key, merge};
            ++count_;
            return;
        }
    }
}

void PairTable::grow() {
    std::vector<Slot> old = std::move(slots_);
    std::size_t capacity = old.empty() ? 64 : old.size() * 2;
    slots_.assign(capacity, Slot{kEmpty, {}});
    mask_ = capacity - 1;
    count_ = 0;
    for (const Slot& s : old)
        if (s.key != kEmpty) insert(int(s.key >> 32), int(s.key & 0xffffffffu), s.merge);
}

namespace {

struct Candidate {
    float priority;
    int pos;     // position of the left symbol in the original sequence
    int left;    // ids the pair had when queued: a mismatch on pop means the entry is stale
    int right;
    int merged;
};

// std::*_heap keep the largest element on top; "largest" here is the best merge.
struct WorseCandidate {
    bool operator()(const Candidate& a, const Candidate& b) const {
        if (a.priority != b.priority) return a.priority > b.priority;
        return a.pos > b.pos;
    }
};

}  // namespace

void applyMerges(std::vector<int>& ids, const PairTable& table) {
    const int n = int(ids.size());
    if (n < 2 || table.size() == 0) return;
    // Scratch reused across calls on the same thread: encode() is called thousands of times.
    thread_local std::vector<int> next, prev;
    thread_local std::vector<Candidate> heap;
    next.resize(n);
    prev.resize(n);
    heap.clear();
    for (int i = 0; i < n; ++i) {
        next[i] = i + 1;
        prev[i] = i - 1;
    }
    const WorseCandidate worse;
    auto push = [&](int pos, int right) {
        if (const PairMerge* m = table.find(ids[pos], ids[right])) {
            heap.push_back({m->priority, pos, ids[pos], ids[right], m->merged});
            std::push_heap(heap.begin(), heap.end(), worse);
        }
    };
    for (int i = 0; i + 1 < n; ++i) {
        if (const PairMerge* m = table.find(ids[i], ids[i + 1])) heap.push_back({m->priority, i, ids[i], ids[i + 1], m->merged});
    }
    std::make_heap(heap.begin(), heap.end(), worse);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), worse);
        const Candidate top = heap.back();
        heap.pop_back();
        if (ids[top.pos] != top.left) continue;  // left symbol merged away or changed
        const int right = next[top.pos];
        if (right >= n || ids[right] != top.right) continue;
        ids[top.pos] = top.merged;
        ids[right] = -1;
        next[top.pos] = next[right];
        if (next[right] < n) prev[next[right]] = top.pos;
        if (prev[top.pos] >= 0) push(prev[top.pos], top.pos);
        if (next[top.pos] < n) push(top.pos, next[top.pos]);
    }
    ids.erase(std::remove(ids.begin(), ids.end(), -1), ids.end());
}

}  // namespace glr::tok
