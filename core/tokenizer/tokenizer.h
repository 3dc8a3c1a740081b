#pragma once
// One interface for every tokenizer the workbench reads: SentencePiece `tokenizer.model`,
// llama2.c `tokenizer.bin`, HF `tokenizer.json` byte-level BPE (GPT-2 / LLaMA-3 / Qwen), GPT-2
// `vocab.json`+`merges.txt`, and a byte-level tokenizer for random-weight models. Torch-free.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glr {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Token ids of `text`, exactly as the reference library encodes it (SentencePiece-style
    // tokenizers apply their own dummy-prefix rule); a BOS id is prepended when asked and defined.
    virtual std::vector<int> encode(std::string_view text, bool addBos = false) const = 0;
    // Text of `ids` (special tokens such as BOS/EOS are dropped); decode(encode(t)) == t.
    virtual std::string decode(const std::vector<int>& ids) const = 0;
    // The raw piece string of one id, for display (e.g. "▁Yes", "Ġthe", "<0x0A>").
    virtual std::string piece(int id) const = 0;
    virtual int vocabSize() const = 0;
    virtual int bosId() const { return -1; }  // -1: none
    virtual int eosId() const { return -1; }
    // Short name of the format: "sentencepiece", "llama2c", "hf-bpe", "gpt2-bpe", "bytes".
    virtual std::string kind() const = 0;
};

// Opens a tokenizer from a file or a checkpoint directory, choosing the format from the name
// and contents (tokenizer.model, tokenizer.json, tokenizer.bin, vocab.json+merges.txt, *.bin of
// llama2.c). Throws InputError naming the path and what was looked for.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path);

// Bytes as tokens: ids 0..2 are <pad> <s> </s>, byte b is id 3+b. For random-weight models
// that have no tokenizer of their own (vocabSize >= 259).
std::unique_ptr<Tokenizer> makeByteTokenizer();

}  // namespace glr
