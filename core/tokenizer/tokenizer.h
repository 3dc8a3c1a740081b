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

// A llama2.c `tokenizer.bin` (int32 max_token_length, then per token: float32 score, int32 length,
// bytes). The file does not store the token count: with vocabSize > 0 (from the checkpoint
// header) exactly that many tokens are read and a shorter file is an error; with -1 tokens are
// read until the end of the file. Encoding follows llama2.c's run.c: a " " dummy prefix for
// non-empty text, one token per UTF-8 character with <0xXX> byte fallback (id 3 + byte), then the
// highest-scoring adjacent merge, leftmost first, until none applies. BOS is 1 and EOS 2.
// decode() treats the start of `ids` like the position after BOS (one leading space of the first
// piece is dropped, as llama2.c and SentencePiece do), so decode whole sequences, not fragments.
std::unique_ptr<Tokenizer> loadLlama2cTokenizer(const std::string& path, int vocabSize = -1);

}  // namespace glr
