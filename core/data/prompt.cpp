// Prompt templates and the cached-piece prompt encoder; the tokenisation scheme is explained at
// the top of prompt.h.
#include "data/prompt.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "data/prompt_templates.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::data {

// ─── Templates ───────────────────────────────────────────────────────────────────────────────

std::string unescapeTemplate(const std::string& fileText) {
    std::string text = fileText;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            if (text[i + 1] == 'n') {
                out.push_back('\n');
                ++i;
                continue;
            }
            if (text[i + 1] == '\\') {
                out.push_back('\\');
                ++i;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

namespace {

std::string templateFileName(const std::string& domain, bool withIdClauses) {
    return domain + (withIdClauses ? ".txt" : "_text.txt");
}

}  // namespace

std::vector<std::string> builtinPromptDomains() {
    std::vector<std::string> domains;
    for (const auto& p : embeddedPrompts()) {
        std::string name = p.fileName;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0 &&
            name.find("_text.txt") == std::string::npos)
            domains.push_back(name.substr(0, name.size() - 4));
    }
    return domains;
}

std::string builtinPromptTemplate(const std::string& domain, bool withIdClauses) {
    const std::string file = templateFileName(domain, withIdClauses);
    for (const auto& p : embeddedPrompts())
        if (file == p.fileName) return unescapeTemplate(p.text);
    std::string known;
    for (const auto& d : builtinPromptDomains()) known += (known.empty() ? "" : ", ") + d;
    failInput("unknown prompt domain '{}' (built-in: {}; or add resources/prompts/{})", domain, known, file);
}

std::string promptTemplate(const std::string& domain, bool withIdClauses, const std::string& resourcesDir) {
    if (!resourcesDir.empty()) {
        const auto path = std::filesystem::path(resourcesDir) / "prompts" / templateFileName(domain, withIdClauses);
        if (std::filesystem::exists(path)) return unescapeTemplate(readFile(path.string()));
    }
    return builtinPromptTemplate(domain, withIdClauses);
}

// ─── Encoder ─────────────────────────────────────────────────────────────────────────────────

std::vector<int> PromptEncoder::encodeContinuation(const Tokenizer& tokenizer, const std::string& text) {
    static const std::string kSentinel = "\n";
    const std::vector<int> sentinel = tokenizer.encode(kSentinel, false);
    std::vector<int> joined = tokenizer.encode(kSentinel + text, false);
    if (!sentinel.empty() && joined.size() >= sentinel.size() &&
        std::equal(sentinel.begin(), sentinel.end(), joined.begin()))
        return std::vector<int>(joined.begin() + sentinel.size(), joined.end());
    // A tokenizer that normalises the newline away: its own encoding is the best available.
    return tokenizer.encode(text, false);
}

namespace prompt_detail {

enum class PieceKind { Text, TitleList, TargetTitle, UserSlot, ItemSlot };

struct Piece {
    PieceKind kind = PieceKind::Text;
    std::string text;          // Text: the literal; titles: unused
    std::vector<int> tokens;   // Text: its continuation tokens
    bool leadingSpace = false;  // titles: a space before the first title
    int glue = 0;              // titles: index into Impl::glues of the text glued after
};

constexpr std::pair<const char*, PieceKind> kPlaceholders[] = {
    {"<ItemTitleList>", PieceKind::TitleList},
    {"<TargetItemTitle>", PieceKind::TargetTitle},
    {"<UserID>", PieceKind::UserSlot},
    {"<TargetItemID>", PieceKind::ItemSlot},
};

bool isBlank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// How many of the most recent history titles a prompt shows, and its length in tokens.
struct Plan {
    int shown = 0;
    int dropped = 0;
    int length = 0;
};

}  // namespace prompt_detail

using namespace prompt_detail;

struct PromptEncoder::Impl {
    const Tokenizer* tokenizer = nullptr;
    const ItemCatalog* catalog = nullptr;
    NodeIndex nodes;
    PromptOptions options;
    std::string templateText;
    std::vector<int> head;     // first literal, BOS included
    std::vector<Piece> pieces;  // after the head
    std::vector<std::string> glues{","};  // glue 0 separates list titles
    std::vector<int> scorePrefix;
    int yesToken = -1, noToken = -1;
    int fixedLength = 0;  // head + texts + slots + score prefix (titles excluded)
    bool hasTitleList = false;

    mutable std::mutex mutex;
    mutable std::unordered_map<std::uint64_t, std::vector<int>> units;

    int glueIndex(const std::string& glue) {
        for (std::size_t i = 0; i < glues.size(); ++i)
            if (glues[i] == glue) return static_cast<int>(i);
        glues.push_back(glue);
        return static_cast<int>(glues.size() - 1);
    }

    // Tokens of " <title><glue>"; iid < 0 stands for the empty-history word.
    const std::vector<int>& unit(std::int32_t iid, int glue, bool leadingSpace) const {
        const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(iid)) << 9) |
                                  (static_cast<std::uint64_t>(glue) << 1) | (leadingSpace ? 1u : 0u);
        {
            std::lock_guard<std::mutex> lock(mutex);
            auto it = units.find(key);
            if (it != units.end()) return it->second;
        }
        const std::string& title = iid < 0 ? options.emptyHistoryWord : catalog->title(iid);
        std::vector<int> tokens =
            PromptEncoder::encodeContinuation(*tokenizer, (leadingSpace ? " " : "") + title + glues[glue]);
        std::lock_guard<std::mutex> lock(mutex);
        // Node-based map: references stay valid while other threads insert.
        return units.emplace(key, std::move(tokens)).first->second;
    }

    void parseTemplate() {
        struct Part {
            bool placeholder = false;
            PieceKind kind = PieceKind::Text;
            std::string text;  // literal text, or a text placeholder's glue
            bool leadingSpace = false;
        };
        std::vector<Part> parts;
        std::string literal;
        for (std::size_t i = 0; i < templateText.size();) {
            bool matched = false;
            if (templateText[i] == '<') {
                for (const auto& [name, kind] : kPlaceholders) {
                    const std::size_t len = std::char_traits<char>::length(name);
                    if (templateText.compare(i, len, name) == 0) {
                        parts.push_back({false, PieceKind::Text, literal, false});
                        literal.clear();
                        parts.push_back({true, kind, {}, false});
                        i += len;
                        matched = true;
                        break;
                    }
                }
            }
            if (!matched) literal.push_back(templateText[i++]);
        }
        parts.push_back({false, PieceKind::Text, literal, false});
        // parts alternate literal, placeholder, literal, ..., literal (literals may be empty).

        int count[5] = {0, 0, 0, 0, 0};
        for (std::size_t k = 1; k < parts.size(); k += 2) {
            const PieceKind kind = parts[k].kind;
            if (++count[static_cast<int>(kind)] > 1)
                failInput("prompt template: {} appears twice", kPlaceholders[static_cast<int>(kind) - 1].first);
            if (kind != PieceKind::TitleList && kind != PieceKind::TargetTitle) continue;
            // The space before a title and the punctuation after it belong to the title's unit.
            std::string& before = parts[k - 1].text;
            if (!before.empty() && before.back() == ' ') {
                before.pop_back();
                parts[k].leadingSpace = true;
            }
            std::string& after = parts[k + 1].text;
            std::size_t glueLength = 0;
            while (glueLength < after.size() && !isBlank(after[glueLength])) ++glueLength;
            parts[k].text = after.substr(0, glueLength);
            after.erase(0, glueLength);
        }
        if (parts[0].text.empty())
            failInput("prompt template must start with text before its first placeholder: {}", templateText);
        if (count[static_cast<int>(PieceKind::TargetTitle)] == 0)
            failInput("prompt template has no <TargetItemTitle>: {}", templateText);

        head = tokenizer->encode(parts[0].text, true);
        fixedLength = static_cast<int>(head.size());
        for (std::size_t k = 1; k < parts.size(); ++k) {
            Piece piece;
            piece.kind = parts[k].kind;
            if (!parts[k].placeholder) {
                if (parts[k].text.empty()) continue;
                piece.text = parts[k].text;
                piece.tokens = PromptEncoder::encodeContinuation(*tokenizer, piece.text);
                fixedLength += static_cast<int>(piece.tokens.size());
            } else if (piece.kind == PieceKind::TitleList || piece.kind == PieceKind::TargetTitle) {
                piece.glue = glueIndex(parts[k].text);
                piece.leadingSpace = parts[k].leadingSpace;
                hasTitleList = hasTitleList || piece.kind == PieceKind::TitleList;
            } else {
                fixedLength += 1;  // one slot token
            }
            pieces.push_back(std::move(piece));
        }
    }

    // Length of the title list showing history[first .. first+shown) (shown >= 1).
    int titleListLength(IdSpan history, std::size_t first, int shown, const Piece& list) const {
        int total = 0;
        for (int k = 0; k < shown; ++k) {
            const bool last = k == shown - 1;
            total += static_cast<int>(
                unit(history[first + k], last ? list.glue : 0, k == 0 ? list.leadingSpace : true).size());
        }
        return total;
    }

    Plan plan(std::int32_t uid, std::int32_t iid, IdSpan history) const {
        Plan plan;
        int length = fixedLength;
        const Piece* list = nullptr;
        for (const Piece& piece : pieces) {
            if (piece.kind == PieceKind::TargetTitle)
                length += static_cast<int>(unit(iid, piece.glue, piece.leadingSpace).size());
            if (piece.kind == PieceKind::TitleList) list = &piece;
        }
        if (list) {
            const int limit = options.maxLength;
            int shown = std::min(static_cast<int>(history.size()), options.maxHistory);
            int titles = shown > 0 ? titleListLength(history, history.size() - shown, shown, *list) : 0;
            // Drop the oldest title until the prompt fits (never the question or the slots).
            while (limit > 0 && shown > 0 && length + titles > limit) {
                --shown;
                ++plan.dropped;
                titles = shown > 0 ? titleListLength(history, history.size() - shown, shown, *list) : 0;
            }
            plan.shown = shown;
            if (shown == 0) titles = static_cast<int>(unit(-1, list->glue, list->leadingSpace).size());
            length += titles;
        }
        plan.length = length;
        if (options.maxLength > 0 && plan.length > options.maxLength)
            failInput("the prompt for user {} and item {} needs {} tokens even without history titles, more "
                      "than max_length {}",
                      uid, iid, plan.length, options.maxLength);
        return plan;
    }
};

