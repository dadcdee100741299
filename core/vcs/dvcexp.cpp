// Reads a DVC project per git commit: dvc.yaml, the params, metrics and plots files it names,
// and dvc.lock; for the workspace also the stages' status against dvc.lock (`dvc status`).

#include "dvcexp.h"

#include "common/logging.h"
#include "dvc.h"
#include "dvcvalues.h"
#include "git.h"
#include "project/yamlsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstring>

using namespace Qt::StringLiterals;

namespace cairn::dvc {

using namespace detail;

std::optional<double> FlatValue::number() const
{
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

const FlatValue *ValuesFile::find(const QString &key) const
{
    for (const FlatValue &v : values) {
        if (v.key == key)
            return &v;
    }
    return nullptr;
}

bool ValuesFile::isUsed(const QString &key) const
{
    if (wholeFileUsed)
        return true;
    for (const QString &used : usedKeys) {
        if (key == used || key.startsWith(used + u'.'))
            return true;
    }
    return false;
}

const ValuesFile *DvcRow::paramsFile(const QString &path) const
{
    for (const ValuesFile &f : params) {
        if (f.path == path)
            return &f;
    }
    return nullptr;
}

const ValuesFile *DvcRow::metricsFile(const QString &path) const
{
    for (const ValuesFile &f : metrics) {
        if (f.path == path)
            return &f;
    }
    return nullptr;
}

QString stageStateName(StageState state)
{
    switch (state) {
    case StageState::NotChecked:
        return u"not checked"_s;
    case StageState::UpToDate:
        return u"up to date"_s;
    case StageState::Changed:
        return u"changed"_s;
    case StageState::NotInLock:
        return u"not in lock"_s;
    }
    return {};
}

namespace {

// Where a row's files come from: the work tree, or a commit of the git repository.
struct Source
{
    QString projectRoot; // absolute
    QString gitRoot;     // absolute
    QString prefix;      // the project folder relative to gitRoot, "" or "sub/"
    QString rev;         // a full commit id; empty: the workspace
    QString shortRev;

    QString label(const QString &path) const
    {
        return rev.isEmpty() ? path : u"%1:%2"_s.arg(shortRev, path);
    }

    Result<std::optional<QByteArray>> read(const QString &path) const
    {
        if (rev.isEmpty()) {
            const QString abs = QDir(projectRoot).filePath(path);
            if (!QFileInfo(abs).isFile())
                return std::optional<QByteArray>();
            QFile f(abs);
            if (!f.open(QIODevice::ReadOnly))
                return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), abs));
            return std::optional<QByteArray>(f.readAll());
        }
        return gitTryFileAtRevision(gitRoot, rev, prefix + path);
    }
};

bool sameJson(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    if (a.isArray() && b.isArray()) {
        const QJsonArray x = a.toArray();
        const QJsonArray y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!sameJson(x[i], y[i]))
                return false;
        }
        return true;
    }
    return a == b;
}

// The md5 DVC gives a directory: md5 of its `.dir` manifest. Nothing when it cannot be
// reproduced simply (names JSON would escape).
std::optional<QString> dirMd5(const QString &dir, bool legacy)
{
    QStringList rel;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        rel << QDir(dir).relativeFilePath(it.next());
    rel.sort();
    QStringList entries;
    for (const QString &r : std::as_const(rel)) {
        for (const QChar c : r) {
            if (c.unicode() < 0x20 || c.unicode() > 0x7e || c == u'"' || c == u'\\')
                return std::nullopt;
        }
        const QString abs = QDir(dir).filePath(r);
        const auto md5 = legacy ? fileMd5Dos2Unix(abs) : fileMd5(abs);
        if (!md5)
            return std::nullopt;
        entries << u"{\"md5\": \"%1\", \"relpath\": \"%2\"}"_s.arg(*md5, r);
    }
    return bytesMd5((u'[' + entries.join(u", "_s) + u']').toUtf8()) + u".dir"_s;
}

