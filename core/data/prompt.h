#pragma once
// Prompts of SPEC §4–§5: templates, rendering, token ids with anchors, and the score token.
//
// Templates live in resources/prompts/<domain>.txt (with the <UserID>/<TargetItemID> clauses)
// and <domain>_text.txt (text only). The same files are compiled into the library by CMake
// (core/data/EmbedPrompts.cmake), so the CLI works from any directory; a resources directory,
// when given and holding the file, takes precedence (users may edit the wording). A template
// is one line; "\n" in it stands for a newline and "\\" for a backslash. Placeholders:
//   <ItemTitleList>    the last <= maxHistory history titles, oldest first, joined by ", "
//                      (an empty history renders as emptyHistoryWord)
//   <TargetItemTitle>  the target item's title
//   <UserID>           one token slot; anchor -> user node
//   <TargetItemID>     one token slot; anchor -> item node
//
// ── How a prompt is tokenised from cached pieces ─────────────────────────────────────────────
// A prompt is the concatenation of pieces, each tokenised once and cached:
//   * the template text before the first placeholder, encoded with BOS like any whole text
//     (SentencePiece/llama2.c apply their dummy-prefix space here, as they would to the prompt);
//   * every title *unit* " <title><glue>" — a title with the space before it and the
//     punctuation glued after it ("," inside the list; the template's next characters up to a
//     blank, e.g. "." or "?", after the last title), cached per (item, glue);
//   * the remaining template text between placeholders, and " Yes" / " No";
//   * one placeholder token per ID slot (never merged with anything).
// Every piece but the first is encoded as a *continuation*: encode(S + piece) with the sentinel
// S = "\n", minus the tokens of encode(S), checked to be a prefix. This removes the dummy-prefix
// space SentencePiece and llama2.c would otherwise add to a piece and works unchanged for
// byte-level BPE (GPT-2, LLaMA-3), whose pre-tokeniser splits before "\n" and after it.
// Why the concatenation equals tokenising the whole text: title units and " Yes" start with a
// space after a non-blank character. No SentencePiece piece spans "x▁y" (whitespace splitting,
// the default and LLaMA's setting; llama2.c's BPE merges only over vocabulary pieces, which
// come from such models), and the GPT-2/LLaMA-3 pre-tokenisers always cut before " y" after a
// non-blank. Punctuation next to a title is inside the unit, so merges such as ")." or ")," are
// kept. Boundaries next to an ID slot are hard by construction (the slot is one token). The
// remaining approximation: a template whose text placeholder is not preceded by a space, and
// tokenizers built without whitespace splitting; for those the pieces are still deterministic,
// only possibly different from the one-shot encoding. The tests check the equality with a
// whitespace-splitting BPE.
//
// The score token (SPEC §4): continuation(" Yes") and continuation(" No") are compared; their
// common prefix is appended to every prompt and the first differing token of " Yes" is the
// score token (stories260K's tok512: prefix ' ', score token 'Y'; LLaMA: no prefix, '▁Yes').
//
// Truncation: while a prompt exceeds maxLength tokens (BOS and score prefix included), the
// oldest history title is dropped; the question, the target and the slots are never cut. A
// prompt that does not fit even with no history is an InputError naming the row.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/split_dataset.h"

namespace glr {
class Tokenizer;
}

namespace glr::data {

struct PromptOptions {
    std::string domain = "movie";  // "movie" or "book": chooses the template file
    bool withIdClauses = true;     // false: the text-only template (TALLRec, ICL)
    int maxHistory = 10;           // titles shown, most recent ones
    int maxLength = 1024;          // tokens, BOS and score prefix included; <= 0: no limit
    std::string emptyHistoryWord = "none";
    int placeholderTokenId = 0;  // token id in the ID slots (its embedding is replaced anyway)
    std::string templateText;    // overrides domain/withIdClauses when not empty (raw, unescaped)
};

// Template text for a domain: <resourcesDir>/prompts/<domain>[_text].txt when that file exists,
// else the built-in copy. Escapes ("\n", "\\") are resolved and a trailing newline dropped.
std::string promptTemplate(const std::string& domain, bool withIdClauses,
                           const std::string& resourcesDir = "");
// The built-in copy only; InputError for an unknown domain (the message lists the known ones).
std::string builtinPromptTemplate(const std::string& domain, bool withIdClauses);
std::vector<std::string> builtinPromptDomains();
// Resolves "\n" and "\\" escapes of a template file's text and drops a trailing newline.
std::string unescapeTemplate(const std::string& fileText);

// A token position in an unpadded prompt whose embedding is replaced by a node's (SPEC §3.2).
struct Anchor {
    std::int32_t position = 0;
    std::int64_t node = 0;
};

struct EncodedPrompt {
    std::vector<std::int32_t> ids;  // BOS first (when the tokenizer has one), score prefix last
    std::vector<Anchor> anchors;    // <UserID> then <TargetItemID>, when the template has them
    int historyShown = 0;           // titles in the prompt
    int historyDropped = 0;         // titles removed to fit maxLength
};

class PromptEncoder {
public:
    // `tokenizer` and `catalog` must outlive the encoder. Thread-safe after construction.
    PromptEncoder(const Tokenizer& tokenizer, const ItemCatalog& catalog, NodeIndex nodes,
                  PromptOptions options = {}, const std::string& resourcesDir = "");
    ~PromptEncoder();
    PromptEncoder(PromptEncoder&&) noexcept;
    PromptEncoder& operator=(PromptEncoder&&) noexcept;

    EncodedPrompt encode(std::int32_t uid, std::int32_t iid, IdSpan history) const;
    EncodedPrompt encode(const Split& split, std::size_t row) const;
    // Token count of encode(...) without building it.
    int length(const Split& split, std::size_t row) const;
    // The prompt as text (ID slots shown as their placeholder), for display and ICL logs.
    std::string render(std::int32_t uid, std::int32_t iid, IdSpan history) const;

    int scoreTokenId() const;                        // the "Yes" token scored
    int noTokenId() const;                           // the "No" token (two-way softmax option)
    const std::vector<int>& scorePrefix() const;     // appended to every prompt
    const std::string& templateText() const;
    const PromptOptions& options() const;
    const NodeIndex& nodes() const;
    const Tokenizer& tokenizer() const;

    // Tokens of `text` as a continuation of earlier text (see the top of this file).
    static std::vector<int> encodeContinuation(const Tokenizer& tokenizer, const std::string& text);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr::data
