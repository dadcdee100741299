#include "history.h"

#include "data/table.h"
#include "runs/lineage.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace {

// Bumped whenever a change to the engine changes the numbers it reports.
constexpr int kEngineVersion = 1;

QString profileSettingsKey(const DriftOptions &o)
{
    QStringList kinds;
    for (auto it = o.kinds.cbegin(); it != o.kinds.cend(); ++it)
        kinds.append(it.key() + u'=' + kindName(it.value()));
    kinds.sort();
    QStringList ignore = o.ignore;
    ignore.sort();
    return u"engine=%1;kinds=%2;ignore=%3"_s.arg(kEngineVersion)
        .arg(kinds.join(u','), ignore.join(u','));
}

} // namespace

Result<QString> resolveDataFile(const Project *project, const QString &argument,
                                const QString &baseDir)
{
    if (project) {
        if (const DatasetSpec *d = project->dataset(argument)) {
            const QStringList files = project->resolveFiles(d->paths);
            if (files.isEmpty())
                return fail(
                    Error(u"dataset \"%1\" matches no file (%2)"_s.arg(argument,
                                                                       d->paths.join(u", "_s)),
                          project->projectFile)
                        .withHint(
                            u"Create the file, or fix the dataset's path in the project file"_s));
            if (files.size() > 1) {
                QStringList shown;
                for (const QString &f : files.mid(0, 5))
                    shown.append(project->relativePath(f));
                return fail(
                    Error(
                        u"dataset \"%1\" has %2 files (%3%4); drift compares one file with another"_s
                            .arg(argument)
                            .arg(files.size())
                            .arg(shown.join(u", "_s), files.size() > 5 ? u", …"_s : QString()))
                        .withHint(u"Name one of its files instead"_s));
            }
            return files.first();
        }
    }
    const QString file = QDir::cleanPath(QDir(baseDir).absoluteFilePath(argument));
    const QFileInfo info(file);
    if (!info.exists()) {
        QString hint = u"Check the path"_s;
        if (project && !project->datasets.isEmpty()) {
            QStringList names;
            for (const DatasetSpec &d : project->datasets)
                names.append(d.name);
            hint = u"Give a file, or one of the project's datasets: %1"_s.arg(names.join(u", "_s));
        }
        return fail(Error(u"no such file or dataset: %1"_s.arg(argument), file).withHint(hint));
    }
    if (info.isDir())
        return fail(Error(u"this is a folder, not a data file"_s, file)
                        .withHint(u"Name a CSV, TSV or JSON Lines file"_s));
    return file;
}

Result<DriftReport> compareFiles(const QString &referenceFile, const QString &currentFile,
                                 const DriftOptions &options, const Progress &progress)
{
    // Three stages of equal weight in the progress: reference, current, comparison.
    auto stage = [&](int index) -> Progress {
        if (!progress)
            return {};
        return [&progress, index](qint64 done, qint64 total) {
            const qint64 permille = total > 0 ? done * 1000 / total : 0;
            return progress(index * 1000 + permille, 3000);
        };
    };
    ReadOptions read;
    read.threads = options.threads;
    auto reference = readTable(referenceFile, read, stage(0));
    if (!reference)
        return fail(reference.error());
    auto current = readTable(currentFile, read, stage(1));
    if (!current)
        return fail(current.error());
    return computeDrift(*reference, *current, options, stage(2));
}

Result<void> applySettings(const DriftSettings &s, DriftOptions &o)
{
    o.test = s.test;
    o.threshold = s.threshold;
    o.driftShare = s.driftShare;
    o.binning = s.binning == u"reference"_s ? Binning::Reference : Binning::Evidently;
    for (const auto &[column, kindText] : s.columnTypes) {
        const auto kind = kindFromName(kindText);
        if (!kind)
            return fail(Error(u"column type \"%1\" of \"%2\" is not one Cairn knows"_s.arg(kindText,
                                                                                           column))
                            .withHint(u"Use numerical, categorical or text"_s));
        o.kinds.insert(column, *kind);
    }
    o.ignore = s.ignore;
    return ok();
}

