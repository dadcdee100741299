#include "modelcompare.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

// The first bytes of a version (enough for every check below) and its size.
struct Head
{
    QByteArray bytes;
    qint64 size = 0;
};

Result<Head> headOf(const FileVersion &v)
{
    constexpr qint64 want = 64;
    if (v.inMemory())
        return Head{v.bytes.left(want), v.bytes.size()};
    QFile f(v.localPath);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), v.describe()));
    return Head{f.read(want), f.size()};
}

bool safetensorsHead(const Head &h)
{
    if (h.bytes.size() < 9)
        return false;
    quint64 n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | quint8(h.bytes[i]);
    return n >= 2 && n <= quint64(maxSafetensorsHeader) && qint64(n) + 8 <= h.size &&
           h.bytes[8] == '{';
}

ModelFormat detect(const FileVersion &v, const Head &h)
{
    if (safetensorsHead(h))
        return ModelFormat::Safetensors;
    if (looksLikeOnnx(h.bytes))
        return ModelFormat::Onnx;
    const QFileInfo info(v.path);
    const QString suffix = info.suffix().toLower();
    if (suffix == u"safetensors"_s)
        return ModelFormat::Safetensors; // damaged: the reader says how
    if (suffix == u"onnx"_s)
        return ModelFormat::Onnx;
    if (suffix == u"json"_s)
        return ModelFormat::Json;
    if (suffix == u"yaml"_s || suffix == u"yml"_s || info.fileName() == u"MLmodel"_s ||
        info.fileName() == u"MLproject"_s)
        return ModelFormat::Yaml;
    const QByteArray start = h.bytes.trimmed();
    if (start.startsWith('{') || start.startsWith('['))
        return ModelFormat::Json;
    return ModelFormat::Opaque;
}

Result<QByteArray> bytesOf(const FileVersion &v)
{
    if (v.inMemory())
        return v.bytes;
    QFile f(v.localPath);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), v.describe()));
    if (f.size() > maxOnnxFileSize)
        return fail(Error(u"the file is %1 bytes, too large to read into memory for this "
                          "format"_s.arg(QString::number(f.size())),
                          v.describe())
                        .withHint(u"ONNX models over 2 GB keep their weights as external "
                                  "data; save the model that way"_s));
    QByteArray bytes = f.readAll();
    if (bytes.size() != f.size())
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), v.describe()));
    return bytes;
}

// A cache object's hashed name means nothing to the user: name the version instead.
template<typename T>
Result<T> named(Result<T> r, const FileVersion &v)
{
    if (!r && v.source != FileVersion::Source::WorkingFile &&
        (r.error().file.isEmpty() || r.error().file == v.localPath))
        r.error().file = v.describe();
    return r;
}

Result<OnnxModel> openOnnx(const FileVersion &v)
{
    auto bytes = bytesOf(v);
    if (!bytes)
        return fail(bytes.error());
    // External data sits next to the model in a working tree; a revision's copy is not there.
    const QString baseDir = v.source == FileVersion::Source::WorkingFile
                                ? QFileInfo(v.localPath).absolutePath()
                                : QString();
    return named(readOnnxBytes(*bytes, v.describe(), baseDir), v);
}

} // namespace

QString modelFormatName(ModelFormat format)
{
    switch (format) {
    case ModelFormat::Safetensors:
        return u"safetensors"_s;
    case ModelFormat::Onnx:
        return u"onnx"_s;
    case ModelFormat::Json:
        return u"json"_s;
    case ModelFormat::Yaml:
        return u"yaml"_s;
    case ModelFormat::Opaque:
        break;
    }
    return u"opaque"_s;
}

bool ModelComparison::identical() const
{
    const ModelDiffSummary &s = tensors.summary;
    switch (format) {
    case ModelFormat::Safetensors:
    case ModelFormat::Onnx:
        return s.added + s.removed + s.changed + s.shapeChanged + s.dtypeChanged == 0 &&
               tensors.metadataAdded.isEmpty() && tensors.metadataRemoved.isEmpty() &&
               tensors.metadataChanged.isEmpty() && (!graph || graph->identical());
    case ModelFormat::Json:
    case ModelFormat::Yaml:
        return changes.isEmpty();
    case ModelFormat::Opaque:
        break;
    }
    return digestA.size == digestB.size && digestA.xxh128 == digestB.xxh128 &&
           digestA.sha256 == digestB.sha256;
}

Result<SafetensorsFile> openModel(const FileVersion &v)
{
    return named(v.inMemory() ? SafetensorsFile::fromBytes(v.bytes, v.describe())
                              : SafetensorsFile::open(v.localPath),
                 v);
}

