#include "store/run_filter.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "config/experiment_config.h"
#include "util/did_you_mean.h"
#include "util/text.h"

namespace glr::store {

struct FilterExpression::Node {
    enum class Kind { Or, And, Not, Compare, FieldIn, Word } kind;
    std::vector<std::shared_ptr<const Node>> children;
    std::string key;
    std::string op;    // Compare: > >= < <= == !=
    std::string text;  // Compare: the literal; Word: the word (both lower case)
    double number = 0;
    bool isNumber = false;
    std::vector<std::regex> patterns;  // FieldIn
};

namespace {

using NodePtr = std::shared_ptr<const FilterExpression::Node>;
using Node = FilterExpression::Node;

// `*` any run of characters, `?` one; everything else literal; the whole value, any case.
std::regex wildcardPattern(const std::string& wildcard) {
    std::string pattern;
    for (char c : wildcard) {
        if (c == '*') pattern += ".*";
        else if (c == '?') pattern += '.';
        else if (std::string_view("\\^$.|+()[]{}").find(c) != std::string_view::npos) (pattern += '\\') += c;
        else pattern += c;
    }
    return std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
}

struct Token {
    enum class Type { Word, Op, Colon, LParen, RParen, Not, And, Or, End } type;
    std::string text;
    int position = 0;  // 1-based character position, for messages
};

bool isWordChar(char c) {
    return !std::isspace(static_cast<unsigned char>(c)) && std::string_view("()<>=!:\"&|").find(c) == std::string_view::npos;
}

struct ParseError {
    std::string message;
};

std::vector<Token> tokenize(const std::string& s) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const char c = s[i];
        const int pos = int(i) + 1;
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '(' || c == ')') {
            tokens.push_back({c == '(' ? Token::Type::LParen : Token::Type::RParen, std::string(1, c), pos});
            ++i;
        } else if (c == ':') {
            tokens.push_back({Token::Type::Colon, ":", pos});
            ++i;
        } else if (c == '&' || c == '|') {
            if (i + 1 >= n || s[i + 1] != c) throw ParseError{fmt::format("expected '{0}{0}' at position {1}", c, pos)};
            tokens.push_back({c == '&' ? Token::Type::And : Token::Type::Or, s.substr(i, 2), pos});
            i += 2;
        } else if (c == '<' || c == '>' || c == '=' || c == '!') {
            const bool twoChar = i + 1 < n && s[i + 1] == '=';
            std::string op = s.substr(i, twoChar ? 2 : 1);
            i += twoChar ? 2 : 1;
            if (op == "!") {
                tokens.push_back({Token::Type::Not, op, pos});
                continue;
            }
            if (op == "=") op = "==";
            tokens.push_back({Token::Type::Op, op, pos});
        } else if (c == '"') {
            const std::size_t end = s.find('"', i + 1);
            if (end == std::string::npos) throw ParseError{fmt::format("unterminated quote at position {}", pos)};
            tokens.push_back({Token::Type::Word, s.substr(i + 1, end - i - 1), pos});
            i = end + 1;
        } else {
            std::size_t j = i;
            while (j < n && isWordChar(s[j])) ++j;
            const std::string word = s.substr(i, j - i);
            const std::string folded = asciiLower(word);
            Token::Type type = Token::Type::Word;
            if (folded == "and") type = Token::Type::And;
            else if (folded == "or") type = Token::Type::Or;
            else if (folded == "not") type = Token::Type::Not;
            tokens.push_back({type, word, pos});
            i = j;
        }
    }
    tokens.push_back({Token::Type::End, "", int(n) + 1});
    return tokens;
}

// Recursive descent: or := and ('or' and)*; and := unary (['and'] unary)*; unary := '!' unary |
// primary; primary := '(' or ')' | key OP value | key ':' values | word.
class Parser {
public:
    Parser(std::vector<Token> tokens, std::vector<std::string>& keys) : tokens_(std::move(tokens)), keys_(keys) {}

    NodePtr parseAll() {
        NodePtr root = parseOr();
        if (peek().type != Token::Type::End)
            throw ParseError{fmt::format("unexpected '{}' at position {}", peek().text, peek().position)};
        return root;
    }

private:
    const Token& peek() const { return tokens_[index_]; }
    Token next() { return tokens_[index_++]; }

    NodePtr parseOr() {
        std::vector<NodePtr> terms{parseAnd()};
        while (peek().type == Token::Type::Or) {
            next();
            terms.push_back(parseAnd());
        }
        return combine(Node::Kind::Or, std::move(terms));
    }

