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

} // namespace cairn
