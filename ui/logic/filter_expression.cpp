#include "logic/filter_expression.h"

#include <QRegularExpression>

namespace glr::ui {

struct FilterExpression::Node {
    enum class Kind { Or, And, Not, Compare, FieldIn, Word } kind;
    std::vector<std::shared_ptr<const Node>> children;
    QString key;
    QString op;        // Compare: > >= < <= == !=
    QString text;      // Compare: the literal; Word: the word
    double number = 0;
    bool isNumber = false;
    std::vector<QRegularExpression> patterns;  // FieldIn
};

namespace {

using NodePtr = std::shared_ptr<const FilterExpression::Node>;
using Node = FilterExpression::Node;

struct Token {
    enum class Type { Word, Op, Colon, LParen, RParen, Not, And, Or, End } type;
    QString text;
    int position = 0;  // 1-based character position, for messages
};

bool isWordChar(QChar c) {
    static const QString special = QStringLiteral("()<>=!:\"&|");
    return !c.isSpace() && !special.contains(c);
}

struct ParseError {
    QString message;
};

std::vector<Token> tokenize(const QString& s) {
    std::vector<Token> tokens;
    int i = 0;
    const int n = s.size();
    while (i < n) {
        const QChar c = s[i];
        const int pos = i + 1;
        if (c.isSpace()) {
            ++i;
        } else if (c == '(' || c == ')') {
            tokens.push_back({c == '(' ? Token::Type::LParen : Token::Type::RParen, QString(c), pos});
            ++i;
        } else if (c == ':') {
            tokens.push_back({Token::Type::Colon, QStringLiteral(":"), pos});
            ++i;
        } else if (c == '&' || c == '|') {
            if (i + 1 >= n || s[i + 1] != c)
                throw ParseError{QStringLiteral("expected '%1%1' at position %2").arg(c).arg(pos)};
            tokens.push_back({c == '&' ? Token::Type::And : Token::Type::Or, s.mid(i, 2), pos});
            i += 2;
        } else if (c == '<' || c == '>' || c == '=' || c == '!') {
            const bool twoChar = i + 1 < n && s[i + 1] == '=';
            QString op = twoChar ? s.mid(i, 2) : QString(c);
            i += twoChar ? 2 : 1;
            if (op == "!") {
                tokens.push_back({Token::Type::Not, op, pos});
                continue;
            }
            if (op == "=") op = QStringLiteral("==");
            tokens.push_back({Token::Type::Op, op, pos});
        } else if (c == '"') {
            const int end = s.indexOf('"', i + 1);
            if (end < 0) throw ParseError{QStringLiteral("unterminated quote at position %1").arg(pos)};
            tokens.push_back({Token::Type::Word, s.mid(i + 1, end - i - 1), pos});
            i = end + 1;
        } else {
            int j = i;
            while (j < n && isWordChar(s[j])) ++j;
            const QString word = s.mid(i, j - i);
            const QString lower = word.toLower();
            Token::Type type = Token::Type::Word;
            if (lower == "and") type = Token::Type::And;
            else if (lower == "or") type = Token::Type::Or;
            else if (lower == "not") type = Token::Type::Not;
            tokens.push_back({type, word, pos});
            i = j;
        }
    }
    tokens.push_back({Token::Type::End, QString(), n + 1});
    return tokens;
}

class Parser {
public:
    Parser(std::vector<Token> tokens, QStringList& keys) : tokens_(std::move(tokens)), keys_(keys) {}

    NodePtr parseAll() {
        NodePtr root = parseOr();
        if (peek().type != Token::Type::End)
            throw ParseError{QStringLiteral("unexpected '%1' at position %2").arg(peek().text).arg(peek().position)};
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
            if (t == Token::Type::And) {
                next();
            } else if (t == Token::Type::Or || t == Token::Type::RParen || t == Token::Type::End) {
                break;
            }
            terms.push_back(parseUnary());
        }
        return combine(Node::Kind::And, std::move(terms));
    }

    NodePtr parseUnary() {
        if (peek().type == Token::Type::Not) {
            next();
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Not;
            node->children.push_back(parseUnary());
            return node;
        }
        return parsePrimary();
    }

