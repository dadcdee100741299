#include "error.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace cairn {

QString Error::location() const
{
    if (file.isEmpty())
        return {};
    QString loc = QDir::toNativeSeparators(file);
    if (line > 0) {
        loc += u':' + QString::number(line);
        if (column > 0)
            loc += u':' + QString::number(column);
    }
    return loc;
}

QString Error::toString() const
{
    QString out = location();
    if (!out.isEmpty())
        out += u": "_s;
    out += message;
    if (!hint.isEmpty())
        out += u". "_s + hint;
    return out;
}

} // namespace cairn