    NodePtr parseAnd() {
        std::vector<NodePtr> terms{parseUnary()};
        for (;;) {
            const Token::Type t = peek().type;
            if (t == Token::Type::And) next();
            else if (t == Token::Type::Or || t == Token::Type::RParen || t == Token::Type::End) break;
            terms.push_back(parseUnary());
        }
        return combine(Node::Kind::And, std::move(terms));
    }

    NodePtr parseUnary() {
        if (peek().type != Token::Type::Not) return parsePrimary();
        next();
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::Not;
        node->children.push_back(parseUnary());
        return node;
    }

    NodePtr parsePrimary() {
        const Token token = next();
        if (token.type == Token::Type::LParen) {
            NodePtr inner = parseOr();
            if (peek().type != Token::Type::RParen)
                throw ParseError{fmt::format("expected ')' at position {} to close '(' at position {}", peek().position,
                                             token.position)};
            next();
            return inner;
        }
        if (token.type != Token::Type::Word) {
            const std::string what = token.type == Token::Type::End ? "end of filter" : "'" + token.text + "'";
            throw ParseError{fmt::format("expected a metric, field or word at position {}, found {}", token.position, what)};
        }
        auto node = std::make_shared<Node>();
        if (peek().type == Token::Type::Op) {
            const Token op = next();
            const Token value = next();
            if (value.type != Token::Type::Word)
                throw ParseError{fmt::format("expected a value after '{}' at position {}", op.text, op.position)};
            node->kind = Node::Kind::Compare;
            node->key = asciiLower(token.text);
            node->op = op.text;
            node->text = asciiLower(value.text);
            if (const auto number = parseDouble(value.text)) {
                node->isNumber = true;
                node->number = *number;
            }
            if (!node->isNumber && op.text != "==" && op.text != "!=")
                throw ParseError{fmt::format("'{}' at position {} is not a number ('{}' compares numbers)", value.text,
                                             value.position, op.text)};
            keys_.push_back(node->key);
            return node;
        }
        if (peek().type == Token::Type::Colon) {
            const Token colon = next();
            const Token value = next();
            const std::string missing = fmt::format("expected a value after '{}:' at position {}", token.text, colon.position);
            if (value.type != Token::Type::Word) throw ParseError{missing};
            node->kind = Node::Kind::FieldIn;
            node->key = asciiLower(token.text);
            std::size_t start = 0;
            while (start <= value.text.size()) {
                const std::size_t comma = std::min(value.text.find(',', start), value.text.size());
                if (comma > start) node->patterns.push_back(wildcardPattern(value.text.substr(start, comma - start)));
                start = comma + 1;
            }
            if (node->patterns.empty()) throw ParseError{missing};
            keys_.push_back(node->key);
            return node;
        }
        node->kind = Node::Kind::Word;
        node->text = asciiLower(token.text);
        return node;
    }

    static NodePtr combine(Node::Kind kind, std::vector<NodePtr> terms) {
        if (terms.size() == 1) return terms.front();
        auto node = std::make_shared<Node>();
        node->kind = kind;
        node->children = std::move(terms);
        return node;
    }

    std::vector<Token> tokens_;
    std::size_t index_ = 0;
    std::vector<std::string>& keys_;
};

bool compareNumbers(double a, const std::string& op, double b) {
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == "==") return a == b;
    return a != b;  // "!="
}

bool matchesNode(const Node& node, const FilterableRun& run) {
    switch (node.kind) {
    case Node::Kind::Or:
        return std::any_of(node.children.begin(), node.children.end(), [&](const NodePtr& c) { return matchesNode(*c, run); });
    case Node::Kind::And:
        return std::all_of(node.children.begin(), node.children.end(), [&](const NodePtr& c) { return matchesNode(*c, run); });
    case Node::Kind::Not:
        return !matchesNode(*node.children.front(), run);
    case Node::Kind::Compare: {
        if (node.isNumber) {
            const auto metric = run.metrics.find(node.key);
            if (metric != run.metrics.end()) return compareNumbers(metric->second, node.op, node.number);
        }
        const auto field = run.fields.find(node.key);
        if (field == run.fields.end()) return false;
        if (node.isNumber)
            if (const auto value = parseDouble(field->second)) return compareNumbers(*value, node.op, node.number);
        const bool equal = asciiLower(field->second) == node.text;
        return node.op == "==" ? equal : (node.op == "!=" ? !equal : false);
    }
    case Node::Kind::FieldIn: {
        const auto anyPattern = [&](const std::string& value) {
            return std::any_of(node.patterns.begin(), node.patterns.end(),
                               [&](const std::regex& pattern) { return std::regex_match(value, pattern); });
        };
        if (node.key == "tag" || node.key == "tags") return std::any_of(run.tags.begin(), run.tags.end(), anyPattern);
        const auto field = run.fields.find(node.key);
        return field != run.fields.end() && anyPattern(field->second);
    }
    case Node::Kind::Word: {
        const auto contains = [&](const std::string& text) { return asciiLower(text).find(node.text) != std::string::npos; };
        for (const char* key : {"name", "method", "dataset"}) {
            const auto field = run.fields.find(key);
            if (field != run.fields.end() && contains(field->second)) return true;
        }
        return std::any_of(run.tags.begin(), run.tags.end(), contains);
    }
    }
    return false;
}

}  // namespace

