#include "snapshot.h"

#include "project/projectfile.h"
#include "runs/runstore.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

ProjectSnapshot loadSnapshot(const QString &dir)
{
    ProjectSnapshot s;
    const QFileInfo info(dir);
    s.root = info.canonicalFilePath().isEmpty() ? QDir::cleanPath(info.absoluteFilePath())
                                                : info.canonicalFilePath();
    s.name = QFileInfo(s.root).fileName();
    auto project = loadProject(s.root);
    if (project) {
        s.project = std::move(*project);
        s.name = s.project->name;
    } else {
        s.errors = project.error();
    }
    if (auto git = readGitState(s.root))
        s.git = *git;
    else
        s.errors.append(git.error());

    if (QFileInfo::exists(projectDatabasePath(s.root))) {
        // Runs whose supervisor died are marked lost now, so every view agrees.
        auto db = openProjectDatabase(s.root);
        if (db) {
            if (auto lost = RunStore(**db).reconcile(s.root); lost)
                s.lostRuns = *lost;
            if (auto recent = RunStore(**db).list(12); recent)
                s.recentRuns = *recent;
        }
        if (!db) {
            s.errors.append(db.error());
        } else {
            auto q = (*db)->prepare(u"SELECT count(*), "
                                    "sum(status IN ('queued', 'running') AND id NOT IN "
                                    "(SELECT run_id FROM imported_runs)) FROM runs");
            if (q && q->step().value_or(false)) {
                s.runCount = q->int64(0);
                s.activeRunCount = q->int64(1);
            }
        }
    }
    return s;
}

} // namespace cairn
