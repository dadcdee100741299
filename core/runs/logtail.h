#pragma once

#include <QByteArray>
#include <QString>

namespace cairn {

// Reads what has been appended to a file since the last call. Views use it to follow a run's
// output.log, which only its supervisor writes.
class LogTail
{
public:
    explicit LogTail(QString path = {})
        : m_path(std::move(path))
    {}

    // The bytes appended since the previous call, at most `maxBytes` (the rest comes next time).
    QByteArray readNew(qint64 maxBytes = 4 * 1024 * 1024);
    qint64 offset() const { return m_offset; }
    // Starts reading at the first line that begins at or after `offset`.
    void skipTo(qint64 offset);
    const QString &path() const { return m_path; }

private:
    QString m_path;
    qint64 m_offset = 0;
};

} // namespace cairn
