#include "process.h"

#include <QByteArray>
#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// The fields of /proc/<pid>/stat after "(comm)": index 0 is the state, 2 the process group,
// 19 the start time.
QList<QByteArray> statFields(qint64 pid)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray stat = f.readAll();
    const qsizetype close = stat.lastIndexOf(')'); // comm may hold spaces and parentheses
    if (close < 0)
        return {};
    return stat.mid(close + 2).split(' ');
}

bool isZombie(const QList<QByteArray> &fields)
{
    return fields.isEmpty() || fields[0] == "Z" || fields[0] == "X";
}

} // namespace

qint64 processStartTime(qint64 pid)
{
    const QList<QByteArray> fields = statFields(pid);
    if (fields.size() < 20 || isZombie(fields))
        return -1;
    return fields[19].toLongLong();
}

bool isProcessAlive(qint64 pid, qint64 startTime)
{
    return pid > 0 && processStartTime(pid) == startTime;
}

QList<qint64> liveProcessesInGroup(qint64 pgid)
{
    QList<qint64> out;
    const QDir proc(u"/proc"_s);
    const auto entries = proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool isPid = false;
        const qint64 pid = e.toLongLong(&isPid);
        if (!isPid)
            continue;
        const QList<QByteArray> fields = statFields(pid);
        if (fields.size() >= 3 && !isZombie(fields) && fields[2].toLongLong() == pgid)
            out.append(pid);
    }
    return out;
}

} // namespace cairn
