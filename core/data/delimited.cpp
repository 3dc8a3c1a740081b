#include "data/delimited.h"

#include <cstring>

#include <fmt/format.h>

#include "data/prepare_spec.h"
#include "data/text.h"
#include "util/did_you_mean.h"
#include "util/error.h"

namespace glr::data {

std::string ColumnRef::describe() const {
    return name.empty() ? fmt::format("#{}", index) : fmt::format("'{}'", name);
}

DelimitedReader::DelimitedReader(const std::string& path, DelimitedFormat format)
    : path_(path), format_(std::move(format)) {
    if (format_.delimiter.empty()) failInput("{}: the delimiter is empty", path_);
    if (format_.quote && format_.delimiter.find(format_.quote) != std::string::npos)
        failInput("{}: the quote character is part of the delimiter", path_);
    try {
        mapped_ = MappedFile(path_);
    } catch (const std::exception& e) {
        failInput("{}", e.what());
    }
    const char* data = reinterpret_cast<const char*>(mapped_.data());
    std::string_view raw(data ? data : "", mapped_.size());
    if (format_.encoding == TextEncoding::Latin1) {
        converted_ = latin1ToUtf8(raw);
        raw = converted_;
    } else if (raw.size() >= 3 && std::memcmp(raw.data(), "\xEF\xBB\xBF", 3) == 0) {
        raw.remove_prefix(3);
    }
    begin_ = raw.data();
    end_ = raw.data() + raw.size();
    cursor_ = begin_;
    if (format_.encoding == TextEncoding::Utf8) invalidUtf8At_ = findInvalidUtf8(raw);

    Record first;
    if (format_.header) {
        if (!next(first)) failInput("{}: the file is empty (a header line was expected)", path_);
        for (auto field : first.fields) header_.emplace_back(trimAscii(field));
        expectedFields_ = static_cast<int>(header_.size());
    } else {
        // The first record fixes the field count; read it, then start over.
        const char* start = cursor_;
        const std::int64_t line = line_;
        if (next(first)) {
            cursor_ = start;
            line_ = line;
        }
    }
}

double DelimitedReader::progress() const {
    return end_ == begin_ ? 1.0 : double(cursor_ - begin_) / double(end_ - begin_);
}

std::string DelimitedReader::columnName(int column) const {
    if (column >= 0 && column < static_cast<int>(header_.size()))
        return fmt::format("'{}' (#{})", header_[column], column);
    return fmt::format("#{}", column);
}

void DelimitedReader::fieldError(const Record& record, int column, const std::string& message) const {
    throw InputError(fmt::format("{}:{}: field {}: {}", path_, record.line, columnName(column), message));
}

int DelimitedReader::resolve(const ColumnRef& column, const std::string& key) const {
    if (!column.name.empty()) {
        if (!format_.header)
            failInput("{}: {} names column '{}' but the file has no header (\"header\": false); give a "
                      "0-based index instead",
                      path_, key, column.name);
        for (std::size_t i = 0; i < header_.size(); ++i)
            if (header_[i] == column.name) return static_cast<int>(i);
        std::string list;
        for (const auto& h : header_) list += (list.empty() ? "" : ", ") + h;
        const std::string hint = didYouMean(column.name, header_);
        failInput("{}: {}: no column named '{}' in the header ({}){}", path_, key, column.name, list,
                  hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
    }
    if (column.index < 0) failInput("{}: {}: no column given", path_, key);
    if (expectedFields_ >= 0 && column.index >= expectedFields_)
        failInput("{}: {}: column index {} is out of range: the file has {} fields per line (indices "
                  "0..{})",
                  path_, key, column.index, expectedFields_, expectedFields_ - 1);
    return column.index;
}

bool DelimitedReader::next(Record& record) {
    while (cursor_ < end_) {
        if (*cursor_ == '\n') {
            ++cursor_;
            ++line_;
            continue;
        }
        if (*cursor_ == '\r' && (cursor_ + 1 == end_ || cursor_[1] == '\n')) {
            cursor_ += cursor_ + 1 == end_ ? 1 : 2;
            ++line_;
            continue;
        }
        record.line = line_;
        const char* start = cursor_;
        splitRecord(record);
        if (invalidUtf8At_ != std::string::npos && begin_ + invalidUtf8At_ < cursor_ &&
            begin_ + invalidUtf8At_ >= start)
            checkUtf8(record, start, cursor_);
        const int found = static_cast<int>(record.fields.size());
        if (expectedFields_ < 0) {
            expectedFields_ = found;
        } else if (found != expectedFields_) {
            failInput("{}:{}: expected {} fields separated by {}, found {}{}", path_, record.line,
                      expectedFields_, quoteForMessage(format_.delimiter), found,
                      format_.quote || found < expectedFields_
                          ? std::string()
                          : " (a field contains the delimiter? set \"quote\" if the file quotes fields)");
        }
        return true;
    }
    return false;
}

void DelimitedReader::checkUtf8(const Record& record, const char* begin, const char* end) {
    const char* bad = begin_ + invalidUtf8At_;
    int column = -1;
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
        const char* f = record.fields[i].data();
        if (f <= bad && bad < f + record.fields[i].size()) column = static_cast<int>(i);
    }
    const auto byte = static_cast<unsigned char>(*bad);
    const std::string what = fmt::format(
        "invalid UTF-8 (byte 0x{:02X}); if the file is latin-1, set \"encoding\": \"latin-1\"", byte);
    if (column >= 0) fieldError(record, column, what);
    failInput("{}:{}: {}", path_, record.line, what);
}

bool DelimitedReader::splitRecord(Record& record) {
    record.fields.clear();
    const std::string& delim = format_.delimiter;
    const std::size_t dlen = delim.size();
    const char d0 = delim[0];

    if (!format_.quote) {
        const char* nl = static_cast<const char*>(std::memchr(cursor_, '\n', end_ - cursor_));
        const char* lineEnd = nl ? nl : end_;
        const char* contentEnd = lineEnd;
        if (contentEnd > cursor_ && contentEnd[-1] == '\r') --contentEnd;
        const char* p = cursor_;
        while (true) {
            const char* hit = nullptr;
            if (dlen == 1) {
                hit = static_cast<const char*>(std::memchr(p, d0, contentEnd - p));
            } else {
                const std::size_t at = std::string_view(p, contentEnd - p).find(delim);
                if (at != std::string_view::npos) hit = p + at;
            }
            if (!hit) {
                record.fields.emplace_back(p, contentEnd - p);
                break;
            }
            record.fields.emplace_back(p, hit - p);
            p = hit + dlen;
        }
        cursor_ = nl ? nl + 1 : end_;
        if (nl) ++line_;
        return true;
    }

    // RFC 4180. Unescaped quoted fields are views into the buffer; fields with "" escapes are
    // built in scratch_ and turned into views once the record is complete (scratch_ may grow).
    const char quote = format_.quote;
    scratch_.clear();
    struct Pending {
        std::size_t field, offset, length;
    };
    Pending pendingStore[8];
    std::vector<Pending> pendingMore;
    std::size_t pendingCount = 0;
    auto addPending = [&](Pending p) {
        if (pendingCount < 8) pendingStore[pendingCount] = p;
        else pendingMore.push_back(p);
        ++pendingCount;
    };

    const char* p = cursor_;
    const std::int64_t startLine = line_;
    while (true) {
        if (p < end_ && *p == quote) {
            const char* q = p + 1;
            const char* contentStart = q;
            bool escaped = false;
            std::size_t scratchStart = scratch_.size();
            while (true) {
                if (q >= end_)
                    failInput("{}:{}: field #{}: the quote opened here is never closed", path_, startLine,
                              record.fields.size());
                if (*q == quote) {
                    if (q + 1 < end_ && q[1] == quote) {
                        if (!escaped) {
                            scratch_.append(contentStart, q - contentStart);
                            escaped = true;
                        } else {
                            scratch_.append(contentStart, q - contentStart);
                        }
                        scratch_.push_back(quote);
                        q += 2;
                        contentStart = q;
                        continue;
                    }
                    break;
                }
                if (*q == '\n') ++line_;
                ++q;
            }
            if (escaped) {
                scratch_.append(contentStart, q - contentStart);
                addPending({record.fields.size(), scratchStart, scratch_.size() - scratchStart});
                record.fields.emplace_back();
            } else {
                record.fields.emplace_back(p + 1, q - (p + 1));
            }
            p = q + 1;  // past the closing quote
            if (p >= end_ || *p == '\n' || (*p == '\r' && (p + 1 == end_ || p[1] == '\n'))) break;
            if (static_cast<std::size_t>(end_ - p) >= dlen && std::memcmp(p, delim.data(), dlen) == 0) {
                p += dlen;
                continue;
            }
            failInput("{}:{}: field #{}: unexpected text after a closing quote: {}", path_, line_,
                      record.fields.size() - 1, quoteForMessage(std::string_view(p, std::min<std::size_t>(end_ - p, 20))));
        }
        // Unquoted field: up to the delimiter or the end of the line.
        const char* f = p;
        while (p < end_ && *p != '\n') {
            if (*p == d0 && static_cast<std::size_t>(end_ - p) >= dlen && std::memcmp(p, delim.data(), dlen) == 0)
                break;
            ++p;
        }
        const char* fieldEnd = p;
        const bool atDelimiter = p < end_ && *p != '\n';
        if (!atDelimiter && fieldEnd > f && fieldEnd[-1] == '\r') --fieldEnd;
        record.fields.emplace_back(f, fieldEnd - f);
        if (!atDelimiter) break;
        p += dlen;
    }
    // p is at the line end ('\n', "\r\n" or EOF) of the record's last line.
    if (p < end_ && *p == '\r') ++p;
    if (p < end_ && *p == '\n') {
        ++p;
        ++line_;
    }
    cursor_ = p;
    for (std::size_t i = 0; i < pendingCount; ++i) {
        const Pending& pending = i < 8 ? pendingStore[i] : pendingMore[i - 8];
        record.fields[pending.field] = std::string_view(scratch_.data() + pending.offset, pending.length);
    }
    return true;
}

}  // namespace glr::data
