// writeFileAtomic: a file is replaced whole or not at all, also when the disk fills up part-way
// through the new contents, and no temporary file is left behind either way.
#include <QtTest>

#include <filesystem>
#include <string>

#include "common/full_disk.h"
#include "util/error.h"
#include "util/files.h"

namespace fs = std::filesystem;

namespace {

// Files in `dir` other than `keep`: leftover temporaries.
int strayFiles(const fs::path& dir, const std::string& keep) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename() != keep) ++n;
    return n;
}

}  // namespace

class TestFiles : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    fs::path dir(const std::string& name) const {
        const fs::path d = fs::path(tmp_.path().toStdString()) / name;
        fs::create_directories(d);
        return d;
    }

private slots:
    void replacesTheWholeFile() {
        const fs::path d = dir("replace");
        const std::string path = (d / "a.json").string();
        glr::writeFileAtomic(path, "first version, longer than the second");
        glr::writeFileAtomic(path, "second");
        QCOMPARE(glr::readFile(path), std::string("second"));
        QCOMPARE(strayFiles(d, "a.json"), 0);
    }

    void missingDirectoryIsAnError() {
        const std::string path = (fs::path(tmp_.path().toStdString()) / "no-such-dir" / "a.json").string();
        QVERIFY_THROWS_EXCEPTION(glr::Error, glr::writeFileAtomic(path, "x"));
        QVERIFY(!fs::exists(path));
    }

    // The disk fills while the new contents are written: the error names the file and the reason,
    // the previous contents stay, and the half-written temporary is removed.
    void fullDiskKeepsThePreviousFile() {
        const fs::path d = dir("full");
        const std::string path = (d / "checkpoint.safetensors").string();
        const std::string previous(100000, 'p');
        glr::writeFileAtomic(path, previous);
        const std::string message = glr::test::errorUnderFileSizeLimit(
            200000, [&] { glr::writeFileAtomic(path, std::string(1000000, 'n')); });
        QVERIFY2(message.find(path) != std::string::npos, message.c_str());
        QVERIFY2(message.find("write failed") != std::string::npos, message.c_str());
        QVERIFY2(message.find("previous file is untouched") != std::string::npos, message.c_str());
        QVERIFY(glr::readFile(path) == previous);
        QCOMPARE(strayFiles(d, "checkpoint.safetensors"), 0);
        // Within the limit the same call succeeds (the limit, not the code, made it fail).
        QCOMPARE(glr::test::errorUnderFileSizeLimit(200000, [&] { glr::writeFileAtomic(path, std::string(150000, 'n')); }),
                 std::string());
        QCOMPARE(glr::readFile(path).size(), std::size_t(150000));
    }
};

QTEST_APPLESS_MAIN(TestFiles)
#include "test_files.moc"