PromptEncoder::PromptEncoder(const Tokenizer& tokenizer, const ItemCatalog& catalog, NodeIndex nodes,
                             PromptOptions options, const std::string& resourcesDir)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.tokenizer = &tokenizer;
    m.catalog = &catalog;
    m.nodes = nodes;
    m.options = std::move(options);
    if (m.options.maxHistory < 0) failInput("max_history must be >= 0, got {}", m.options.maxHistory);
    m.templateText = m.options.templateText.empty()
                         ? promptTemplate(m.options.domain, m.options.withIdClauses, resourcesDir)
                         : m.options.templateText;
    m.parseTemplate();

    const std::vector<int> yes = encodeContinuation(tokenizer, " Yes");
    const std::vector<int> no = encodeContinuation(tokenizer, " No");
    std::size_t common = 0;
    while (common < yes.size() && common < no.size() && yes[common] == no[common]) ++common;
    if (common == yes.size() || common == no.size())
        failInput("tokenizer ({}) encodes \" Yes\" and \" No\" so that one is a prefix of the other; no score token",
                  tokenizer.kind());
    m.scorePrefix.assign(yes.begin(), yes.begin() + common);
    m.yesToken = yes[common];
    m.noToken = no[common];
    m.fixedLength += static_cast<int>(common);
}

