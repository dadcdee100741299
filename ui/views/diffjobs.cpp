#include "diffjobs.h"

#include "diff/modelcompare.h"
#include "diffrowsmodel.h"
#include "project/glob.h"
#include "store/projectdb.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>
#include <QSet>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("cairn::ui::DiffView", text);
}

QString pathOf(const QString &spec, const QString &baseDir)
{
    if (QFileInfo(QDir(baseDir).absoluteFilePath(spec)).isFile())
        return spec;
    const qsizetype at = spec.lastIndexOf(u'@');
    return at > 0 ? spec.left(at) : spec;
}

void addKeyed(QList<ModelDiffOutcome::Change> &out, const QString &section,
              const diff::KeyedChanges &changes)
{
    for (auto it = changes.added.cbegin(); it != changes.added.cend(); ++it)
        out.append({section, it.key(), {}, it.value()});
    for (auto it = changes.removed.cbegin(); it != changes.removed.cend(); ++it)
        out.append({section, it.key(), it.value(), {}});
    for (auto it = changes.changed.cbegin(); it != changes.changed.cend(); ++it)
        out.append({section, it.key(), it.value().first, it.value().second});
}

Result<ModelDiffOutcome> compareModels(const FileVersion &a, const FileVersion &b,
                                       const std::atomic_bool &cancelled, DiffProgress &progress)
{
    progress.stage = int(DiffStage::Comparing);
    auto c = diff::compareModelVersions(a, b, [&](qint64 done, qint64 total) {
        if (total > 0)
            progress.permille = int(1000.0 * double(done) / double(total));
        return !cancelled.load();
    });
    if (!c)
        return fail(c.error());
    ModelDiffOutcome out;
    out.format = diff::modelFormatName(c->format);
    out.tensors = c->tensors.tensors;
    out.summary = c->tensors.summary;
    out.same = c->identical();
    diff::KeyedChanges metadata;
    metadata.added = c->tensors.metadataAdded;
    metadata.removed = c->tensors.metadataRemoved;
    metadata.changed = c->tensors.metadataChanged;
    addKeyed(out.changes, tr("metadata"), metadata);
    if (c->graph) {
        const diff::OnnxGraphDiff &g = *c->graph;
        if (g.irVersionA != g.irVersionB)
            out.changes.append({tr("model"), u"ir_version"_s, QString::number(g.irVersionA),
                                QString::number(g.irVersionB)});
        addKeyed(out.changes, tr("model"), g.model);
        addKeyed(out.changes, tr("opset"), g.opsets);
        addKeyed(out.changes, tr("metadata"), g.metadata);
        addKeyed(out.changes, tr("input"), g.inputs);
        addKeyed(out.changes, tr("output"), g.outputs);
        for (const diff::OnnxNodeChange &n : g.nodes) {
            const QString what = n.node + u" ("_s + n.opType + u')';
            if (n.status == u"added"_s)
                out.changes.append({tr("node added"), what, {}, n.opType});
            else if (n.status == u"removed"_s)
                out.changes.append({tr("node removed"), what, n.opType, {}});
            else
                for (const auto &[field, values] : n.changes)
                    out.changes.append(
                        {tr("node changed"), what + u": "_s + field, values.first, values.second});
        }
    }
    for (const diff::StructChange &s : c->changes)
        out.changes.append(
            {s.kind, s.path.isEmpty() ? tr("(the document)") : s.path, s.oldValue, s.newValue});
    if (c->format == diff::ModelFormat::Opaque && !out.same)
        out.changes.append(
            {tr("file"), tr("content (xxh128)"), c->digestA.xxh128, c->digestB.xxh128});
    if (cancelled)
        return fail(Error(tr("cancelled")));
    out.runs = findProducingRuns(a, b);
    if (c->digestA.size != c->digestB.size)
        out.changes.append({tr("file"), tr("size"), QLocale().formattedDataSize(c->digestA.size),
                            QLocale().formattedDataSize(c->digestB.size)});
    return out;
}

} // namespace

QString specPath(const QString &spec, const QString &baseDir)
{
    return pathOf(spec, baseDir);
}

SideChoices loadSideChoices(const Project &project)
{
    SideChoices out;
    QSet<QString> seen;
    auto add = [&](const QStringList &paths, DiffKind kind, const QString &name,
                   const QStringList &keys) {
        for (const QString &p : paths)
            for (const QString &f :
                 isGlobPattern(p) ? expandGlob(project.rootDir, p) : QStringList{p}) {
                const QString rel = QDir::cleanPath(
                    QDir(project.rootDir)
                        .relativeFilePath(QDir(project.rootDir).absoluteFilePath(f)));
                if (!seen.contains(rel)) {
                    seen.insert(rel);
                    out.files.append({rel, kind, name, keys});
                }
            }
    };
    for (const DatasetSpec &d : project.datasets)
        add(d.paths, DiffKind::Table, d.name, d.key);
    for (const ModelSpec &m : project.models)
        add(m.paths, DiffKind::Model, m.name, {});
    if (auto versions = loadVersions(project))
        out.versions = std::move(*versions);
    return out;
}

