// safetensors reader/writer: round trip, and every class of malformed file gives a clear error.
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/test_support.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/sha256.h"

using glr::io::DType;
using glr::io::SafetensorsFile;
using glr::io::SafetensorsWriter;

namespace {

std::string headerFile(const std::string& json, std::size_t dataBytes, std::int64_t lengthOverride = -1) {
    std::string out;
    std::uint64_t len = lengthOverride >= 0 ? std::uint64_t(lengthOverride) : json.size();
    for (int i = 0; i < 8; ++i) out.push_back(char((len >> (8 * i)) & 0xff));
    out += json;
    out += std::string(dataBytes, '\0');
    return out;
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const std::string& name, const std::string& bytes) { return glr::test::writeFileIn(dir_, name, bytes); }

    void expectError(const std::string& bytes, const char* needle) {
        const std::string path = write("bad.safetensors", bytes);
        glr::test::expectInputError([&] { SafetensorsFile::open(path); }, {needle});
    }

private slots:
    void roundTrip() {
        SafetensorsWriter w;
        float f[6] = {1, 2, 3, 4, 5, 6};
        std::int64_t ids[3] = {7, -8, 9};
        std::uint16_t half[2] = {0x3c00, 0x4000};
        w.add("weights", DType::F32, {2, 3}, f, sizeof f);
        w.add("ids", DType::I64, {3}, ids, sizeof ids);
        w.add("bf", DType::BF16, {2}, half, sizeof half);
        w.add("empty", DType::U8, {0}, nullptr, 0);
        w.setMetadata("format", "pt");
        std::string path = dir_.filePath("ok.safetensors").toStdString();
        w.write(path);
        auto file = SafetensorsFile::open(path);
        QCOMPARE(file.tensors().size(), std::size_t(4));
        QCOMPARE(file.metadata().at("format"), std::string("pt"));
        const auto& t = file.get("weights");
        QCOMPARE(t.shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(std::memcmp(file.data(t), f, sizeof f), 0);
        QCOMPARE(std::memcmp(file.data(file.get("ids")), ids, sizeof ids), 0);
        QCOMPARE(file.get("bf").dtype, DType::BF16);
        QVERIFY_THROWS_EXCEPTION(glr::InputError, file.get("nope"));
    }

    void truncatedBeforeHeaderLength() { expectError("abc", "truncated"); }
    void headerLengthPastEnd() { expectError(headerFile("{}", 0, 1 << 30), "runs past the end"); }
    void hugeHeaderLength() { expectError(headerFile("{}", 0, -1).substr(0, 0) + std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", "runs past the end"); }
    void badJson() { expectError(headerFile("{\"a\": [1,", 0), "not valid JSON"); }
    void unknownDtype() {
        expectError(headerFile(R"({"w":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", 1), "unknown dtype 'F8'");
    }
    void offsetsOutOfRange() {
        expectError(headerFile(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "tensor 'w'");
    }
    void sizeMismatch() {
        expectError(headerFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16), "shape x dtype size needs 12");
    }
    void overlapping() {
        expectError(headerFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
                    "overlaps");
    }
    void shapeOverflow() {
        expectError(headerFile(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4), "overflows");
    }
    void negativeShape() {
        expectError(headerFile(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "non-negative");
    }
    void truncatedData() {
        SafetensorsWriter w;
        float f[4] = {1, 2, 3, 4};
        w.add("w", DType::F32, {4}, f, sizeof f);
        std::string bytes = w.serialise();
        expectError(bytes.substr(0, bytes.size() - 3), "outside the data section");
    }
    // Files written here carry their digest: one flipped bit anywhere (a tensor's data, its name,
    // the metadata) is refused, naming the file. The digest is the SHA-256 of the file with the
    // digest's own digits written as zeros.
    void flippedBitIsRefused() {
        SafetensorsWriter w;
        float f[4] = {1, 2, 3, 4};
        std::int64_t ids[2] = {5, 6};
        w.add("weights", DType::F32, {4}, f, sizeof f);
        w.add("ids", DType::I64, {2}, ids, sizeof ids);
        w.setMetadata("position", "step 12");
        const std::string bytes = w.serialise();
        const std::string path = write("digest.safetensors", bytes);
        const std::string digest = SafetensorsFile::open(path).metadata().at(glr::io::kDigestKey);
        std::string zeroed = bytes;
        zeroed.replace(zeroed.find(digest), digest.size(), std::string(64, '0'));
        QCOMPARE(digest, glr::sha256Hex(zeroed));
        for (const std::string& part : {std::string("weights"), std::string("step 12")}) {
            std::string damaged = bytes;
            damaged[damaged.find(part)] ^= 0x01;  // still valid JSON: "veights", "rtep 12"
            expectError(damaged, "does not match its checksum");
        }
        for (std::size_t at : {bytes.size() - sizeof ids - sizeof f, bytes.size() - 1}) {
            std::string damaged = bytes;
            damaged[at] = char(damaged[at] ^ 0x10);
            expectError(damaged, "does not match its checksum");
        }
    }

    // Files from elsewhere have no digest and open as they are; a digest that was edited is a
    // mismatch like damaged data.
    void digestIsCheckedOnlyWhereWritten() {
        const std::string plain = headerFile(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
        QCOMPARE(SafetensorsFile::open(write("plain.safetensors", plain)).tensors().size(), std::size_t(1));
        const std::string wrong = headerFile(
            R"({"__metadata__":{"graphlora.sha256":"00"},"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
        expectError(wrong, "does not match its checksum");
    }

    void goldenFixtureOpens() {
        GLR_REQUIRE_SHARED("fixtures/llama_dev/io.safetensors");
        auto file = SafetensorsFile::open(glr::test::sharedPath("fixtures/llama_dev/io.safetensors"));
        QCOMPARE(file.get("logits").shape, (std::vector<std::int64_t>{3, 16, 512}));
        QCOMPARE(file.get("input_ids").dtype, DType::I64);
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
