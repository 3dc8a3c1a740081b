#pragma once
// Typed settings (after qBittorrent's SettingValue<T> and Tiled's SessionOption<T>): every key the
// workbench remembers is declared once below with its type and default; nothing else in ui/
// spells a settings key.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <memory>

namespace glr::ui {

// Where settings live: the platform's user settings, or a file chosen at start-up (tests and
// --screenshot use a throw-away file so they never read or change the user's layout).
class SettingsStorage {
public:
    static QSettings& settings();
    static void useFile(const QString& iniPath);  // empty: back to the user's settings
};

template <typename T>
class SettingValue {
public:
    SettingValue(QString key, T defaultValue) : key_(std::move(key)), default_(std::move(defaultValue)) {}

    T get() const {
        const QVariant value = SettingsStorage::settings().value(key_);
        if (!value.isValid() || !value.canConvert<T>()) return default_;
        return value.template value<T>();
    }
    void set(const T& value) const { SettingsStorage::settings().setValue(key_, QVariant::fromValue(value)); }
    void reset() const { SettingsStorage::settings().remove(key_); }
    const QString& key() const { return key_; }
    const T& defaultValue() const { return default_; }

private:
    QString key_;
    T default_;
};

namespace settings {

inline const SettingValue<QByteArray> mainWindowGeometry{QStringLiteral("mainWindow/geometry"), {}};
inline const SettingValue<QByteArray> mainWindowState{QStringLiteral("mainWindow/state"), {}};
inline const SettingValue<int> currentPanel{QStringLiteral("mainWindow/currentPanel"), 2};
inline const SettingValue<QString> lastStorePath{QStringLiteral("store/lastPath"), {}};
inline const SettingValue<QString> lastConfigDir{QStringLiteral("experiment/lastConfigDir"), {}};
inline const SettingValue<QString> lastDataDir{QStringLiteral("dataset/lastDir"), {}};
inline const SettingValue<QString> lastExportDir{QStringLiteral("export/lastDir"), {}};
inline const SettingValue<double> curveSmoothing{QStringLiteral("curves/smoothing"), 0.6};
inline const SettingValue<int> curveXAxis{QStringLiteral("curves/xAxis"), 0};
inline const SettingValue<bool> curveLogY{QStringLiteral("curves/logY"), false};
inline const SettingValue<bool> curveShowRaw{QStringLiteral("curves/showRaw"), true};
inline const SettingValue<bool> curveGroupSeeds{QStringLiteral("curves/groupSeeds"), false};
inline const SettingValue<QString> runsFilter{QStringLiteral("runs/filter"), {}};
inline const SettingValue<int> exportWidth{QStringLiteral("export/width"), 800};
inline const SettingValue<int> exportHeight{QStringLiteral("export/height"), 500};

// One splitter state per panel; the panel name is the only variable part of the key.
inline SettingValue<QByteArray> splitterState(const QString& panel) {
    return {QStringLiteral("splitters/") + panel, {}};
}

}  // namespace settings
}  // namespace glr::ui