Result<ProjectDrift> resolveProjectDrift(const Project &project)
{
    if (!project.drift)
        return fail(Error(u"the project has no drift settings"_s, project.projectFile)
                        .withHint(u"Add a `drift:` section naming the reference and the batches "
                                  "(docs/project-file.md)"_s));
    const DriftSettings &s = *project.drift;
    ProjectDrift out;
    if (auto r = applySettings(s, out.options); !r)
        return fail(r.error());
    auto reference = resolveDataFile(&project, s.reference, project.rootDir);
    if (!reference) {
        Error e = reference.error();
        e.message = u"drift reference: "_s + e.message;
        return fail(e);
    }
    out.referenceFile = *reference;
    const DatasetSpec *batches = project.dataset(s.current);
    out.batches = project.resolveFiles(batches ? batches->paths : QStringList{s.current});
    out.batches.removeAll(out.referenceFile);
    return out;
}

QString settingsKey(const DriftOptions &o)
{
    QStringList extra = o.extraTests;
    extra.sort();
    return u"%1;binning=%2;test=%3;extra=%4;threshold=%5;share=%6;missing=%7"_s
        .arg(profileSettingsKey(o), binningName(o.binning), o.test, extra.join(u','))
        .arg(o.threshold ? QString::number(*o.threshold, 'g', 17) : QString())
        .arg(QString::number(o.driftShare, 'g', 17),
             QString::number(o.missingShareThreshold, 'g', 17));
}

Result<ReferenceProfile> referenceProfile(Database &db, const QString &referenceFile,
                                          const QString &referenceHash, const DriftOptions &options,
                                          const Progress &progress)
{
    const QString key = profileSettingsKey(options);
    auto lookup = db.prepare(
        u"SELECT profile FROM drift_profiles WHERE reference_hash = ?1 AND settings = ?2"_s);
    if (!lookup)
        return fail(lookup.error());
    lookup->bind(1, referenceHash).bind(2, key);
    if (auto row = lookup->step(); row && *row) {
        const QJsonObject json = QJsonDocument::fromJson(lookup->text(0).toUtf8()).object();
        if (auto p = profileFromJson(json, referenceFile)) {
            p->source = referenceFile;
            return p;
        }
        // An unreadable stored profile is rebuilt below.
    }
    auto table = readTable(referenceFile, {}, progress);
    if (!table)
        return fail(table.error());
    auto profile = buildReferenceProfile(*table, options, progress);
    if (!profile)
        return fail(profile.error());
    profile->contentHash = referenceHash;
    const QByteArray text = QJsonDocument(profileToJson(*profile)).toJson(QJsonDocument::Compact);
    auto store = db.prepare(
        u"INSERT OR REPLACE INTO drift_profiles (reference_hash, settings, created_ms, profile) "
        "VALUES (?1, ?2, ?3, ?4)"_s);
    if (!store)
        return fail(store.error());
    if (auto r = store->bind(1, referenceHash)
                     .bind(2, key)
                     .bind(3, QDateTime::currentMSecsSinceEpoch())
                     .bind(4, QString::fromUtf8(text))
                     .exec();
        !r)
        return fail(r.error());
    return profile;
}

