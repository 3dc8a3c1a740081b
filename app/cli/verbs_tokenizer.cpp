// graphlora tokenize --tokenizer PATH --text TEXT [--pieces] [--bos]
// First line: the ids, space-separated (stable, for scripts). With --pieces, then one line per
// token: id, a tab, and the piece in double quotes with quotes, backslashes and control bytes
// escaped (so a lone space piece stays visible).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/verbs.h"
#include "tokenizer/tokenizer.h"

namespace glr::cli {

namespace {

std::string escapePiece(const std::string& piece) {
    std::string out;
    for (unsigned char c : piece) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20 || c == 0x7F)
                    out += fmt::format("\\x{:02x}", c);
                else
                    out += char(c);
        }
    }
    return out;
}

struct TokenizeOptions {
    std::string tokenizer;
    std::string text;
    bool pieces = false;
    bool bos = false;
};

void runTokenize(const TokenizeOptions& o) {
    auto tok = loadTokenizer(o.tokenizer);
    const auto ids = tok->encode(o.text, o.bos);
    std::string line;
    for (std::size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
    fmt::print("{}\n", line);
    if (o.pieces)
        for (int id : ids) fmt::print("{}\t\"{}\"\n", id, escapePiece(tok->piece(id)));
}

}  // namespace

void registerTokenizerVerbs(CLI::App& app) {
    auto* cmd = app.add_subcommand("tokenize", "Print the token ids of a text (SentencePiece, llama2.c, HF BPE)");
    auto o = std::make_shared<TokenizeOptions>();
    cmd->add_option("--tokenizer", o->tokenizer,
                    "tokenizer file or checkpoint directory (tokenizer.model, tokenizer.json, vocab.json+merges.txt, "
                    "tokenizer.bin / tok*.bin)")
        ->required();
    cmd->add_option("--text", o->text, "text to encode")->required();
    cmd->add_flag("--pieces", o->pieces, "also print one 'id<TAB>\"piece\"' line per token");
    cmd->add_flag("--bos", o->bos, "prepend the BOS token when the tokenizer has one");
    cmd->callback([o] { runTokenize(*o); });
}

}  // namespace glr::cli
