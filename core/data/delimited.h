#pragma once
// Reader for delimited text files (CSV, TSV, MovieLens "::" files, "|"-separated dumps).
//
// - The delimiter is any non-empty string ("," "\t" "|" "::").
// - With a quote character, fields follow RFC 4180: a field that starts with the quote runs to
//   the matching quote, may contain delimiters and newlines, and "" stands for one quote.
// - utf-8 input is validated; latin-1 input is converted to UTF-8 first. A UTF-8 BOM is skipped.
// - Empty lines are skipped; "\r\n" line ends are accepted.
//
// The file is memory-mapped (utf-8) or converted once into one buffer (latin-1), and records
// are handed out as string_views into that buffer: no per-field allocation. Every problem is
// reported as an InputError "FILE:LINE: field 'NAME' (column K): ..." through fieldError().
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/files.h"

namespace glr::data {

enum class TextEncoding { Utf8, Latin1 };

struct DelimitedFormat {
    std::string delimiter = ",";
    char quote = 0;  // 0: no quoting
    bool header = true;
    TextEncoding encoding = TextEncoding::Utf8;
};

// A column chosen by header name or by 0-based index.
struct ColumnRef {
    std::string name;  // used when not empty
    int index = -1;
    bool given() const { return !name.empty() || index >= 0; }
    std::string describe() const;  // "'userId'" or "#2"
};

class DelimitedReader {
public:
    struct Record {
        std::vector<std::string_view> fields;
        std::int64_t line = 0;  // 1-based physical line where the record starts
    };

    DelimitedReader(const std::string& path, DelimitedFormat format);

    const std::string& path() const { return path_; }
    const DelimitedFormat& format() const { return format_; }
    // Header names (empty when format.header is false).
    const std::vector<std::string>& header() const { return header_; }
    // Column index of `column`; `key` names the spec entry in the error ("columns.user").
    int resolve(const ColumnRef& column, const std::string& key) const;

    // Reads the next record into `record`; false at the end. Throws on a wrong field count (the
    // count is fixed by the header, or by the first record without one) or invalid UTF-8.
    bool next(Record& record);

    // Fraction of the input consumed, for progress reports.
    double progress() const;

    // Throws InputError "PATH:LINE: field 'NAME' (column K): MESSAGE".
    [[noreturn]] void fieldError(const Record& record, int column, const std::string& message) const;
    std::string columnName(int column) const;

private:
    bool splitRecord(Record& record);
    void checkUtf8(const Record& record, const char* begin, const char* end);

    std::string path_;
    DelimitedFormat format_;
    MappedFile mapped_;
    std::string converted_;  // latin-1 input decoded to UTF-8
    const char* begin_ = nullptr;
    const char* end_ = nullptr;
    const char* cursor_ = nullptr;
    std::int64_t line_ = 1;
    std::size_t invalidUtf8At_ = std::string::npos;  // first bad byte, offset from begin_
    std::vector<std::string> header_;
    int expectedFields_ = -1;
    std::string scratch_;  // unescaped quoted fields of the current record
};

}  // namespace glr::data
