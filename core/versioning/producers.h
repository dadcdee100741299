#pragma once

// The runs that made two versions of a file, and what differs between them: what Cairn shows
// beside a model diff ("v2 was trained with lr 0.05 instead of 0.3, and its AUC went from 0.81 to
// 0.84"). The versions are looked up by content hash in the project database of the project
// holding the file; nothing is created or written.

#include "runs/rundiff.h"
#include "versioning/versions.h"

#include <QJsonObject>

#include <optional>

namespace cairn {

struct ProducingRuns
{
    QString projectRoot;         // empty when the files are in no Cairn project
    std::optional<VersionRun> a; // the run that made version a, when a run did
    std::optional<VersionRun> b;
    std::optional<RunDiff> diff; // when both are known and are different runs
    QString note;                // why there is no diff, in words

    bool empty() const { return !a && !b; }
};

// The project is the nearest folder above a's file holding .cairn/cairn.db; each side's
// producing run is `producingRun` (versions.h) of it.
ProducingRuns findProducingRuns(const FileVersion &a, const FileVersion &b);

// {"a": run or null, "b": run or null, "diff": runDiffJson or null, "note"}; a run is
// {"id", "name"}.
QJsonObject producingRunsJson(const ProducingRuns &runs);
// For terminals: a line naming the runs, then runDiffText.
QString producingRunsText(const ProducingRuns &runs);

} // namespace cairn
