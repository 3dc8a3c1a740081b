// Choosing a tokenizer from a path, and the byte tokenizer for random-weight models.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <filesystem>

#include "tokenizer/formats.h"
#include "util/error.h"

namespace glr {

namespace tok {

void failTokenId(const std::string& kind, long long id, int vocabSize) {
    failInput("token id {} is out of range for the {} tokenizer (vocabulary of {}: ids 0..{})", id, kind, vocabSize,
              vocabSize - 1);
}

}  // namespace tok

namespace {

namespace fs = std::filesystem;

constexpr int kBytePad = 0, kByteBos = 1, kByteEos = 2, kByteOffset = 3;

class ByteTokenizer final : public Tokenizer {
public:
    std::vector<int> encode(std::string_view text, bool addBos) const override {
        std::vector<int> ids;
        ids.reserve(text.size() + 1);
        if (addBos) ids.push_back(kByteBos);
        for (unsigned char c : text) ids.push_back(kByteOffset + c);
        return ids;
    }
    std::string decode(const std::vector<int>& ids) const override {
        std::string out;
        out.reserve(ids.size());
        for (int id : ids) {
            check(id);
            if (id >= kByteOffset) out += char(id - kByteOffset);
        }
        return out;
    }
    std::string piece(int id) const override {
        check(id);
        if (id == kBytePad) return "<pad>";
        if (id == kByteBos) return "<s>";
        if (id == kByteEos) return "</s>";
        const int byte = id - kByteOffset;
        if (byte > ' ' && byte < 0x7F) return std::string(1, char(byte));
        return fmt::format("<0x{:02X}>", byte);
    }
    int vocabSize() const override { return kByteOffset + 256; }
    int bosId() const override { return kByteBos; }
    int eosId() const override { return kByteEos; }
    std::string kind() const override { return "bytes"; }

private:
    void check(int id) const {
        if (id < 0 || id >= vocabSize()) tok::failTokenId("bytes", id, vocabSize());
    }
};

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::unique_ptr<Tokenizer> openVocabMergesPair(const fs::path& dir, const std::string& named) {
    const fs::path vocab = dir / "vocab.json", merges = dir / "merges.txt";
    if (!fs::exists(vocab) || !fs::exists(merges))
        failInput("{}: a GPT-2 tokenizer needs vocab.json and merges.txt side by side in {}", named, dir.string());
    return tok::openGpt2VocabMerges(vocab.string(), merges.string());
}

std::unique_ptr<Tokenizer> openFile(const fs::path& file) {
    const std::string name = file.filename().string();
    const std::string path = file.string();
    if (name == "vocab.json" || name == "merges.txt") return openVocabMergesPair(file.parent_path(), path);
    if (endsWith(name, ".model")) return tok::openSentencePiece(path);
    if (endsWith(name, ".json")) return tok::openHfTokenizerJson(path);
    if (endsWith(name, ".bin")) return loadLlama2cTokenizer(path);
    failInput("{}: unrecognised tokenizer file name (expected *.model for SentencePiece, tokenizer.json, "
              "vocab.json with merges.txt, or a llama2.c *.bin tokenizer)",
              path);
}

std::unique_ptr<Tokenizer> openDirectory(const fs::path& dir) {
    // SentencePiece first: LLaMA-2-style HF directories ship both files and only tokenizer.model
    // is byte-level-free SentencePiece, which the tokenizer.json reader does not interpret.
    for (const char* name : {"tokenizer.model", "tokenizer.json"})
        if (fs::is_regular_file(dir / name)) return openFile(dir / name);
    if (fs::is_regular_file(dir / "vocab.json") && fs::is_regular_file(dir / "merges.txt"))
        return openVocabMergesPair(dir, dir.string());
    if (fs::is_regular_file(dir / "tokenizer.bin")) return openFile(dir / "tokenizer.bin");
    std::vector<fs::path> candidates;  // llama2.c names its vocabularies tok<N>.bin
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.rfind("tok", 0) == 0 && endsWith(name, ".bin"))
            candidates.push_back(entry.path());
    }
    if (candidates.size() == 1) return openFile(candidates.front());
    if (candidates.size() > 1) {
        std::sort(candidates.begin(), candidates.end());
        std::string names;
        for (const auto& c : candidates) names += (names.empty() ? "" : ", ") + c.filename().string();
        failInput("{}: several llama2.c tokenizers ({}); name one explicitly", dir.string(), names);
    }
    failInput("{}: no tokenizer found (looked for tokenizer.model, tokenizer.json, vocab.json + merges.txt, "
              "tokenizer.bin, tok*.bin)",
              dir.string());
}

}  // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec)) return openDirectory(p);
    if (!fs::exists(p, ec)) failInput("tokenizer path {} does not exist", path);
    return openFile(p);
}

std::unique_ptr<Tokenizer> makeByteTokenizer() { return std::make_unique<ByteTokenizer>(); }

}  // namespace glr