PromptEncoder::~PromptEncoder() = default;
PromptEncoder::PromptEncoder(PromptEncoder&&) noexcept = default;
PromptEncoder& PromptEncoder::operator=(PromptEncoder&&) noexcept = default;

int PromptEncoder::scoreTokenId() const { return impl_->yesToken; }
int PromptEncoder::noTokenId() const { return impl_->noToken; }
const std::vector<int>& PromptEncoder::scorePrefix() const { return impl_->scorePrefix; }
const std::string& PromptEncoder::templateText() const { return impl_->templateText; }
const PromptOptions& PromptEncoder::options() const { return impl_->options; }
const NodeIndex& PromptEncoder::nodes() const { return impl_->nodes; }
const Tokenizer& PromptEncoder::tokenizer() const { return *impl_->tokenizer; }

EncodedPrompt PromptEncoder::encode(std::int32_t uid, std::int32_t iid, IdSpan history) const {
    const Impl& m = *impl_;
    const Plan plan = m.plan(uid, iid, history);
    EncodedPrompt out;
    out.historyShown = plan.shown;
    out.historyDropped = plan.dropped;
    out.ids.reserve(plan.length);
    out.ids.assign(m.head.begin(), m.head.end());
    auto append = [&](const std::vector<int>& tokens) { out.ids.insert(out.ids.end(), tokens.begin(), tokens.end()); };
    for (const Piece& piece : m.pieces) {
        switch (piece.kind) {
            case PieceKind::Text: append(piece.tokens); break;
            case PieceKind::TargetTitle: append(m.unit(iid, piece.glue, piece.leadingSpace)); break;
            case PieceKind::TitleList: {
                if (plan.shown == 0) {
                    append(m.unit(-1, piece.glue, piece.leadingSpace));
                    break;
                }
                const std::size_t first = history.size() - plan.shown;
                for (int k = 0; k < plan.shown; ++k) {
                    const bool last = k == plan.shown - 1;
                    append(m.unit(history[first + k], last ? piece.glue : 0, k == 0 ? piece.leadingSpace : true));
                }
                break;
            }
            case PieceKind::UserSlot:
                out.anchors.push_back({static_cast<std::int32_t>(out.ids.size()), m.nodes.userNode(uid)});
                out.ids.push_back(m.options.placeholderTokenId);
                break;
            case PieceKind::ItemSlot:
                out.anchors.push_back({static_cast<std::int32_t>(out.ids.size()), m.nodes.itemNode(iid)});
                out.ids.push_back(m.options.placeholderTokenId);
                break;
        }
    }
    append(m.scorePrefix);
    GLR_CHECK(static_cast<int>(out.ids.size()) == plan.length, "prompt length {} differs from the plan {}",
              out.ids.size(), plan.length);
    return out;
}