// "modified", "deleted", "not checked", or empty when `e` matches the work tree.
QString entryStatus(const QString &projectRoot, const LockEntry &e)
{
    const QString abs = QDir(projectRoot).filePath(e.path);
    const QFileInfo fi(abs);
    if (!fi.exists())
        return u"deleted"_s;
    if (e.md5.isEmpty())
        return u"not checked"_s;
    std::optional<QString> now;
    if (e.md5.endsWith(u".dir"_s)) {
        if (!fi.isDir() || QFileInfo::exists(QDir(projectRoot).filePath(u".dvcignore"_s)))
            return u"not checked"_s;
        now = dirMd5(abs, e.legacy);
        if (!now)
            return u"not checked"_s;
    } else {
        if (fi.isDir())
            return u"modified"_s;
        const auto md5 = e.legacy ? fileMd5Dos2Unix(abs) : fileMd5(abs);
        if (!md5)
            return u"not checked"_s;
        now = *md5;
    }
    return *now == e.md5 ? QString() : u"modified"_s;
}

QList<FlatValue> valuesUnder(const ValuesFile &file, const QString &key)
{
    QList<FlatValue> out;
    for (const FlatValue &v : file.values) {
        if (v.key == key || v.key.startsWith(key + u'.'))
            out.append(v);
    }
    return out;
}

bool sameValues(const QList<FlatValue> &a, const QList<FlatValue> &b)
{
    if (a.size() != b.size())
        return false;
    for (const FlatValue &x : a) {
        const auto y =
            std::find_if(b.cbegin(), b.cend(), [&](const FlatValue &v) { return v.key == x.key; });
        if (y == b.cend() || !sameJson(x.value, y->value))
            return false;
    }
    return true;
}

// `dvc status` for one locked stage of the workspace.
void checkStage(DvcStage &stage, const StageDef *def, const DvcRow &row, const QString &projectRoot)
{
    auto change = [&](const QString &kind, const QString &item, const QString &status) {
        stage.changes.append(StageChange{kind, item, status});
    };
    if (def && def->alwaysChanged)
        change(u"stage"_s, stage.name, u"always changed"_s);
    if (def && !def->templated && !def->cmd.isEmpty() && def->cmd != stage.cmd)
        change(u"cmd"_s, def->cmd, u"modified"_s);
    for (const LockEntry &d : std::as_const(stage.deps)) {
        if (const QString s = entryStatus(projectRoot, d); !s.isEmpty())
            change(u"dep"_s, d.path, s);
    }
    if (def && !def->templated) {
        for (const QString &d : def->deps) {
            const bool locked = std::any_of(stage.deps.cbegin(), stage.deps.cend(),
                                            [&](const LockEntry &e) { return e.path == d; });
            if (!locked)
                change(u"dep"_s, d, u"new"_s);
        }
    }
    for (const ValuesFile &locked : std::as_const(stage.params)) {
        const ValuesFile *now = row.paramsFile(locked.path);
        if (!now) {
            const bool exists = !row.files.value(locked.path).isEmpty();
            change(u"param"_s, locked.path, exists ? u"not checked"_s : u"deleted"_s);
            continue;
        }
        for (const QString &key : locked.usedKeys) {
            const QList<FlatValue> current = valuesUnder(*now, key);
            const QString item = u"%1:%2"_s.arg(locked.path, key);
            if (current.isEmpty())
                change(u"param"_s, item, u"deleted"_s);
            else if (!sameValues(current, valuesUnder(locked, key)))
                change(u"param"_s, item, u"modified"_s);
        }
    }
    if (def && !def->templated) {
        for (const auto &[file, keys] : def->params) {
            const ValuesFile *locked = nullptr;
            for (const ValuesFile &l : std::as_const(stage.params)) {
                if (l.path == file)
                    locked = &l;
            }
            QStringList wanted = keys;
            if (keys.isEmpty() && row.paramsFile(file)) {
                for (const FlatValue &v : row.paramsFile(file)->values)
                    appendUnique(wanted, v.key.section(u'.', 0, 0));
            }
            for (const QString &key : std::as_const(wanted)) {
                if (!locked || !locked->usedKeys.contains(key))
                    change(u"param"_s, u"%1:%2"_s.arg(file, key), u"new"_s);
            }
        }
    }
    for (const LockEntry &o : std::as_const(stage.outs)) {
        if (const QString s = entryStatus(projectRoot, o); !s.isEmpty())
            change(u"out"_s, o.path, s);
    }
    stage.state = stage.changes.isEmpty() ? StageState::UpToDate : StageState::Changed;
}

