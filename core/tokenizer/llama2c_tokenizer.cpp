// llama2.c `tokenizer.bin`: the export of a SentencePiece BPE model (▁ written as ' ', BOS/EOS as
// "\n<s>\n"/"\n</s>\n", byte pieces kept as the text "<0xXX>") and encoded the way run.c does.
// run.c looks every candidate merge up by string and rescans the whole sequence per merge; here
// each (left id, right id) -> merged id is precomputed once from the vocabulary (a pair can only
// merge if some piece is exactly left+right), which gives the same merges with one hash probe.
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/formats.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"
#include "util/files.h"

namespace glr {

namespace {

constexpr int kBos = 1;
constexpr int kEos = 2;
constexpr int kByteOffset = 3;                   // <0x00> is id 3 in SentencePiece byte-fallback vocabs
constexpr float kNoMergeScore = -1e10f;          // run.c's initial best score: lower never merges
constexpr std::int32_t kMaxTokenLength = 1 << 16;
constexpr std::uintmax_t kMaxFileBytes = 512ull << 20;

std::int32_t readI32(const std::string& bytes, std::size_t offset) {
    std::int32_t v;
    std::memcpy(&v, bytes.data() + offset, 4);
    return v;
}

float readF32(const std::string& bytes, std::size_t offset) {
    float v;
    std::memcpy(&v, bytes.data() + offset, 4);
    return v;
}

// "<0xAB>" -> 0xAB, else -1 (run.c's sscanf("<0x%02hhX>")).
int parseBytePiece(std::string_view piece) {
    if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
    auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    int hi = hex(piece[3]), lo = hex(piece[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

class Llama2cTokenizer final : public Tokenizer {
public:
    Llama2cTokenizer(const std::string& path, int vocabSize) {
        load(path, vocabSize);
        buildIndex();
    }
    Llama2cTokenizer(const Llama2cTokenizer&) = delete;
    Llama2cTokenizer& operator=(const Llama2cTokenizer&) = delete;

    std::vector<int> encode(std::string_view text, bool addBos) const override {
        std::vector<int> ids;
        ids.reserve(text.size() + 2);
        if (addBos) ids.push_back(kBos);
        if (!text.empty() && spaceId_ >= 0) ids.push_back(spaceId_);
        // One lookup per UTF-8 character (at most 4 bytes, as run.c groups them), bytes otherwise.
        const auto* s = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t n = text.size();
        std::size_t start = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if ((s[k] & 0xC0) != 0x80) start = k;
            std::size_t len = k + 1 - start;
            if (k + 1 < n && (s[k + 1] & 0xC0) == 0x80 && len < 4) continue;
            int id = len == 1 ? singleByte_[s[start]] : find(text.substr(start, len));
            if (id >= 0) {
                ids.push_back(id);
            } else {
                for (std::size_t b = start; b <= k; ++b) ids.push_back(byteId(s[b], b));
            }
            start = k + 1;
        }
        tok::applyMerges(ids, merges_);
        return ids;
    }

    std::string decode(const std::vector<int>& ids) const override {
        std::string out;
        int prev = kBos;  // the start of the sequence behaves like the position after BOS
        for (int id : ids) {
            checkId(id);
            if (id == kBos || id == kEos) {
                prev = id;
                continue;
            }
            std::string_view p = keys_[id];
            if (prev == kBos && !p.empty() && p[0] == ' ') p.remove_prefix(1);
            int byte = parseBytePiece(p);
            if (byte >= 0)
                out += char(byte);
            else
                out += p;
            prev = id;
        }
        return out;
    }

    std::string piece(int id) const override {
        checkId(id);
        return pieces_[id];
    }
    int vocabSize() const override { return int(pieces_.size()); }
    int bosId() const override { return pieces_.size() > kBos ? kBos : -1; }
    int eosId() const override { return pieces_.size() > kEos ? kEos : -1; }
    std::string kind() const override { return "llama2c"; }

private:
    void load(const std::string& path, int vocabSize) {
        std::error_code ec;
        auto size = std::filesystem::file_size(path, ec);
        if (ec) failInput("cannot read llama2.c tokenizer {}: {}", path, ec.message());
        if (size > kMaxFileBytes) failInput("{}: {} bytes is too large for a llama2.c tokenizer.bin", path, size);
        const std::string bytes = readFile(path);
        if (bytes.size() < 4) failInput("{}: not a llama2.c tokenizer.bin (shorter than its 4-byte header)", path);
        const std::int32_t maxLen = readI32(bytes, 0);
        if (maxLen <= 0 || maxLen > kMaxTokenLength)
            failInput("{}: not a llama2.c tokenizer.bin (max_token_length {} outside 1..{})", path, maxLen,
                      kMaxTokenLength);
        std::size_t offset = 4;
        while (vocabSize < 0 ? offset < bytes.size() : int(pieces_.size()) < vocabSize) {
            const std::size_t index = pieces_.size();
            if (bytes.size() - offset < 8) {
                if (offset == bytes.size())
                    failInput("{}: holds {} tokens but the checkpoint's vocabulary has {}", path, index, vocabSize);
                failInput("{}: truncated in the header of token {} (byte offset {})", path, index, offset);
            }
            const float score = readF32(bytes, offset);
            const std::int32_t len = readI32(bytes, offset + 4);
            offset += 8;
            if (len < 0 || len > maxLen)
                failInput("{}: token {} has length {} (expected 0..max_token_length {}) at byte offset {}; is this "
                          "a llama2.c tokenizer.bin?",
                          path, index, len, maxLen, offset - 4);
            if (bytes.size() - offset < std::size_t(len))
                failInput("{}: truncated in token {}: {} bytes announced, {} left", path, index, len,
                          bytes.size() - offset);
            pieces_.emplace_back(bytes.data() + offset, std::size_t(len));
            scores_.push_back(score);
            offset += std::size_t(len);
        }
        if (pieces_.empty()) failInput("{}: the llama2.c tokenizer holds no tokens", path);
        path_ = path;
    }

    void buildIndex() {
        // run.c compares C strings, so a piece ends at its first NUL for lookups.
        keys_.reserve(pieces_.size());
        for (const auto& p : pieces_) keys_.emplace_back(p.c_str());
        index_.reserve(pieces_.size() * 2);
        for (int id = 0; id < int(keys_.size()); ++id) index_.emplace(keys_[id], id);  // first id wins
        singleByte_.fill(-1);
        for (int b = 0; b < 256; ++b) {
            const char c = char(b);
            singleByte_[b] = b == 0 ? -1 : find(std::string_view(&c, 1));
        }
        spaceId_ = find(" ");
        for (int merged = 0; merged < int(keys_.size()); ++merged) {
            std::string_view key = keys_[merged];
            if (key.size() < 2 || find(key) != merged || !(scores_[merged] > kNoMergeScore)) continue;
            for (std::size_t cut = 1; cut < key.size(); ++cut) {
                int left = find(key.substr(0, cut)), right = find(key.substr(cut));
                if (left >= 0 && right >= 0) merges_.insert(left, right, {merged, -scores_[merged]});
            }
        }
    }

    int find(std::string_view key) const {
        auto it = index_.find(key);
        return it == index_.end() ? -1 : it->second;
    }

    int byteId(unsigned char byte, std::size_t at) const {
        int id = kByteOffset + byte;
        if (id >= int(pieces_.size()))
            fail("llama2.c tokenizer {}: byte 0x{:02X} at offset {} of the text has no token and the {}-token "
                 "vocabulary has no byte fallback",
                 path_, byte, at, pieces_.size());
        return id;
    }

    void checkId(int id) const {
        if (id < 0 || id >= int(pieces_.size())) tok::failTokenId("llama2c", id, int(pieces_.size()));
    }

    std::string path_;
    std::vector<std::string> pieces_;     // as stored, e.g. " the", "<0x0A>", "\n<s>\n"
    std::vector<float> scores_;
    std::vector<std::string_view> keys_;  // pieces_ up to the first NUL (views into pieces_)
    std::unordered_map<std::string_view, int> index_;
    std::array<int, 256> singleByte_{};
    int spaceId_ = -1;  // the dummy prefix; without one run.c's behaviour is undefined: we skip it
    tok::PairTable merges_;
};

}  // namespace

std::unique_ptr<Tokenizer> loadLlama2cTokenizer(const std::string& path, int vocabSize) {
    if (vocabSize == 0 || vocabSize < -1) failInput("{}: vocabulary size {} requested", path, vocabSize);
    return std::make_unique<Llama2cTokenizer>(path, vocabSize);
}

}  // namespace glr