    NodePtr parsePrimary() {
        const Token token = next();
        if (token.type == Token::Type::LParen) {
            NodePtr inner = parseOr();
            if (peek().type != Token::Type::RParen)
                throw ParseError{QStringLiteral("expected ')' at position %1 to close '(' at position %2")
                                     .arg(peek().position).arg(token.position)};
            next();
            return inner;
        }
        if (token.type != Token::Type::Word) {
            const QString what = token.type == Token::Type::End ? QStringLiteral("end of filter")
                                                                  : "'" + token.text + "'";
            throw ParseError{QStringLiteral("expected a metric, field or word at position %1, found %2")
                                 .arg(token.position).arg(what)};
        }
        auto node = std::make_shared<Node>();
        if (peek().type == Token::Type::Op) {
            const Token op = next();
            const Token value = next();
            if (value.type != Token::Type::Word)
                throw ParseError{QStringLiteral("expected a value after '%1' at position %2")
                                     .arg(op.text).arg(op.position)};
            node->kind = Node::Kind::Compare;
            node->key = token.text.toLower();
            node->op = op.text;
            node->text = value.text;
            bool ok = false;
            node->number = value.text.toDouble(&ok);
            node->isNumber = ok;
            if (!ok && op.text != "==" && op.text != "!=")
                throw ParseError{QStringLiteral("'%1' at position %2 is not a number ('%3' compares numbers)")
                                     .arg(value.text).arg(value.position).arg(op.text)};
            keys_.append(node->key);
            return node;
        }
        if (peek().type == Token::Type::Colon) {
            const Token colon = next();
            const Token value = next();
            if (value.type != Token::Type::Word)
                throw ParseError{QStringLiteral("expected a value after '%1:' at position %2")
                                     .arg(token.text).arg(colon.position)};
            node->kind = Node::Kind::FieldIn;
            node->key = token.text.toLower();
            for (const QString& alternative : value.text.split(',', Qt::SkipEmptyParts)) {
                node->patterns.emplace_back(
                    QRegularExpression::wildcardToRegularExpression(alternative),
                    QRegularExpression::CaseInsensitiveOption);
            }
            if (node->patterns.empty())
                throw ParseError{QStringLiteral("expected a value after '%1:' at position %2")
                                     .arg(token.text).arg(colon.position)};
            keys_.append(node->key);
            return node;
        }
        node->kind = Node::Kind::Word;
        node->text = token.text;
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
    QStringList& keys_;
};

bool compareNumbers(double a, const QString& op, double b) {
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
        for (const auto& child : node.children)
            if (matchesNode(*child, run)) return true;
        return false;
    case Node::Kind::And:
        for (const auto& child : node.children)
            if (!matchesNode(*child, run)) return false;
        return true;
    case Node::Kind::Not:
        return !matchesNode(*node.children.front(), run);
    case Node::Kind::Compare: {
        if (node.isNumber) {
            auto metric = run.metrics.constFind(node.key);
            if (metric != run.metrics.constEnd()) return compareNumbers(*metric, node.op, node.number);
        }
        auto field = run.fields.constFind(node.key);
        if (field == run.fields.constEnd()) return false;
        if (node.isNumber) {
            bool ok = false;
            const double value = field->toDouble(&ok);
            if (ok) return compareNumbers(value, node.op, node.number);
        }
        const bool equal = field->compare(node.text, Qt::CaseInsensitive) == 0;
        return node.op == "==" ? equal : (node.op == "!=" ? !equal : false);
    }
    case Node::Kind::FieldIn: {
        auto anyPattern = [&](const QString& value) {
            for (const auto& pattern : node.patterns)
                if (pattern.match(value).hasMatch()) return true;
            return false;
        };
        if (node.key == "tag" || node.key == "tags") {
            for (const QString& tag : run.tags)
                if (anyPattern(tag)) return true;
            return false;
        }
        auto field = run.fields.constFind(node.key);
        return field != run.fields.constEnd() && anyPattern(*field);
    }
    case Node::Kind::Word: {
        for (const char* key : {"name", "method", "dataset"}) {
            auto field = run.fields.constFind(QLatin1String(key));
            if (field != run.fields.constEnd() && field->contains(node.text, Qt::CaseInsensitive)) return true;
        }
        for (const QString& tag : run.tags)
            if (tag.contains(node.text, Qt::CaseInsensitive)) return true;
        return false;
    }
    }
    return false;
}

}  // namespace

FilterExpression::FilterExpression() = default;
FilterExpression::~FilterExpression() = default;
FilterExpression::FilterExpression(const FilterExpression&) = default;
FilterExpression& FilterExpression::operator=(const FilterExpression&) = default;

FilterExpression FilterExpression::parse(const QString& expression) {
    FilterExpression filter;
    if (expression.trimmed().isEmpty()) return filter;
    try {
        Parser parser(tokenize(expression), filter.keys_);
        filter.root_ = parser.parseAll();
    } catch (const ParseError& e) {
        filter.root_.reset();
        filter.keys_.clear();
        filter.error_ = e.message;
    }
    filter.keys_.removeDuplicates();
    return filter;
}

bool FilterExpression::isEmpty() const { return !root_ && error_.isEmpty(); }

bool FilterExpression::matches(const FilterableRun& run) const {
    if (!error_.isEmpty()) return false;
    return !root_ || matchesNode(*root_, run);
}

}  // namespace glr::ui
