#include "objectstore.h"

#include "common/logging.h"
#include "runs/lineage.h"
#include "settings/settings.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

constexpr qsizetype kHexDigits = 32;

bool isHex(QStringView s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
    });
}

// The 32 hex digits of "xxh128:<hex>", or nothing.
QString hexOf(const QString &hash)
{
    if (!hash.startsWith(u"xxh128:"_s))
        return {};
    const QString hex = hash.mid(7);
    return hex.size() == kHexDigits && isHex(hex) ? hex : QString();
}

} // namespace

ObjectStoreLimits ObjectStoreLimits::fromSettings()
{
    ObjectStoreLimits l;
    l.maxFileBytes = qint64(std::max(0, settings::objectsMaxFileMB.get())) << 20;
    l.maxTotalBytes = qint64(std::max(0, settings::objectsMaxTotalMB.get())) << 20;
    return l;
}

ObjectStore::ObjectStore(const QString &projectRoot)
    : m_dir(QDir(projectRoot).filePath(u".cairn/objects"_s))
{}

QString ObjectStore::objectPath(const QString &hash) const
{
    const QString hex = hexOf(hash);
    if (hex.isEmpty())
        return {};
    return u"%1/%2/%3"_s.arg(m_dir, hex.left(2), hex.mid(2));
}

bool ObjectStore::contains(const QString &hash) const
{
    const QString p = objectPath(hash);
    return !p.isEmpty() && QFileInfo(p).isFile();
}

Result<bool> ObjectStore::put(const QString &file, const QString &hash)
{
    const QString target = objectPath(hash);
    if (target.isEmpty())
        return fail(Error(u"\"%1\" is not an xxh128 content hash"_s.arg(hash), file));
    if (QFileInfo(target).isFile())
        return true;
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(in.errorString()), file));
    if (!QDir().mkpath(QFileInfo(target).path()))
        return fail(Error(u"cannot create the folder"_s, QFileInfo(target).path()));
    QSaveFile out(target); // a temporary file beside it, renamed into place on commit
    if (!out.open(QIODevice::WriteOnly))
        return fail(Error(u"cannot write: %1"_s.arg(out.errorString()), target));
    ContentHasher hasher;
    QByteArray block(1 << 20, Qt::Uninitialized);
    while (true) {
        const qint64 n = in.read(block.data(), block.size());
        if (n < 0)
            return fail(Error(u"read error: %1"_s.arg(in.errorString()), file));
        if (n == 0)
            break;
        hasher.add(QByteArrayView(block.constData(), n));
        if (out.write(block.constData(), n) != n)
            return fail(Error(u"cannot write: %1"_s.arg(out.errorString()), target));
    }
    if (hasher.result() != hash) {
        out.cancelWriting();
        qCDebug(lcStore) << file << "changed since it was hashed; its content is not kept";
        return false;
    }
    if (!out.commit())
        return fail(Error(u"cannot write: %1"_s.arg(out.errorString()), target));
    qCDebug(lcStore) << "kept" << hash << "of" << file;
    return true;
}

Result<std::optional<QString>> ObjectStore::verifiedPath(const QString &hash) const
{
    const QString p = objectPath(hash);
    if (p.isEmpty() || !QFileInfo(p).isFile())
        return std::optional<QString>();
    auto actual = hashFile(p);
    if (!actual)
        return fail(actual.error());
    if (*actual != hash)
        return fail(Error(u"the stored object for %1 is damaged: its content hashes to %2"_s.arg(
                              hash, *actual),
                          p)
                        .withHint(u"Delete the damaged object; the version can then still come "
                                  "from git when a commit holds it"_s));
    return std::optional<QString>(p);
}

QList<StoredObject> ObjectStore::objects() const
{
    QList<StoredObject> out;
    QDirIterator it(m_dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        const QString hex = fi.dir().dirName() + fi.fileName();
        if (hex.size() != kHexDigits || !isHex(hex))
            continue; // a temporary file being written, or something not ours
        out.append(
            {u"xxh128:"_s + hex, fi.filePath(), fi.size(), fi.lastModified().toMSecsSinceEpoch()});
    }
    return out;
}

QStringList ObjectStore::findByPrefix(const QString &hexPrefix) const
{
    const QString prefix = hexPrefix.toLower();
    QStringList out;
    if (prefix.size() < 2) {
        for (const StoredObject &o : objects()) {
            if (o.hash.mid(7).startsWith(prefix))
                out.append(o.hash);
        }
        return out;
    }
    const QDir sub(u"%1/%2"_s.arg(m_dir, prefix.left(2)));
    const QString rest = prefix.mid(2);
    for (const QString &name : sub.entryList(QDir::Files)) {
        if (name.size() == kHexDigits - 2 && isHex(name) && name.startsWith(rest))
            out.append(u"xxh128:"_s + prefix.left(2) + name);
    }
    return out;
}

qint64 ObjectStore::totalBytes() const
{
    qint64 total = 0;
    for (const StoredObject &o : objects())
        total += o.size;
    return total;
}

qint64 ObjectStore::evict(qint64 maxTotalBytes, const QSet<QString> &keep)
{
    QList<StoredObject> all = objects();
    qint64 total = 0;
    for (const StoredObject &o : std::as_const(all))
        total += o.size;
    std::sort(all.begin(), all.end(), [](const StoredObject &a, const StoredObject &b) {
        return std::tie(a.storedMs, a.hash) < std::tie(b.storedMs, b.hash);
    });
    qint64 freed = 0;
    for (const StoredObject &o : std::as_const(all)) {
        if (total - freed <= maxTotalBytes)
            break;
        if (keep.contains(o.hash))
            continue;
        if (QFile::remove(o.path)) {
            freed += o.size;
            qCDebug(lcStore) << "evicted" << o.hash << o.size << "bytes";
        }
    }
    return freed;
}

QStringList keepContents(ObjectStore &store, const QList<ContentToKeep> &files,
                         const QSet<QString> &current, const ObjectStoreLimits &limits)
{
    QStringList warnings;
    if (!limits.enabled())
        return warnings;
    std::optional<qint64> total; // computed once, when first needed
    QSet<QString> done;
    for (const ContentToKeep &f : files) {
        if (f.size > limits.maxFileBytes || done.contains(f.hash) || store.contains(f.hash))
            continue;
        done.insert(f.hash);
        if (!total)
            total = store.totalBytes();
        if (*total + f.size > limits.maxTotalBytes) {
            *total -= store.evict(limits.maxTotalBytes - f.size, current);
            if (*total + f.size > limits.maxTotalBytes) {
                warnings.append(
                    u"the content of %1 is not kept: the object store (.cairn/objects) is full "
                    "of contents the declared files hold now; raise objects.maxTotalMB in "
                    "Settings to keep it"_s.arg(f.file));
                continue;
            }
        }
        auto kept = store.put(f.file, f.hash);
        if (!kept)
            warnings.append(u"the content of %1 could not be kept in the object store: %2"_s.arg(
                f.file, kept.error().toString()));
        else if (*kept)
            *total += f.size;
    }
    return warnings;
}

} // namespace cairn