Result<ModelComparison> compareModelVersions(const FileVersion &a, const FileVersion &b,
                                             const Progress &progress)
{
    ModelComparison c;
    c.a = a.describe();
    c.b = b.describe();
    auto headA = headOf(a);
    if (!headA)
        return fail(headA.error());
    auto headB = headOf(b);
    if (!headB)
        return fail(headB.error());
    c.format = detect(a, *headA);
    const ModelFormat formatB = detect(b, *headB);
    if (c.format != formatB)
        return fail(Error(u"the versions have different formats: %1 is %2, %3 is %4"_s.arg(
                              c.a, modelFormatName(c.format), c.b, modelFormatName(formatB)))
                        .withHint(u"Compare two versions of the same model file"_s));

    // Progress: hashing both files is the first half, comparing them the second.
    const qint64 sizes = std::max<qint64>(1, headA->size + headB->size);
    const auto scaled = [&](qint64 base) -> Progress {
        if (!progress)
            return {};
        return [&progress, base, sizes](qint64 done, qint64 total) {
            const qint64 part =
                total > 0 ? qint64(double(done) / double(total) * double(sizes)) : 0;
            return progress(base + part, 2 * sizes);
        };
    };
    // Both sides at once; progress from the first. Safetensors and ONNX get xxh128 only: their
    // content is compared tensor by tensor, and SHA-256 would cost more than the whole diff.
    const bool sha256 = c.format != ModelFormat::Safetensors && c.format != ModelFormat::Onnx;
    std::atomic_bool stop{false};
    const auto digest = [&](const FileVersion &v, const Progress &p) -> Result<FileDigest> {
        if (v.inMemory())
            return digestBytes(v.bytes, sha256);
        return named(digestFile(v.localPath, p, sha256), v);
    };
    Result<FileDigest> db = fail(Error(u"cancelled"_s));
    std::thread other([&] { db = digest(b, [&](qint64, qint64) { return !stop; }); });
    const Progress first = scaled(0);
    auto da = digest(a, [&](qint64 done, qint64 total) {
        if (first && !first(done, total))
            stop = true;
        return !stop;
    });
    if (!da)
        stop = true;
    other.join();
    if (!da)
        return fail(da.error());
    if (!db)
        return fail(db.error());
    c.digestA = *da;
    c.digestB = *db;

    switch (c.format) {
    case ModelFormat::Safetensors: {
        auto fa = openModel(a);
        if (!fa)
            return fail(fa.error());
        auto fb = openModel(b);
        if (!fb)
            return fail(fb.error());
        auto d = diffSafetensors(*fa, *fb, scaled(sizes));
        if (!d)
            return fail(d.error());
        c.tensors = std::move(*d);
        break;
    }
    case ModelFormat::Onnx: {
        auto ma = openOnnx(a);
        if (!ma)
            return fail(ma.error());
        auto mb = openOnnx(b);
        if (!mb)
            return fail(mb.error());
        auto d = diffOnnxInitializers(*ma, *mb, scaled(sizes));
        if (!d)
            return fail(d.error());
        c.tensors = std::move(*d);
        c.graph = diffOnnxGraphs(*ma, *mb);
        break;
    }
    case ModelFormat::Json:
    case ModelFormat::Yaml: {
        auto ba = bytesOf(a);
        if (!ba)
            return fail(ba.error());
        auto bb = bytesOf(b);
        if (!bb)
            return fail(bb.error());
        auto changes =
            diffStructured(*ba, c.a, *bb, c.b,
                           c.format == ModelFormat::Json ? StructFormat::Json : StructFormat::Yaml);
        if (!changes)
            return fail(changes.error());
        c.changes = std::move(*changes);
        break;
    }
    case ModelFormat::Opaque:
        break;
    }
    c.tensors.a = c.a;
    c.tensors.b = c.b;
    if (progress && !progress(2 * sizes, 2 * sizes))
        return fail(Error(u"cancelled"_s));
    return c;
}

namespace {

QJsonObject digestJson(const FileDigest &d)
{
    QJsonObject o{{u"size"_s, d.size}, {u"xxh128"_s, d.xxh128}};
    if (!d.sha256.isEmpty())
        o.insert(u"sha256"_s, d.sha256);
    return o;
}

} // namespace

QJsonObject modelComparisonJson(const ModelComparison &c)
{
    QJsonObject o = modelDiffJson(c.tensors);
    o.insert(u"format"_s, modelFormatName(c.format));
    o.insert(u"identical"_s, c.identical());
    o.insert(u"files"_s, QJsonObject{{u"a"_s, digestJson(c.digestA)},
                                     {u"b"_s, digestJson(c.digestB)},
                                     {u"same"_s, c.digestA.size == c.digestB.size &&
                                                     c.digestA.xxh128 == c.digestB.xxh128}});
    if (c.graph)
        o.insert(u"graph"_s, onnxGraphDiffJson(*c.graph));
    if (c.format == ModelFormat::Json || c.format == ModelFormat::Yaml)
        o.insert(u"changes"_s, structChangesJson(c.changes));
    return o;
}

QString modelComparisonText(const ModelComparison &c, int maxRows)
{
    const bool sameBytes = c.digestA.size == c.digestB.size && c.digestA.xxh128 == c.digestB.xxh128;
    QString out;
    switch (c.format) {
    case ModelFormat::Safetensors:
        return modelDiffText(c.tensors, maxRows);
    case ModelFormat::Onnx:
        out = modelDiffText(c.tensors, maxRows);
        out.replace(0, u"Model diff:"_s.size(), u"ONNX model diff (initializers):"_s);
        return out + u"Graph:\n"_s + onnxGraphDiffText(*c.graph, maxRows);
    case ModelFormat::Json:
    case ModelFormat::Yaml:
        out = u"Structural diff (%1): %2 -> %3\n"_s.arg(modelFormatName(c.format), c.a, c.b);
        out += c.changes.isEmpty() ? u"no differences\n"_s : structChangesText(c.changes, maxRows);
        return out;
    case ModelFormat::Opaque:
        break;
    }
    const auto side = [](const QString &name, const FileDigest &d) -> QString {
        return u"%1: %2 bytes, %3\n"_s.arg(name, QString::number(d.size), d.sha256);
    };
    return u"File diff (format not read): %1 -> %2\n"_s.arg(c.a, c.b) + side(u"a"_s, c.digestA) +
           side(u"b"_s, c.digestB) + (sameBytes ? u"same content\n"_s : u"different content\n"_s);
}

} // namespace cairn::diff
