#include "logtail.h"

#include <QFile>

namespace cairn {

QByteArray LogTail::readNew(qint64 maxBytes)
{
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = f.size();
    if (size < m_offset)
        m_offset = 0; // the file was replaced: start over
    if (size == m_offset || !f.seek(m_offset))
        return {};
    QByteArray data = f.read(std::min(size - m_offset, maxBytes));
    m_offset += data.size();
    return data;
}

void LogTail::skipTo(qint64 offset)
{
    if (offset <= 0) {
        m_offset = 0;
        return;
    }
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(offset - 1)) {
        m_offset = 0;
        return;
    }
    // Find the end of the line `offset` falls in.
    const QByteArray block = f.read(1 << 20);
    const qsizetype nl = block.indexOf('\n');
    m_offset = nl < 0 ? offset - 1 + block.size() : offset + nl;
}

} // namespace cairn