EncodedPrompt PromptEncoder::encode(const Split& split, std::size_t row) const {
    const InteractionRow& r = split.rows[row];
    return encode(r.uid, r.iid, split.history(row));
}

int PromptEncoder::length(const Split& split, std::size_t row) const {
    const InteractionRow& r = split.rows[row];
    return impl_->plan(r.uid, r.iid, split.history(row)).length;
}

std::string PromptEncoder::render(std::int32_t uid, std::int32_t iid, IdSpan history) const {
    const Impl& m = *impl_;
    const Plan plan = m.plan(uid, iid, history);
    std::string text;
    for (std::size_t k = 0; k < m.templateText.size();) {
        if (m.templateText[k] == '<') {
            bool matched = false;
            for (const auto& [name, kind] : kPlaceholders) {
                const std::size_t len = std::char_traits<char>::length(name);
                if (m.templateText.compare(k, len, name) != 0) continue;
                matched = true;
                k += len;
                if (kind == PieceKind::TargetTitle) {
                    text += m.catalog->title(iid);
                } else if (kind == PieceKind::TitleList) {
                    if (plan.shown == 0) text += m.options.emptyHistoryWord;
                    const std::size_t first = history.size() - plan.shown;
                    for (int h = 0; h < plan.shown; ++h)
                        text += (h ? ", " : "") + m.catalog->title(history[first + h]);
                } else {
                    text += name;
                }
                break;
            }
            if (matched) continue;
        }
        text.push_back(m.templateText[k++]);
    }
    return text;
}

}  // namespace glr::data
