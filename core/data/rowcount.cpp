#include "rowcount.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace cairn {

Result<qint64> countRecords(const QString &path, const Progress &progress)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    const bool jsonl = path.endsWith(u".jsonl"_s, Qt::CaseInsensitive) ||
                       path.endsWith(u".ndjson"_s, Qt::CaseInsensitive);
    const qint64 total = f.size();
    qint64 done = 0;
    qint64 records = 0;
    bool inQuotes = false;
    bool lineHasData = false;
    QByteArray block(1 << 20, Qt::Uninitialized);
    while (true) {
        const qint64 n = f.read(block.data(), block.size());
        if (n < 0)
            return fail(Error(u"read error: %1"_s.arg(f.errorString()), path));
        if (n == 0)
            break;
        const char *p = block.constData();
        for (qint64 i = 0; i < n; ++i) {
            const char c = p[i];
            if (c == '"' && !jsonl) {
                inQuotes = !inQuotes; // a doubled quote toggles twice: no net change
                lineHasData = true;
            } else if (c == '\n' && !inQuotes) {
                if (lineHasData)
                    ++records;
                lineHasData = false;
            } else if (c != '\r' && c != ' ' && c != '\t') {
                lineHasData = true;
            }
        }
        done += n;
        if (progress && !progress(done, total))
            return fail(Error(u"cancelled"_s, path));
    }
    if (lineHasData)
        ++records;
    if (!jsonl && records > 0)
        --records; // the header
    return records;
}

} // namespace cairn