void checkWorkspace(DvcRow &row, const DvcYaml &yaml, const QString &projectRoot)
{
    for (DvcStage &stage : row.stages) {
        const QString base = stage.name.section(u'@', 0, 0);
        const StageDef *def = nullptr;
        for (const StageDef &d : yaml.stages) {
            if (d.name == stage.name || (d.templated && d.name == base))
                def = &d;
        }
        if (def && !def->wdir.isEmpty()) {
            // Paths relative to the project, as everything else in the row.
            for (QList<LockEntry> *list : {&stage.deps, &stage.outs}) {
                for (LockEntry &e : *list)
                    e.path = joinWdir(def->wdir, e.path);
            }
            for (ValuesFile &f : stage.params)
                f.path = joinWdir(def->wdir, f.path);
        }
        if (def || !row.hasDvcYaml)
            checkStage(stage, def, row, projectRoot);
    }
    // Stages of dvc.yaml that dvc.lock does not know yet.
    for (const StageDef &d : yaml.stages) {
        const bool locked =
            std::any_of(row.stages.cbegin(), row.stages.cend(), [&](const DvcStage &s) {
                return s.name == d.name || (d.templated && s.name.startsWith(d.name + u'@'));
            });
        if (locked)
            continue;
        DvcStage s;
        s.name = d.name;
        s.cmd = d.cmd;
        s.state = StageState::NotInLock;
        row.stages.append(s);
    }
}

// Reads `path` into `row.files`; nothing when absent or unreadable (a warning then).
// `quiet`: no warning (a plots entry may be a folder, which git cannot read as a file).
std::optional<QByteArray> readInto(const Source &src, DvcRow &row, const QString &path,
                                   bool quiet = false)
{
    auto bytes = src.read(path);
    if (!bytes) {
        if (!quiet)
            row.warnings.append(bytes.error());
        row.files.insert(path, QString());
        return std::nullopt;
    }
    row.files.insert(path, *bytes ? bytesMd5(**bytes) : QString());
    return *bytes;
}

std::optional<ValuesFile> readValues(const Source &src, DvcRow &row, const QString &path)
{
    const auto bytes = readInto(src, row, path);
    if (!bytes)
        return std::nullopt;
    auto values = detail::parseValuesFile(*bytes, path, src.label(path));
    if (!values) {
        row.warnings.append(values.error());
        return std::nullopt;
    }
    ValuesFile f;
    f.path = path;
    f.values = std::move(*values);
    return f;
}

DvcRow readRow(const Source &src)
{
    DvcRow row;
    row.workspace = src.rev.isEmpty();
    row.rev = row.workspace ? u"workspace"_s : src.rev;
    row.shortRev = row.workspace ? u"workspace"_s : src.shortRev;

    DvcYaml yaml;
    if (const auto bytes = readInto(src, row, u"dvc.yaml"_s)) {
        row.hasDvcYaml = true;
        yaml = parseDvcYaml(*bytes, src.label(u"dvc.yaml"_s), row.warnings);
    }

    QStringList paramsFiles{kParamsYaml};
    for (const QString &f : std::as_const(yaml.paramsFiles))
        appendUnique(paramsFiles, f);
    for (const StageDef &s : std::as_const(yaml.stages)) {
        for (const auto &[file, keys] : s.params)
            appendUnique(paramsFiles, file);
    }
    for (const QString &path : std::as_const(paramsFiles)) {
        auto file = readValues(src, row, path);
        if (!file)
            continue;
        for (const StageDef &s : std::as_const(yaml.stages)) {
            for (const auto &[f, keys] : s.params) {
                if (f != path)
                    continue;
                if (keys.isEmpty())
                    file->wholeFileUsed = true;
                for (const QString &k : keys)
                    appendUnique(file->usedKeys, k);
            }
        }
        row.params.append(*file);
    }
    for (const QString &path : std::as_const(yaml.metrics)) {
        if (auto file = readValues(src, row, path))
            row.metrics.append(*file);
    }
    for (const QString &path : std::as_const(yaml.plots)) {
        if (const auto bytes = readInto(src, row, path, true))
            row.plots.append(path);
    }
    if (const auto lock = readInto(src, row, u"dvc.lock"_s))
        row.stages = parseLock(*lock, src.label(u"dvc.lock"_s), row.warnings);
    if (row.workspace)
        checkWorkspace(row, yaml, src.projectRoot);
    return row;
}

