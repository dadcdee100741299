#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

#include <expected>
#include <memory>

namespace cairn {

// The user's settings file (~/.config/cairn/cairn.conf on Linux).
std::unique_ptr<QSettings> openSettings();

// A setting declared once, with its key, type and default (the model is Tiled's Preference<T>).
// Reading never fails: a missing or unreadable value gives the default.
template<typename T>
class Setting
{
public:
    constexpr Setting(const char *key, T defaultValue)
        : m_key(key)
        , m_default(std::move(defaultValue))
    {}

    T get() const
    {
        const QVariant v = openSettings()->value(QLatin1StringView(m_key));
        if (!v.isValid() || !v.canConvert<T>())
            return m_default;
        return v.value<T>();
    }
    void set(const T &value) const { openSettings()->setValue(QLatin1StringView(m_key), value); }
    void reset() const { openSettings()->remove(QLatin1StringView(m_key)); }
    const char *key() const { return m_key; }
    const T &defaultValue() const { return m_default; }

private:
    const char *m_key;
    T m_default;
};

enum class Theme
{
    System,
    Light,
    Dark
};

namespace settings {
// The interpreter that runs `python` in entry point commands. Empty: find python3 on PATH.
extern const Setting<QString> pythonInterpreter;
// "system", "light" or "dark".
extern const Setting<QString> theme;
// How many runs may execute at the same time; more wait in the queue.
extern const Setting<int> maxConcurrentRuns;
// The object store (.cairn/objects/): the contents of declared datasets and models are kept
// when a file is at most `objectsMaxFileMB` MiB, and the store is kept under
// `objectsMaxTotalMB` MiB by removing the oldest contents no declared file holds now.
// 0 turns keeping off.
extern const Setting<int> objectsMaxFileMB;
extern const Setting<int> objectsMaxTotalMB;
// Main window geometry and layout.
extern const Setting<QByteArray> windowGeometry;
extern const Setting<QByteArray> windowState;
// The project shown at the last exit.
extern const Setting<QString> lastProject;
} // namespace settings

Theme themeFromName(const QString &name);
QString themeName(Theme theme);

// The interpreter to use: the setting when set (an error if it names no program), else python3,
// else python, found on PATH.
std::expected<QString, QString> resolvePythonInterpreter(const QString &configured);
inline std::expected<QString, QString> resolvePythonInterpreter()
{
    return resolvePythonInterpreter(settings::pythonInterpreter.get());
}

} // namespace cairn