DiffKind guessDiffKind(const QList<DeclaredFile> &declared, const QString &spec,
                       const QString &baseDir)
{
    const QString path = QDir::cleanPath(pathOf(spec, baseDir));
    for (const DeclaredFile &f : declared)
        if (f.path == path)
            return f.kind;
    static const QStringList modelSuffixes = {u"safetensors"_s, u"onnx"_s, u"pt"_s,   u"pth"_s,
                                              u"bin"_s,         u"gguf"_s, u"yaml"_s, u"yml"_s,
                                              u"mlmodel"_s,     u"pb"_s};
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (modelSuffixes.contains(suffix) || QFileInfo(path).fileName() == u"MLmodel"_s)
        return DiffKind::Model;
    return DiffKind::Table;
}

namespace {

DiffResult runDiffUnguarded(const DiffRequest &request, const std::atomic_bool &cancelled,
                            DiffProgress &progress)
{
    QElapsedTimer timer;
    timer.start();
    DiffResult r;
    r.kind = request.kind;
    auto failed = [&r](const Error &e) {
        r.error = e;
        return r;
    };
    progress.stage = int(DiffStage::Resolving);
    auto va = resolveFileVersion(request.specA, request.baseDir);
    if (!va)
        return failed(va.error());
    auto vb = resolveFileVersion(request.specB, request.baseDir);
    if (!vb)
        return failed(vb.error());
    // Shown relative to the project, as the user typed them.
    const QString prefix = QDir(request.baseDir).absolutePath() + u'/';
    r.describeA = va->describe().replace(prefix, QString());
    r.describeB = vb->describe().replace(prefix, QString());
    if (cancelled)
        return failed(Error(tr("cancelled")));
    if (request.kind == DiffKind::Model) {
        auto m = compareModels(*va, *vb, cancelled, progress);
        if (!m)
            return failed(m.error());
        r.model = std::make_shared<const ModelDiffOutcome>(std::move(*m));
    } else {
        auto c = diff::compareTableVersions(
            *va, *vb, request.tableOptions, false,
            [&](diff::TableComparisonStage stage, qint64 done, qint64 total) {
                static const int from[] = {0, 400, 800, 980};
                static const int to[] = {400, 800, 980, 1000};
                static const DiffStage stages[] = {DiffStage::ReadingA, DiffStage::ReadingB,
                                                   DiffStage::Comparing, DiffStage::Comparing};
                const int s = int(stage);
                progress.stage = int(stages[s]);
                if (total > 0)
                    progress.permille =
                        from[s] + int(double(to[s] - from[s]) * double(done) / double(total));
                return !cancelled.load();
            });
        if (!c)
            return failed(c.error());
        auto comparison = std::make_shared<diff::TableComparison>(std::move(*c));
        r.rows = std::make_shared<const DiffRowIndex>(indexDiffRows(comparison->diff));
        r.table = std::move(comparison);
    }
    r.elapsedMs = timer.elapsed();
    return r;
}

} // namespace

DiffResult runDiff(const DiffRequest &request, const std::atomic_bool &cancelled,
                   DiffProgress &progress)
{
    // A job that throws (out of memory on huge files, a bug) must still answer, or the view
    // would stay busy for ever.
    try {
        return runDiffUnguarded(request, cancelled, progress);
    } catch (const std::exception &e) {
        DiffResult r;
        r.kind = request.kind;
        r.error = Error(tr("the comparison failed: %1").arg(QString::fromLocal8Bit(e.what())));
        return r;
    }
}

Result<QList<DataVersion>> loadVersions(const Project &project)
{
    auto db = openProjectDatabase(project.rootDir);
    if (!db)
        return fail(db.error());
    return listVersions(project, **db);
}

QString versionSpec(const DataVersion &version)
{
    if (version.current)
        return version.path;
    return version.path + u'@' + version.hash.left(version.hash.indexOf(u':') + 1 + 16);
}

QString versionLabel(const QList<DataVersion> &versions, const DataVersion &version)
{
    int n = 0;
    for (const DataVersion &v : versions) {
        if (v.path != version.path)
            continue;
        ++n;
        if (v.hash == version.hash)
            return u"v"_s + QString::number(n);
    }
    return {};
}

Result<QList<GitCommit>> loadCommits(const QString &baseDir, const QString &spec, int limit)
{
    auto state = readGitState(baseDir);
    if (!state)
        return fail(state.error());
    if (!state->isRepository)
        return QList<GitCommit>{};
    const QString abs = QDir(baseDir).absoluteFilePath(pathOf(spec, baseDir));
    const QString rel = QDir(state->root).relativeFilePath(abs);
    if (rel.startsWith(u"../"_s))
        return QList<GitCommit>{};
    return gitLog(state->root, rel, limit);
}

} // namespace cairn::ui
