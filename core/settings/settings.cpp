#include "settings.h"

#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace cairn {

std::unique_ptr<QSettings> openSettings()
{
    return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, u"cairn"_s,
                                       u"cairn"_s);
}

namespace settings {
const Setting<QString> pythonInterpreter{"runs/pythonInterpreter", QString()};
const Setting<QString> theme{"ui/theme", u"system"_s};
const Setting<int> maxConcurrentRuns{"runs/maxConcurrent", 2};
const Setting<int> objectsMaxFileMB{"objects/maxFileMB", 256};
const Setting<int> objectsMaxTotalMB{"objects/maxTotalMB", 2048};
const Setting<QByteArray> windowGeometry{"ui/windowGeometry", QByteArray()};
const Setting<QByteArray> windowState{"ui/windowState", QByteArray()};
const Setting<QString> lastProject{"ui/lastProject", QString()};
} // namespace settings

Theme themeFromName(const QString &name)
{
    if (name == u"light"_s)
        return Theme::Light;
    if (name == u"dark"_s)
        return Theme::Dark;
    return Theme::System;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return u"light"_s;
    case Theme::Dark:
        return u"dark"_s;
    case Theme::System:
        break;
    }
    return u"system"_s;
}

std::expected<QString, QString> resolvePythonInterpreter(const QString &setting)
{
    const QString configured = setting.trimmed();
    if (!configured.isEmpty()) {
        if (QFileInfo(configured).isExecutable() && QFileInfo(configured).isFile())
            return configured;
        const QString found = QStandardPaths::findExecutable(configured);
        if (!found.isEmpty())
            return found;
        return std::unexpected(u"the Python interpreter \"%1\" set in Settings does not exist; "
                               "choose another one in Settings"_s.arg(configured));
    }
    for (const QString &name : {u"python3"_s, u"python"_s}) {
        const QString found = QStandardPaths::findExecutable(name);
        if (!found.isEmpty())
            return found;
    }
    return std::unexpected(u"no Python interpreter found on PATH; install python3 or choose an "
                           "interpreter in Settings"_s);
}

} // namespace cairn
