// Byte-level BPE as HF `tokenizers` runs it: split the text on added tokens, pre-tokenise each
// remaining segment, map every byte of a pre-token to its GPT-2 printable character (one initial
// symbol per byte), then merge by rank (lowest first, leftmost on ties — HF's heap order).
// Decoding maps characters back to bytes. Everything is built at load time and read-only after.
#include "tokenizer/bytelevel_bpe.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/formats.h"
#include "util/error.h"

namespace glr::tok {

namespace {

constexpr int kMaxVocab = 1 << 24;

bool isAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

class ByteLevelBpe final : public Tokenizer {
public:
    explicit ByteLevelBpe(ByteLevelBpeSpec spec) : spec_(std::move(spec)) { build(); }

    std::vector<int> encode(std::string_view text, bool addBos) const override {
        std::vector<int> ids;
        ids.reserve(text.size() / 3 + 2);
        if (addBos && bosId_ >= 0) ids.push_back(bosId_);
        std::size_t segmentStart = 0;
        for (std::size_t i = 0; i < text.size();) {
            const AddedToken* match = addedAt(text, i);
            if (!match) {
                ++i;
                continue;
            }
            std::size_t segmentEnd = i;
            if (match->lstrip)
                while (segmentEnd > segmentStart && isAsciiSpace(text[segmentEnd - 1])) --segmentEnd;
            encodeSegment(text.substr(segmentStart, segmentEnd - segmentStart), ids);
            ids.push_back(match->id);
            i += match->content.size();
            if (match->rstrip)
                while (i < text.size() && isAsciiSpace(text[i])) ++i;
            segmentStart = i;
        }
        encodeSegment(text.substr(segmentStart), ids);
        return ids;
    }

    std::string decode(const std::vector<int>& ids) const override {
        std::string out;
        thread_local std::vector<Utf8Char> chars;
        for (int id : ids) {
            checkId(id);
            if (special_[id]) continue;
            const std::string& p = pieces_[id];
            // HF's ByteLevel decoder: a token whose characters all map back to bytes gives those
            // bytes, any other token (e.g. an added one with non-ASCII text) its own UTF-8.
            decodeUtf8(p, chars);
            std::size_t before = out.size();
            bool mapped = true;
            for (const Utf8Char& c : chars) {
                int byte = c.length > 1 || c.codepoint < 0x80 ? unicodeToByte(c.codepoint) : -1;
                if (byte < 0) {
                    mapped = false;
                    break;
                }
                out += char(byte);
            }
            if (!mapped) out.replace(before, std::string::npos, p);
        }
        return out;
    }

    std::string piece(int id) const override {
        checkId(id);
        return pieces_[id];
    }
    int vocabSize() const override { return int(pieces_.size()); }
    int bosId() const override { return bosId_; }
    int eosId() const override { return eosId_; }
    std::string kind() const override { return spec_.kind; }

private:
    void build() {
        const std::string& src = spec_.source;
        int maxId = -1;
        for (const auto& [token, id] : spec_.vocab) {
            if (id < 0 || id >= kMaxVocab) failInput("{}: vocab entry \"{}\" has id {} (expected 0..{})", src, token, id, kMaxVocab - 1);
            maxId = std::max(maxId, id);
        }
        for (const auto& a : spec_.added) {
            if (a.id < 0 || a.id >= kMaxVocab)
                failInput("{}: added token \"{}\" has id {} (expected 0..{})", src, a.content, a.id, kMaxVocab - 1);
            if (a.content.empty()) failInput("{}: added token {} has empty content", src, a.id);
            maxId = std::max(maxId, a.id);
        }
        if (maxId < 0) failInput("{}: the vocabulary is empty", src);
        pieces_.assign(std::size_t(maxId) + 1, std::string());
        special_.assign(pieces_.size(), 0);
        index_.reserve(spec_.vocab.size() * 2);
        for (const auto& [token, id] : spec_.vocab) {
            pieces_[id] = token;
            index_.emplace(token, id);
        }
        for (const auto& a : spec_.added) {
            pieces_[a.id] = a.content;
            index_.emplace(a.content, a.id);
            special_[a.id] = a.special;
            addedByFirstByte_[static_cast<unsigned char>(a.content[0])].push_back(&a);
        }
        for (auto& bucket : addedByFirstByte_)
            std::stable_sort(bucket.begin(), bucket.end(),
                             [](const AddedToken* x, const AddedToken* y) { return x->content.size() > y->content.size(); });
        for (int b = 0; b < 256; ++b) byteIds_[b] = find(byteToUnicode()[b]);
        unkId_ = spec_.unkToken.empty() ? -1 : find(spec_.unkToken);
        if (!spec_.unkToken.empty() && unkId_ < 0) failInput("{}: unk_token \"{}\" is not in the vocabulary", src, spec_.unkToken);
        bosId_ = specialId(spec_.bosToken, "BOS");
        eosId_ = specialId(spec_.eosToken, "EOS");
        if (bosId_ >= 0) special_[bosId_] = 1;
        if (eosId_ >= 0) special_[eosId_] = 1;

        std::string joined;
        for (std::size_t rank = 0; rank < spec_.merges.size(); ++rank) {
            const auto& [left, right] = spec_.merges[rank];
            joined = left + right;
            int l = find(left), r = find(right), m = find(joined);
            if (l < 0 || r < 0 || m < 0)
                failInput("{}: merges[{}] \"{} {}\": \"{}\" is not in the vocabulary", src, rank, left, right,
                          l < 0 ? left : r < 0 ? right : joined);
            merges_.insert(l, r, {m, float(rank)});
        }
        spec_.vocab.clear();
        spec_.vocab.shrink_to_fit();
        spec_.merges.clear();
        spec_.merges.shrink_to_fit();
    }

