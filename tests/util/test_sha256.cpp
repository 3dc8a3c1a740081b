// SHA-256 against the FIPS 180-2 / NIST example vectors (independently published digests).
#include <QtTest>

#include <string>

#include "util/sha256.h"

class TestSha256 : public QObject {
    Q_OBJECT
private slots:
    void knownVectors_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray("")
                               << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc")
                             << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("448 bits")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("896 bits")
            << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
        QTest::newRow("fox") << QByteArray("The quick brown fox jumps over the lazy dog")
                             << "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592";
    }
    void knownVectors() {
        QFETCH(QByteArray, input);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(glr::sha256Hex(std::string_view(input.constData(), input.size()))),
                 expected);
    }

    // One million 'a' fed in uneven chunks exercises the block boundary handling.
    void millionAInChunks() {
        glr::Sha256 hasher;
        std::string chunk(997, 'a');
        std::size_t left = 1000000;
        while (left > 0) {
            std::size_t take = std::min(left, chunk.size());
            hasher.update(chunk.data(), take);
            left -= take;
        }
        QCOMPARE(QString::fromStdString(hasher.hexDigest()),
                 QString("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    // Lengths around the 55/56/64-byte padding edges must match byte-at-a-time hashing.
    void paddingEdgesIncremental() {
        for (std::size_t n : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u}) {
            std::string text(n, 'x');
            glr::Sha256 oneByOne;
            for (char c : text) oneByOne.update(&c, 1);
            QCOMPARE(oneByOne.hexDigest(), glr::sha256Hex(text));
        }
    }
};

QTEST_APPLESS_MAIN(TestSha256)
#include "test_sha256.moc"
