#include "lineage.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace cairn {

ContentHasher::ContentHasher()
    : m_state(XXH3_createState())
{
    if (!m_state)
        throw std::bad_alloc();
    XXH3_128bits_reset(static_cast<XXH3_state_t *>(m_state));
}

ContentHasher::~ContentHasher()
{
    XXH3_freeState(static_cast<XXH3_state_t *>(m_state));
}

void ContentHasher::add(QByteArrayView bytes)
{
    XXH3_128bits_update(static_cast<XXH3_state_t *>(m_state), bytes.data(),
                        std::size_t(bytes.size()));
}

QString ContentHasher::result() const
{
    const XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t *>(m_state));
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, h);
    return u"xxh128:"_s +
           QString::fromLatin1(
               QByteArray(reinterpret_cast<const char *>(canonical.digest), sizeof canonical.digest)
                   .toHex());
}

Result<QString> hashFile(const QString &path, const std::function<bool()> &cancelled)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    ContentHasher hasher;
    QByteArray block(1 << 20, Qt::Uninitialized);
    while (true) {
        const qint64 n = f.read(block.data(), block.size());
        if (n < 0)
            return fail(Error(u"read error: %1"_s.arg(f.errorString()), path));
        if (n == 0)
            break;
        hasher.add(QByteArrayView(block.constData(), n));
        if (cancelled && cancelled())
            return fail(Error(u"cancelled"_s, path));
    }
    return hasher.result();
}

FileHashCache::FileHashCache(Database &db)
    : m_db(db)
{}

Result<FileHashCache::Entry> FileHashCache::hash(const QString &file, const QString &key,
                                                 const std::function<bool()> &cancelled)
{
    if (!m_lookup) {
        auto lookup =
            m_db.prepare(u"SELECT hash FROM file_hashes WHERE path = ?1 AND size = ?2 AND "
                         "mtime_ns = ?3 AND inode = ?4");
        if (!lookup)
            return fail(lookup.error());
        auto store =
            m_db.prepare(u"INSERT INTO file_hashes (path, size, mtime_ns, inode, hash) VALUES "
                         "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (path) DO UPDATE SET size = "
                         "excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode, "
                         "hash = excluded.hash");
        if (!store)
            return fail(store.error());
        m_lookup = std::make_unique<Statement>(std::move(*lookup));
        m_store = std::make_unique<Statement>(std::move(*store));
    }
    struct stat st = {};
    if (::stat(QFile::encodeName(file).constData(), &st) != 0)
        return fail(
            Error(u"cannot read: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno))), file));
    const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    Entry e;
    e.size = qint64(st.st_size);
    e.mtimeMs = mtimeNs / 1000000;
    m_lookup->bind(1, key).bind(2, e.size).bind(3, mtimeNs).bind(4, qint64(st.st_ino));
    if (m_lookup->step().value_or(false))
        e.hash = m_lookup->text(0);
    m_lookup->reset();
    if (e.hash.isEmpty()) {
        auto h = hashFile(file, cancelled);
        if (!h)
            return fail(h.error());
        e.hash = *h;
        (void)m_store->bind(1, key)
            .bind(2, e.size)
            .bind(3, mtimeNs)
            .bind(4, qint64(st.st_ino))
            .bind(5, e.hash)
            .exec();
        m_store->reset();
    }
    return e;
}

Result<QList<FileState>> snapshotDeclaredFiles(const Project &project, Database &db,
                                               const ParamValues &params)
{
    // Files the parameters name, by absolute path.
    QSet<QString> named;
    for (const auto &[k, v] : params) {
        if (v.isEmpty())
            continue;
        const QString abs = QDir::cleanPath(QDir(project.rootDir).absoluteFilePath(v));
        named.insert(abs);
        for (const QString &f : project.resolveFiles({v}))
            named.insert(f);
    }
    FileHashCache cache(db);
    QList<FileState> out;
    auto add = [&](const QString &kind, const QString &name,
                   const QStringList &patterns) -> Result<void> {
        for (const QString &file : project.resolveFiles(patterns)) {
            if (!QFileInfo::exists(file))
                continue; // vanished since the glob ran
            FileState fs;
            fs.kind = kind;
            fs.name = name;
            fs.path = project.relativePath(file);
            fs.used = named.contains(file);
            auto h = cache.hash(file, fs.path);
            if (!h)
                return fail(h.error());
            fs.size = h->size;
            fs.mtimeMs = h->mtimeMs;
            fs.hash = h->hash;
            out.append(fs);
        }
        return ok();
    };
    for (const DatasetSpec &d : project.datasets) {
        if (auto r = add(u"dataset"_s, d.name, d.paths); !r)
            return fail(r.error());
    }
    for (const ModelSpec &m : project.models) {
        if (auto r = add(u"model"_s, m.name, m.paths); !r)
            return fail(r.error());
    }
    return out;
}

QList<ContentToKeep> contentsToKeep(const QString &projectRoot, const QList<FileState> &files)
{
    QList<ContentToKeep> out;
    out.reserve(files.size());
    for (const FileState &f : files)
        out.append({QDir(projectRoot).absoluteFilePath(f.path), f.hash, f.size});
    return out;
}

QSet<QString> contentHashes(const QList<FileState> &files)
{
    QSet<QString> out;
    for (const FileState &f : files)
        out.insert(f.hash);
    return out;
}

Result<void> recordArtifacts(Database &db, qint64 runId, const QString &phase,
                             const QList<FileState> &files)
{
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return r;
    auto s = db.prepare(u"INSERT OR REPLACE INTO artifacts (run_id, phase, kind, name, path, size, "
                        "mtime_ms, hash, used) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!s)
        return fail(s.error());
    for (const FileState &f : files) {
        if (auto r = s->bind(1, runId)
                         .bind(2, phase)
                         .bind(3, f.kind)
                         .bind(4, f.name)
                         .bind(5, f.path)
                         .bind(6, f.size)
                         .bind(7, f.mtimeMs)
                         .bind(8, f.hash)
                         .bind(9, f.used)
                         .exec();
            !r)
            return r;
    }
    return tx.commit();
}

Result<QList<ArtifactRecord>> runArtifacts(Database &db, qint64 runId)
{
    auto s =
        db.prepare(u"SELECT phase, kind, name, path, size, mtime_ms, hash, used FROM artifacts "
                   "WHERE run_id = ?1 ORDER BY phase DESC, kind, name, path");
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    QList<ArtifactRecord> out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        ArtifactRecord a;
        a.phase = s->text(0);
        a.kind = s->text(1);
        a.name = s->text(2);
        a.path = s->text(3);
        a.size = s->int64(4);
        a.mtimeMs = s->int64(5);
        a.hash = s->text(6);
        a.used = s->int64(7) != 0;
        out.append(a);
    }
    return out;
}

} // namespace cairn