Result<DriftHistory> computeDriftHistory(const Project &project, Database &db,
                                         const ProjectDrift &drift, const Progress &progress)
{
    DriftHistory history;
    history.referenceFile = drift.referenceFile;
    history.options = drift.options;
    const qint64 total = drift.batches.size() + 1;
    auto step = [&](qint64 done) { return !progress || progress(done, total); };
    qint64 done = 0;
    // Hashing, reading and comparing one file can take seconds: they ask this whether to go on,
    // so that Cancel stops them, not only the loop between batches.
    const Progress goOn = [&](qint64, qint64) { return step(done); };
    const auto cancelled = [&] { return !step(done); };
    if (!step(0))
        return fail(Error(u"cancelled"_s));

    FileHashCache hashes(db);
    const QString referencePath = project.relativePath(drift.referenceFile);
    auto refHash = hashes.hash(drift.referenceFile, referencePath, cancelled);
    if (!refHash)
        return fail(refHash.error());
    history.referenceHash = refHash->hash;
    const QString key = settingsKey(drift.options);

    auto lookup = db.prepare(
        u"SELECT reference_hash, batch_hash, report FROM drift_results WHERE reference = ?1 "
        "AND batch = ?2 AND settings = ?3"_s);
    auto store = db.prepare(
        u"INSERT OR REPLACE INTO drift_results (reference, batch, settings, reference_hash, "
        "batch_hash, computed_ms, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"_s);
    if (!lookup)
        return fail(lookup.error());
    if (!store)
        return fail(store.error());

    // Read lazily: nothing is read when every batch is in the store.
    std::optional<Table> referenceTable;
    std::optional<ReferenceProfile> profile;
    auto prepareReference = [&]() -> Result<void> {
        if (drift.options.binning == Binning::Reference) {
            if (!profile) {
                auto p = referenceProfile(db, drift.referenceFile, history.referenceHash,
                                          drift.options, goOn);
                if (!p)
                    return fail(p.error());
                profile = std::move(*p);
            }
        } else if (!referenceTable) {
            auto t = readTable(drift.referenceFile, {}, goOn);
            if (!t)
                return fail(t.error());
            referenceTable = std::move(*t);
        }
        return ok();
    };

    done = 1;
    for (const QString &file : drift.batches) {
        if (!step(done))
            return fail(Error(u"cancelled"_s));
        BatchDrift b;
        b.file = file;
        b.path = project.relativePath(file);
        b.modifiedMs = QFileInfo(file).lastModified().toMSecsSinceEpoch();
        auto batchHash = hashes.hash(file, b.path, cancelled);
        if (!batchHash) {
            b.error = batchHash.error();
            history.batches.append(b);
            ++done;
            continue;
        }
        b.hash = batchHash->hash;
        lookup->bind(1, referencePath).bind(2, b.path).bind(3, key);
        if (auto row = lookup->step();
            row && *row && lookup->text(0) == history.referenceHash && lookup->text(1) == b.hash) {
            auto report =
                driftReportFromJson(QJsonDocument::fromJson(lookup->text(2).toUtf8()).object());
            if (report) {
                b.report = std::move(*report);
                b.fromStore = true;
            }
        }
        lookup->reset();
        if (!b.report) {
            if (auto r = prepareReference(); !r)
                return fail(r.error()); // without the reference no batch can be compared
            auto table = readTable(file, {}, goOn);
            Result<DriftReport> report =
                table ? (profile ? computeDriftAgainstProfile(*profile, *table, drift.options, goOn)
                                 : computeDrift(*referenceTable, *table, drift.options, goOn))
                      : Result<DriftReport>(fail(table.error()));
            if (report) {
                report->reference = referencePath;
                report->current = b.path;
                const QByteArray text =
                    QJsonDocument(driftReportToJson(*report, true)).toJson(QJsonDocument::Compact);
                (void)store->bind(1, referencePath)
                    .bind(2, b.path)
                    .bind(3, key)
                    .bind(4, history.referenceHash)
                    .bind(5, b.hash)
                    .bind(6, QDateTime::currentMSecsSinceEpoch())
                    .bind(7, QString::fromUtf8(text))
                    .exec();
                store->reset();
                b.report = std::move(*report);
                ++history.computed;
            } else {
                b.error = report.error();
            }
        }
        history.batches.append(b);
        ++done;
    }
    (void)step(total);
    return history;
}

Result<ParamValues> retrainParameters(const Project &project, const QString &batchFile,
                                      const QString &referenceFile)
{
    if (!project.drift || !project.drift->retrain)
        return fail(
            Error(u"the project does not say how to retrain"_s, project.projectFile)
                .withHint(
                    u"Add `retrain: {entry_point: train, parameters: {data: \"{current}\"}}` under "
                    "`drift:` in cairn.yaml"_s));
    ParamValues out;
    const QString current = project.relativePath(batchFile);
    const QString reference =
        referenceFile.isEmpty() ? QString() : project.relativePath(referenceFile);
    for (const auto &[name, value] : project.drift->retrain->parameters) {
        QString v = value;
        v.replace(u"{current}"_s, current).replace(u"{reference}"_s, reference);
        out.append({name, v});
    }
    return out;
}

} // namespace cairn::drift