struct ExpName
{
    QString name;
    QString baseline;
};

struct Repo
{
    QString projectRoot;
    QString gitRoot;
    QString prefix;
    QString head; // HEAD's commit, empty on an unborn branch
};

Result<Repo> openProject(const QString &repoRoot)
{
    const QFileInfo dir(repoRoot);
    if (!dir.isDir())
        return fail(Error(u"the project folder does not exist"_s, repoRoot));
    const auto state = readGitState(repoRoot);
    if (!state)
        return fail(state.error());
    if (!state->isRepository)
        return fail(Error(u"not in a git repository, so there are no commits to read DVC "
                          "experiments from"_s,
                          repoRoot)
                        .withHint(u"DVC projects live in git: run `git init` and commit"_s));
    Repo r;
    r.projectRoot = dir.canonicalFilePath();
    r.gitRoot = QFileInfo(state->root).canonicalFilePath();
    QString rel = QDir(r.gitRoot).relativeFilePath(r.projectRoot);
    r.prefix = rel == u"."_s || rel.isEmpty() ? QString() : rel + u'/';
    r.head = state->commit;
    return r;
}

Source sourceFor(const Repo &repo, const QString &rev)
{
    return Source{repo.projectRoot, repo.gitRoot, repo.prefix, rev, rev.left(7)};
}

DvcRow commitRow(const Repo &repo, const GitCommit &c, const QHash<QString, QStringList> &refs)
{
    DvcRow row = readRow(sourceFor(repo, c.id));
    row.summary = c.summary;
    row.created = c.when;
    row.refs = refs.value(c.id);
    return row;
}

void compareWithHead(DvcRow &workspace, const DvcRow &head)
{
    QStringList paths = workspace.files.keys();
    for (const QString &p : head.files.keys())
        appendUnique(paths, p);
    paths.sort();
    for (const QString &p : std::as_const(paths)) {
        if (workspace.files.value(p) != head.files.value(p))
            workspace.changedFiles << p;
    }
    workspace.differsFromHead = !workspace.changedFiles.isEmpty();
}

Result<DvcRow> workspaceRow(const Repo &repo, const DvcRow *head)
{
    DvcRow row = readRow(sourceFor(repo, {}));
    if (head) {
        compareWithHead(row, *head);
    } else if (!repo.head.isEmpty()) {
        const DvcRow h = readRow(sourceFor(repo, repo.head));
        compareWithHead(row, h);
    } else {
        compareWithHead(row, DvcRow{});
    }
    return row;
}

} // namespace

Result<DvcRow> readDvcRow(const QString &repoRoot, const QString &rev)
{
    const auto repo = openProject(repoRoot);
    if (!repo)
        return fail(repo.error());
    if (rev.isEmpty() || rev == u"workspace"_s)
        return workspaceRow(*repo, nullptr);
    const auto log = gitLogFrom(repo->gitRoot, rev, 1);
    if (!log)
        return fail(log.error());
    if (log->isEmpty())
        return fail(Error(u"unknown revision \"%1\""_s.arg(rev), repoRoot));
    return commitRow(*repo, log->first(),
                     gitRefsByCommit(repo->gitRoot).value_or(QHash<QString, QStringList>()));
}

