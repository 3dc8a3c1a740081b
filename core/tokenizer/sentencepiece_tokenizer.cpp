// SentencePiece `tokenizer.model` through libsentencepiece, so ids are the library's own.
// SentencePieceProcessor's Encode/Decode are const and keep no per-call state: safe to share.
#include <sentencepiece_processor.h>

#include <filesystem>

#include "tokenizer/formats.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::tok {

namespace {

constexpr std::uintmax_t kMaxModelBytes = 512ull << 20;

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(const std::string& path) : path_(path) {
        std::error_code ec;
        auto size = std::filesystem::file_size(path, ec);
        if (ec) failInput("cannot read SentencePiece model {}: {}", path, ec.message());
        if (size > kMaxModelBytes) failInput("{}: {} bytes is too large for a SentencePiece model", path, size);
        const std::string bytes = readFile(path);
        auto status = sp_.LoadFromSerializedProto(bytes);
        if (!status.ok())
            failInput("{}: not a valid SentencePiece model ({})", path, status.ToString());
        if (sp_.GetPieceSize() <= 0) failInput("{}: the SentencePiece model has no pieces", path);
    }

    std::vector<int> encode(std::string_view text, bool addBos) const override {
        std::vector<int> ids;
        if (addBos && sp_.bos_id() >= 0) ids.push_back(sp_.bos_id());
        std::vector<int> body;
        auto status = sp_.Encode(text, &body);
        if (!status.ok()) fail("SentencePiece {}: encoding failed: {}", path_, status.ToString());
        if (ids.empty()) return body;
        ids.insert(ids.end(), body.begin(), body.end());
        return ids;
    }

    std::string decode(const std::vector<int>& ids) const override {
        const int n = sp_.GetPieceSize();
        for (int id : ids)
            if (id < 0 || id >= n) failTokenId("sentencepiece", id, n);
        std::string text;
        auto status = sp_.Decode(ids, &text);
        if (!status.ok()) fail("SentencePiece {}: decoding failed: {}", path_, status.ToString());
        return text;
    }

    std::string piece(int id) const override {
        if (id < 0 || id >= sp_.GetPieceSize()) failTokenId("sentencepiece", id, sp_.GetPieceSize());
        return sp_.IdToPiece(id);
    }
    int vocabSize() const override { return sp_.GetPieceSize(); }
    int bosId() const override { return sp_.bos_id(); }
    int eosId() const override { return sp_.eos_id(); }
    std::string kind() const override { return "sentencepiece"; }

private:
    std::string path_;
    sentencepiece::SentencePieceProcessor sp_;
};

}  // namespace

std::unique_ptr<Tokenizer> openSentencePiece(const std::string& modelPath) {
    return std::make_unique<SentencePieceTokenizer>(modelPath);
}

}  // namespace glr::tok
