#include "settings/settings.h"

namespace glr::ui {

namespace {
std::unique_ptr<QSettings>& current() {
    static std::unique_ptr<QSettings> settings;
    return settings;
}
}  // namespace

QSettings& SettingsStorage::settings() {
    auto& settings = current();
    if (!settings) settings = std::make_unique<QSettings>(QStringLiteral("GraphLoRA"), QStringLiteral("Workbench"));
    return *settings;
}

void SettingsStorage::useFile(const QString& iniPath) {
    auto& settings = current();
    if (iniPath.isEmpty()) settings.reset();
    else settings = std::make_unique<QSettings>(iniPath, QSettings::IniFormat);
}

}  // namespace glr::ui