    int specialId(const std::string& token, const char* what) const {
        if (token.empty()) return -1;
        int id = find(token);
        if (id < 0) failInput("{}: {} token \"{}\" is not in the vocabulary", spec_.source, what, token);
        return id;
    }

    int find(const std::string& token) const {
        auto it = index_.find(token);
        return it == index_.end() ? -1 : it->second;
    }

    const AddedToken* addedAt(std::string_view text, std::size_t i) const {
        for (const AddedToken* a : addedByFirstByte_[static_cast<unsigned char>(text[i])])
            if (text.compare(i, a->content.size(), a->content) == 0) return a;
        return nullptr;
    }

    void encodeSegment(std::string_view segment, std::vector<int>& ids) const {
        if (segment.empty()) return;
        thread_local std::string buffer, rebuilt;
        thread_local Ranges pieces, split;
        buffer.assign(segment);
        pieces.assign(1, {0, buffer.size()});
        for (const PretokenizeStep& step : spec_.steps) {
            split.clear();
            switch (step.kind) {
                case PretokenizeStep::Kind::PrefixSpace:
                    rebuilt.clear();
                    for (auto [b, e] : pieces) {
                        std::size_t start = rebuilt.size();
                        if (buffer[b] != ' ') rebuilt += ' ';
                        rebuilt.append(buffer, b, e - b);
                        split.emplace_back(start, rebuilt.size());
                    }
                    buffer.swap(rebuilt);
                    break;
                case PretokenizeStep::Kind::Split:
                    for (auto [b, e] : pieces) splitPretokens(buffer, b, e, step.pattern, split);
                    break;
                case PretokenizeStep::Kind::Digits:
                    for (auto [b, e] : pieces) splitDigits(buffer, b, e, step.individualDigits, split);
                    break;
            }
            pieces.swap(split);
        }
        for (auto [b, e] : pieces) encodeWord(std::string_view(buffer).substr(b, e - b), ids);
    }

    static void splitDigits(std::string_view text, std::size_t b, std::size_t e, bool individual, Ranges& out) {
        for (std::size_t i = b; i < e;) {
            std::size_t j = i + 1;
            if (isAsciiDigit(text[i])) {
                if (!individual)
                    while (j < e && isAsciiDigit(text[j])) ++j;
            } else {
                while (j < e && !isAsciiDigit(text[j])) ++j;
            }
            out.emplace_back(i, j);
            i = j;
        }
    }

    void encodeWord(std::string_view word, std::vector<int>& ids) const {
        if (spec_.ignoreMerges) {
            std::string mapped;
            for (unsigned char c : word) mapped += byteToUnicode()[c];
            if (int id = find(mapped); id >= 0) {
                ids.push_back(id);
                return;
            }
        }
        thread_local std::vector<int> symbols;
        symbols.clear();
        for (unsigned char c : word) {
            int id = byteIds_[c];
            if (id < 0) {
                if (unkId_ < 0 || (spec_.fuseUnk && !symbols.empty() && symbols.back() == unkId_)) continue;
                id = unkId_;
            }
            symbols.push_back(id);
        }
        applyMerges(symbols, merges_);
        ids.insert(ids.end(), symbols.begin(), symbols.end());
    }

    void checkId(int id) const {
        if (id < 0 || id >= int(pieces_.size())) failTokenId(spec_.kind, id, int(pieces_.size()));
    }

    ByteLevelBpeSpec spec_;
    std::vector<std::string> pieces_;  // id -> token text ("" where the vocabulary has a gap)
    std::vector<char> special_;        // dropped by decode()
    std::unordered_map<std::string, int> index_;
    std::array<std::vector<const AddedToken*>, 256> addedByFirstByte_;  // longest first
    std::array<int, 256> byteIds_{};
    PairTable merges_;
    int unkId_ = -1, bosId_ = -1, eosId_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> makeByteLevelBpe(ByteLevelBpeSpec spec) {
    return std::make_unique<ByteLevelBpe>(std::move(spec));
}

}  // namespace glr::tok
