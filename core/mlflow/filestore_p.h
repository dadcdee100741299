#pragma once

// Internals of the MLflow file store reader (filestore.cpp): folders opened relative to each
// other, MLflow's flat meta.yaml, and the params, tags and metrics files of a run or model.

#include "filestore.h"

#include <QByteArray>
#include <QFile>
#include <QHash>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace cairn::mlflow::detail {

// --- files, without QFile's per-file overhead (10,000 runs are ~300,000 small files) ---------

struct DirEntry
{
    QByteArray name;
    bool isDir = false;
};

inline QByteArray join(const QByteArray &dir, const QByteArray &name)
{
    return dir + '/' + name;
}

inline QString fromPath(const QByteArray &path)
{
    return QFile::decodeName(path);
}

inline bool isDirectory(const QByteArray &path)
{
    struct stat st;
    return ::stat(path.constData(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An open folder whose entries are opened relative to it: one path lookup per file instead of
// one per path component. Not open (and empty) when it does not exist.
class Folder
{
public:
    explicit Folder(QByteArray path)
        : m_path(std::move(path))
        , m_fd(::open(m_path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    {}
    Folder(const Folder &parent, const QByteArray &name)
        : m_path(join(parent.m_path, name))
        , m_fd(parent.m_fd < 0
                   ? -1
                   : ::openat(parent.m_fd, name.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    {}
    Folder(const Folder &) = delete;
    Folder &operator=(const Folder &) = delete;
    ~Folder()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool isOpen() const { return m_fd >= 0; }
    const QByteArray &path() const { return m_path; }
    QString name() const { return QFile::decodeName(m_path.mid(m_path.lastIndexOf('/') + 1)); }

    // The entries by name, without ".", ".." and ".DS_Store".
    QList<DirEntry> entries() const
    {
        QList<DirEntry> entries;
        const int fd = m_fd < 0 ? -1 : ::dup(m_fd);
        DIR *d = fd < 0 ? nullptr : ::fdopendir(fd);
        if (!d) {
            if (fd >= 0)
                ::close(fd);
            return entries;
        }
        ::rewinddir(d); // the duplicate shares the offset of an earlier listing
        while (const dirent *e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0 ||
                std::strcmp(e->d_name, ".DS_Store") == 0)
                continue;
            DirEntry entry{QByteArray(e->d_name), false};
            if (e->d_type == DT_DIR) {
                entry.isDir = true;
            } else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
                struct stat st;
                entry.isDir = ::fstatat(m_fd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
            }
            entries.append(std::move(entry));
        }
        ::closedir(d);
        std::sort(entries.begin(), entries.end(),
                  [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });
        return entries;
    }

    // The whole content of the file `name`; false when it cannot be read.
    bool read(const char *name, QByteArray &out) const
    {
        out.clear();
        const int fd = m_fd < 0 ? -1 : ::openat(m_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n < 0) {
                ::close(fd);
                return false;
            }
            out.append(buffer, n);
            if (size_t(n) < sizeof buffer) // a regular file's short read is its end
                break;
        }
        ::close(fd);
        return true;
    }

private:
    QByteArray m_path;
    int m_fd = -1;
};

// A flat meta.yaml as MLflow writes it (PyYAML, sort_keys): key → text, nullopt for null.
using Meta = QHash<QByteArray, std::optional<QString>>;

// Reads `dir`/meta.yaml. Nothing (and no warning) when it is missing; a warning when it is
// empty or malformed (then what could be read, possibly nothing).
std::optional<Meta> readMeta(const Folder &dir, Errors &warnings);
// The text of `key`, empty when missing or null; its integer value, nothing when not one.
QString text(const Meta &meta, const char *key);
std::optional<qint64> number(const Meta &meta, const char *key);

// Params and tags: one file per key, '/' in a key being a sub-folder; the content is the value.
void readKeyFiles(const Folder &parent, const char *folder, MlflowKeyValues &out);
// Every metrics file under `dir` (sub-folders for '/' in keys), sorted by key. A run's lines
// have 2, 3 or 5 fields, a logged model's (`loggedModel`) 4 or 6.
void readMetricsDir(const Folder &dir, const QString &prefix, bool loggedModel,
                    QList<MlflowMetric> &out, Errors &warnings);

} // namespace cairn::mlflow::detail
