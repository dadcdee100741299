#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace cairn {

// "0.1.0"
QString cairnVersion();

// The libraries this build uses and their versions, for About boxes and bug reports.
// The ui layer adds its own (Qt Widgets, QCustomPlot).
QList<std::pair<QString, QString>> coreLibraryVersions();

} // namespace cairn
