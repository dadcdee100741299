#include "version.h"

#include "vcs/git.h"

#include <QtGlobal>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace cairn {

QString cairnVersion()
{
    return QStringLiteral(CAIRN_VERSION);
}

QList<std::pair<QString, QString>> coreLibraryVersions()
{
    return {
        {u"Qt"_s, QString::fromLatin1(qVersion())},
        {u"SQLite"_s, QString::fromLatin1(sqlite3_libversion())},
        {u"libgit2"_s, libgit2Version()},
        {u"yaml-cpp"_s, QStringLiteral(CAIRN_YAML_CPP_VERSION)},
    };
}

} // namespace cairn
