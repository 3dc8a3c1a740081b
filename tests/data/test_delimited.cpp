// Delimited reader: delimiters of one or several characters, RFC 4180 quoting, encodings, and
// every malformed-row class reported with file, line and field.
#include <QtTest>

#include <cstring>
#include <fstream>

#include "common/test_support.h"
#include "data/delimited.h"
#include "data/synthetic.h"
#include "data/text.h"
#include "util/error.h"

using namespace glr::data;

class TestDelimited : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const std::string& name, const std::string& bytes) { return glr::test::writeFileIn(dir_, name, bytes); }

    static std::vector<std::vector<std::string>> readAll(DelimitedReader& reader, std::vector<std::int64_t>* lines = nullptr) {
        std::vector<std::vector<std::string>> out;
        DelimitedReader::Record r;
        while (reader.next(r)) {
            out.emplace_back(r.fields.begin(), r.fields.end());
            if (lines) lines->push_back(r.line);
        }
        return out;
    }

    template <typename F>
    void expectError(F body, const std::vector<std::string>& needles) { glr::test::expectInputError(body, needles); }

private slots:
    void singleCharacterDelimiters_data() {
        QTest::addColumn<QString>("delimiter");
        QTest::newRow("comma") << ",";
        QTest::newRow("tab") << "\t";
        QTest::newRow("pipe") << "|";
        QTest::newRow("double colon") << "::";
        QTest::newRow("three chars") << "<|>";
    }
    void singleCharacterDelimiters() {
        QFETCH(QString, delimiter);
        const std::string d = delimiter.toStdString();
        const std::string path = write("d.txt", "a" + d + "b" + d + "c\n1" + d + d + "3\r\n\n4" + d + "5" + d + "\n");
        DelimitedFormat f;
        f.delimiter = d;
        DelimitedReader reader(path, f);
        QCOMPARE(reader.header(), (std::vector<std::string>{"a", "b", "c"}));
        std::vector<std::int64_t> lines;
        auto rows = readAll(reader, &lines);
        QCOMPARE(rows, (std::vector<std::vector<std::string>>{{"1", "", "3"}, {"4", "5", ""}}));
        QCOMPARE(lines, (std::vector<std::int64_t>{2, 4}));  // the empty line 3 is skipped
    }

    void rfc4180Quoting() {
        const std::string path = write("q.csv",
                                       "\xEF\xBB\xBFid,title,genres\r\n"
                                       "1,\"American President, The (1995)\",Comedy\r\n"
                                       "2,\"Say \"\"Hi\"\" (2001)\",\"\"\r\n"
                                       "3,\"two\nlines\",x\n"
                                       "4,plain \"inner\" quotes,y\n");
        DelimitedFormat f;
        f.quote = '"';
        DelimitedReader reader(path, f);
        QCOMPARE(reader.header().front(), std::string("id"));  // BOM skipped
        std::vector<std::int64_t> lines;
        auto rows = readAll(reader, &lines);
        QCOMPARE(rows.size(), std::size_t(4));
        QCOMPARE(rows[0][1], std::string("American President, The (1995)"));
        QCOMPARE(rows[1][1], std::string("Say \"Hi\" (2001)"));
        QCOMPARE(rows[1][2], std::string(""));
        QCOMPARE(rows[2][1], std::string("two\nlines"));
        QCOMPARE(rows[3][1], std::string("plain \"inner\" quotes"));
        QCOMPARE(lines, (std::vector<std::int64_t>{2, 3, 4, 6}));  // the quoted newline counts
    }

    void quotingErrors() {
        DelimitedFormat f;
        f.quote = '"';
        const std::string unterminated = write("u.csv", "a,b\n1,2\n3,\"open\n");
        expectError([&] { DelimitedReader r(unterminated, f); readAll(r); }, {"u.csv:3", "never closed"});
        const std::string trailing = write("t.csv", "a,b\n1,\"x\"y\n");
        expectError([&] { DelimitedReader r(trailing, f); readAll(r); }, {"t.csv:2", "after a closing quote"});
    }

    void wrongFieldCount() {
        const std::string path = write("count.csv", "u,i,r\n1,2,3\n4,5\n");
        expectError([&] { DelimitedReader r(path, {}); readAll(r); }, {"count.csv:3:", "expected 3 fields", "found 2"});
        // Without a header the first record fixes the count.
        const std::string noHeader = write("nh.dat", "1::2::3::4\n5::6::7::8\n9::10::11\n");
        DelimitedFormat f;
        f.delimiter = "::";
        f.header = false;
        expectError([&] { DelimitedReader r(noHeader, f); readAll(r); }, {"nh.dat:3:", "expected 4 fields"});
    }

    void invalidUtf8NamesLineAndField() {
        const std::string path = write("bad.csv", "movieId,title\n1,Toy Story\n2,Am\xE9lie\n");
        expectError([&] { DelimitedReader r(path, {}); readAll(r); },
                    {"bad.csv:3:", "field 'title' (#1)", "invalid UTF-8", "0xE9", "latin-1"});
        // Overlong and surrogate encodings are invalid too.
        QVERIFY(findInvalidUtf8("\xC0\xAF") == 0);
        QVERIFY(findInvalidUtf8("ok\xED\xA0\x80") == 2);
        QVERIFY(findInvalidUtf8("Am\xC3\xA9lie \xF0\x9F\x8E\xAC") == std::string::npos);
    }

    void latin1IsConvertedToUtf8() {
        const std::string path = write("latin1.dat", "7::Am\xE9lie (2001)::Comedy\n8::Caf\xE9 au Lait::Drama\n");
        DelimitedFormat f;
        f.delimiter = "::";
        f.header = false;
        f.encoding = TextEncoding::Latin1;
        DelimitedReader reader(path, f);
        auto rows = readAll(reader);
        QCOMPARE(rows[0][1], std::string("Am\xC3\xA9lie (2001)"));
        QCOMPARE(rows[1][1], std::string("Caf\xC3\xA9 au Lait"));
    }

    void columnsByNameAndIndex() {
        const std::string path = write("cols.csv", "userId,movieId,rating\n1,2,3\n");
        DelimitedReader reader(path, {});
        ColumnRef byName{"rating", -1};
        ColumnRef byIndex{"", 1};
        QCOMPARE(reader.resolve(byName, "columns.rating"), 2);
        QCOMPARE(reader.resolve(byIndex, "columns.item"), 1);
        expectError([&] { reader.resolve(ColumnRef{"userid", -1}, "columns.user"); },
                    {"cols.csv", "columns.user", "no column named 'userid'", "did you mean 'userId'"});
        expectError([&] { reader.resolve(ColumnRef{"", 5}, "columns.user"); }, {"index 5 is out of range", "3 fields"});
        DelimitedFormat f;
        f.header = false;
        DelimitedReader noHeader(path, f);
        expectError([&] { noHeader.resolve(byName, "columns.rating"); }, {"no header"});
    }

    void movielensMoviesDatFromShared() {
        GLR_REQUIRE_SHARED("data/ml-1m-meta/movies.dat");
        DelimitedFormat f;
        f.delimiter = "::";
        f.header = false;
        DelimitedReader reader(glr::test::sharedPath("data/ml-1m-meta/movies.dat"), f);
        std::vector<std::int64_t> lines;
        auto rows = readAll(reader, &lines);
        QCOMPARE(rows.size(), std::size_t(3883));  // `wc -l movies.dat`
        QCOMPARE(rows.front(), (std::vector<std::string>{"1", "Toy Story (1995)", "Animation|Children's|Comedy"}));
        QCOMPARE(rows.back()[0], std::string("3952"));
        QCOMPARE(lines.back(), std::int64_t(3883));
        // The shared copy is UTF-8 (README); its accented titles were replaced upstream by U+FFFD.
        QCOMPARE(rows[566][0], std::string("570"));
        QVERIFY(rows[566][1].find("\xEF\xBF\xBD") != std::string::npos);
    }

    void generatedRatingsDat() {
        SyntheticOptions o;
        o.rows = 5000;
        o.users = 60;
        o.items = 90;
        o.delimiter = "::";
        const SyntheticFiles files = writeSyntheticDataset(dir_.filePath("gen").toStdString(), o);
        DelimitedFormat f;
        f.delimiter = "::";
        f.header = false;
        DelimitedReader reader(files.ratingsPath, f);
        auto rows = readAll(reader);
        QCOMPARE(rows.size(), std::size_t(5000));
        std::int64_t previousUser = 0;
        for (const auto& row : rows) {
            QCOMPARE(row.size(), std::size_t(4));  // UserID::MovieID::Rating::Timestamp
            const auto user = parseInt64(row[0]), rating = parseInt64(row[2]), t = parseInt64(row[3]);
            QVERIFY(user && rating && t);
            QVERIFY(*user >= previousUser);  // grouped by user like ratings.dat
            previousUser = *user;
            QVERIFY(*rating >= 1 && *rating <= 5);
            QVERIFY(*t >= o.startTime && *t < o.endTime);
        }
    }

    void datesAndNumbers() {
        QCOMPARE(*parseUtcDateTime("2000-04-01"), std::int64_t(954547200));
        QCOMPARE(*parseUtcDateTime("2001-06-01"), std::int64_t(991353600));
        QCOMPARE(*parseUtcDateTime("2003-03-01T00:00:01Z"), std::int64_t(1046476801));
        QCOMPARE(*parseUtcDateTime("1970-01-01 00:00:00"), std::int64_t(0));
        QCOMPARE(*parseUtcDateTime("2000-02-29"), std::int64_t(951782400));
        QVERIFY(!parseUtcDateTime("2001-02-29"));
        QVERIFY(!parseUtcDateTime("2001-13-01"));
        QVERIFY(!parseUtcDateTime("01-06-2001"));
        QCOMPARE(formatUtcDateTime(991353600), std::string("2001-06-01"));
        QCOMPARE(formatUtcDateTime(991353601), std::string("2001-06-01 00:00:01"));
        QCOMPARE(*parseTimestamp(" 978300760 "), std::int64_t(978300760));
        QCOMPARE(*parseDouble("4.5"), 4.5);
        QVERIFY(!parseDouble("4,5"));
        QVERIFY(!parseDouble("nan"));
        QVERIFY(!parseInt64("12x"));
    }
};

QTEST_APPLESS_MAIN(TestDelimited)
#include "test_delimited.moc"