Result<QList<DvcRow>> readDvcExperiments(const QString &repoRoot, const ExpOptions &options,
                                         const Progress &progress)
{
    const auto repo = openProject(repoRoot);
    if (!repo)
        return fail(repo.error());
    QList<GitCommit> commits;
    if (!repo->head.isEmpty() || options.rev != u"HEAD"_s) {
        auto log = gitLogFrom(repo->gitRoot, options.rev, options.maxCommits);
        if (!log)
            return fail(log.error());
        commits = std::move(*log);
    }
    const auto refs = gitRefsByCommit(repo->gitRoot).value_or(QHash<QString, QStringList>());
    // DVC's experiment refs: refs/exps/<baseline[:2]>/<baseline[2:]>/<name>.
    QList<std::pair<ExpName, QString>> exps;
    if (options.experiments) {
        for (const GitReference &ref :
             gitReferences(repo->gitRoot, u"refs/exps/*"_s).value_or(QList<GitReference>())) {
            const QStringList parts = ref.name.split(u'/');
            if (parts.size() != 5 || parts[2].size() != 2 || parts[3].size() != 38)
                continue; // the queue's stash refs and the like
            const QString baseline = parts[2] + parts[3];
            const bool shown = std::any_of(commits.cbegin(), commits.cend(),
                                           [&](const GitCommit &c) { return c.id == baseline; });
            if (shown)
                exps.append({ExpName{parts[4], baseline}, ref.commit});
        }
    }
    const qint64 total = commits.size() + exps.size() + (options.workspace ? 1 : 0);
    qint64 done = 0;
    auto step = [&]() { return !progress || progress(++done, total); };
    const Error cancelled(u"cancelled"_s, repoRoot);

    QList<DvcRow> rows;
    for (const GitCommit &c : std::as_const(commits)) {
        rows.append(commitRow(*repo, c, refs));
        if (!step())
            return fail(cancelled);
        for (const auto &[name, commit] : std::as_const(exps)) {
            if (name.baseline != c.id)
                continue;
            const auto log = gitLogFrom(repo->gitRoot, commit, 1);
            if (!log || log->isEmpty())
                continue;
            DvcRow row = commitRow(*repo, log->first(), refs);
            row.experiment = name.name;
            row.baseline = name.baseline;
            rows.append(row);
            if (!step())
                return fail(cancelled);
        }
    }
    if (options.workspace) {
        const auto head = std::find_if(rows.cbegin(), rows.cend(),
                                       [&](const DvcRow &r) { return r.rev == repo->head; });
        auto ws = workspaceRow(*repo, head == rows.cend() ? nullptr : &*head);
        if (!ws)
            return fail(ws.error());
        rows.prepend(*ws);
        if (!step())
            return fail(cancelled);
    }
    const bool any = std::any_of(rows.cbegin(), rows.cend(), [](const DvcRow &r) {
        return r.hasDvcYaml || !r.files.value(kParamsYaml).isEmpty();
    });
    if (!any)
        return fail(Error(u"no dvc.yaml or params.yaml in the workspace or in the %1 commits "
                          "read"_s.arg(commits.size()),
                          repo->projectRoot)
                        .withHint(u"Point --project at the folder that holds dvc.yaml"_s));
    qCDebug(lcVcs) << "read" << rows.size() << "DVC experiment rows in" << repo->projectRoot;
    return rows;
}

Result<DvcPlot> readDvcPlot(const QString &repoRoot, const QString &rev, const QString &path)
{
    const auto repo = openProject(repoRoot);
    if (!repo)
        return fail(repo.error());
    QString commit;
    if (!rev.isEmpty() && rev != u"workspace"_s) {
        const auto id = gitRevParse(repo->gitRoot, rev);
        if (!id)
            return fail(id.error());
        commit = *id;
    }
    const Source src = sourceFor(*repo, commit);
    const auto bytes = src.read(path);
    if (!bytes)
        return fail(bytes.error());
    if (!*bytes)
        return fail(Error(u"the plots file does not exist at %1"_s.arg(
                              commit.isEmpty() ? u"the workspace"_s : rev),
                          src.label(path)));
    return detail::parsePlotFile(**bytes, path, src.label(path));
}

} // namespace cairn::dvc
