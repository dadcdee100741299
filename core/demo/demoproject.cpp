#include "demoproject.h"

#include "common/logging.h"
#include "demodata.h"
#include "vcs/git.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

Result<void> writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return fail(Error(u"cannot write the file: %1"_s.arg(f.errorString()), path)
                        .withHint(u"Check the free space and the folder's permissions"_s));
    return ok();
}

Result<void> copyResource(const QString &resource, const QString &target)
{
    QFile f(u":/cairn/"_s + resource);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(
            u"the demo template file %1 is missing from this build of Cairn"_s.arg(resource)));
    return writeFile(target, f.readAll());
}

} // namespace

Result<QString> writeDemoProject(const QString &dir, const DemoOptions &options)
{
    const QDir root(dir);
    if (QFileInfo(dir).exists()) {
        if (!QFileInfo(dir).isDir())
            return fail(Error(u"a file with this name exists"_s, dir)
                            .withHint(u"Choose a new folder for the demo project"_s));
        if (!root.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
            return fail(Error(u"the folder is not empty"_s, dir)
                            .withHint(u"Choose a new or empty folder; the demo never overwrites "
                                      "files"_s));
    }
    if (!QDir().mkpath(dir))
        return fail(Error(u"cannot create the folder"_s, dir)
                        .withHint(u"Check that you may write to its parent folder"_s));

    const QList<std::pair<QString, QString>> templates = {
        {u"demo/cairn.yaml"_s, u"cairn.yaml"_s},   {u"demo/train.py"_s, u"train.py"_s},
        {u"demo/validate.py"_s, u"validate.py"_s}, {u"demo/churn_model.py"_s, u"churn_model.py"_s},
        {u"demo/README.md"_s, u"README.md"_s},     {u"demo/gitignore"_s, u".gitignore"_s},
    };
    for (const auto &[res, name] : templates) {
        if (auto r = copyResource(res, root.filePath(name)); !r)
            return fail(r.error());
    }
    const QString reference = root.filePath(u"data/reference.csv"_s);
    auto batchPath = [&](int k) {
        return root.filePath(u"data/incoming/batch-%1.csv"_s.arg(k, 2, 10, QLatin1Char('0')));
    };

    auto commit = [&](const QString &message, int daysAgo) -> Result<void> {
        if (!options.git)
            return ok();
        GitSignature sig;
        sig.name = u"Demo Data Scientist"_s;
        sig.email = u"data-scientist@example.com"_s;
        sig.when = options.now.addDays(-daysAgo);
        auto c = gitCommitAll(dir, message, sig);
        return c ? ok() : fail(c.error());
    };

    if (options.git) {
        if (auto r = gitInit(dir); !r)
            return fail(r.error());
    }
    if (auto r = writeFile(reference, demo::referenceV1()); !r)
        return fail(r.error());
    if (auto r = commit(u"Churn model: logistic regression and the first customer extract\n\n"
                        "data/reference.csv holds 3,000 customers exported in December."_s,
                        21);
        !r)
        return fail(r.error());

    if (auto r = writeFile(reference, demo::referenceV2()); !r)
        return fail(r.error());
    for (int k = 1; k <= 3; ++k) {
        if (auto r = writeFile(batchPath(k), demo::incomingBatch(k)); !r)
            return fail(r.error());
    }
    if (auto r = commit(u"Refresh the reference extract and add incoming batches 01-03\n\n"
                        "- drop 25 internal TEST- accounts\n"
                        "- fix 120 rows whose total_charges were copied from monthly_charges\n"
                        "- add 1,000 customers who signed up in January"_s,
                        9);
        !r)
        return fail(r.error());

    for (int k = 4; k <= demo::BatchCount; ++k) {
        if (auto r = writeFile(batchPath(k), demo::incomingBatch(k)); !r)
            return fail(r.error());
    }
    if (auto r = commit(u"Add incoming batches 04-06"_s, 2); !r)
        return fail(r.error());

    qCDebug(lcDemo) << "demo project written to" << dir;
    QString summary = u"Wrote the churn demo project to %1:\n"
                      "  cairn.yaml         entry points train and validate\n"
                      "  train.py           logistic regression by gradient descent (Python "
                      "standard library)\n"
                      "  validate.py        scores a model on any table\n"
                      "  data/reference.csv 3,975 customers, 11 columns\n"
                      "  data/incoming/     batch-01.csv ... batch-%2.csv, 1,000 customers each, "
                      "drifting\n"_s.arg(QDir::toNativeSeparators(dir))
                          .arg(demo::BatchCount, 2, 10, QLatin1Char('0'));
    if (options.git)
        summary += u"  .git               3 commits; data/reference.csv changes between them\n"_s;
    return summary;
}

} // namespace cairn