std::string resultKey(const std::string& split, const std::string& subset, const std::string& metric) {
    return (subset == "all" ? split : split + "_" + subset) + "/" + metric;
}

FilterableRun filterableRun(const RunRecord& run, const std::vector<ResultRow>& results,
                            const std::vector<MetricSummary>& series) {
    FilterableRun f;
    f.fields["id"] = std::to_string(run.id);
    f.fields["name"] = run.name;
    f.fields["method"] = run.method;
    f.fields["dataset"] = run.dataset;
    f.fields["status"] = toString(run.status);
    f.fields["seed"] = std::to_string(run.seed);
    f.fields["hash"] = run.configHash;
    f.fields["device"] = run.device;
    if (run.sweepId) f.fields["sweep"] = std::to_string(*run.sweepId);
    f.tags = run.tags;
    for (const auto& row : results) {
        if (row.runId != run.id && row.runId != 0) continue;
        f.metrics[asciiLower(resultKey(row.split, row.subset, row.metric))] = row.value;
        if (row.split == "test" && row.subset == "all") f.metrics[asciiLower(row.metric)] = row.value;
    }
    for (const auto& s : series) {
        const std::string key = asciiLower(s.split + "/" + s.name);
        f.metrics[key] = s.last;
        f.metrics[key + ".last"] = s.last;
        f.metrics[key + ".min"] = s.min;
        f.metrics[key + ".max"] = s.max;
        if (key == "train/loss") f.metrics["steps"] = double(s.lastStep);
    }
    const auto flat = config::flatten(nlohmann::json::parse(run.configJson, nullptr, /*allow_exceptions=*/false));
    for (const auto& [path, value] : flat.items())
        f.fields.emplace(asciiLower(path), value.is_string() ? value.get<std::string>() : value.dump());
    return f;
}

FilterExpression::FilterExpression() = default;
FilterExpression::~FilterExpression() = default;
FilterExpression::FilterExpression(const FilterExpression&) = default;
FilterExpression& FilterExpression::operator=(const FilterExpression&) = default;

FilterExpression FilterExpression::parse(const std::string& expression) {
    FilterExpression filter;
    if (std::all_of(expression.begin(), expression.end(), [](unsigned char c) { return std::isspace(c); })) return filter;
    try {
        Parser parser(tokenize(expression), filter.keys_);
        filter.root_ = parser.parseAll();
    } catch (const ParseError& e) {
        filter.root_.reset();
        filter.keys_.clear();
        filter.error_ = e.message;
    }
    std::vector<std::string> unique;
    for (const auto& key : filter.keys_)
        if (std::find(unique.begin(), unique.end(), key) == unique.end()) unique.push_back(key);
    filter.keys_ = std::move(unique);
    return filter;
}

bool FilterExpression::isEmpty() const { return !root_ && error_.empty(); }

bool FilterExpression::matches(const FilterableRun& run) const {
    if (!error_.empty()) return false;
    return !root_ || matchesNode(*root_, run);
}

std::string UnknownFilterKey::message() const {
    return closest.empty() ? fmt::format("no run has '{}'", key) : fmt::format("no run has '{}' (did you mean '{}'?)", key, closest);
}

std::vector<UnknownFilterKey> unknownFilterKeys(const FilterExpression& filter, const std::vector<const FilterableRun*>& runs) {
    std::vector<UnknownFilterKey> unknown;
    if (runs.empty()) return unknown;
    std::set<std::string> known;
    for (const FilterableRun* run : runs) {
        for (const auto& field : run->fields) known.insert(field.first);
        for (const auto& metric : run->metrics) known.insert(metric.first);
    }
    const std::vector<std::string> candidates(known.begin(), known.end());
    for (const auto& key : filter.referencedKeys())
        if (key != "tag" && key != "tags" && !known.count(key)) unknown.push_back({key, didYouMean(key, candidates)});
    return unknown;
}

}  // namespace glr::store
