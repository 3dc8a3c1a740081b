#pragma once
// Writes a whole text file or nothing: QSaveFile writes beside the target and renames on commit,
// so a full disk or a crash never leaves a half-written export or config behind.
#include <QString>

namespace glr::ui {

// false with *error = "PATH: reason" (when given) if the file could not be written.
bool writeTextFile(const QString& path, const QString& text, QString* error = nullptr);

}  // namespace glr::ui
