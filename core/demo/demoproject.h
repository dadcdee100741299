#pragma once

#include "common/error.h"

#include <QDateTime>
#include <QString>

namespace cairn {

struct DemoOptions
{
    bool git = true;                              // create the repository and its history
    QDateTime now = QDateTime::currentDateTime(); // commit dates are set relative to this
};

// Writes the churn demo project into `dir` (which must be missing or empty): cairn.yaml, the
// Python scripts, the reference and incoming tables, and a git history of three commits in which
// the training data changes. Returns a short description of what was written.
Result<QString> writeDemoProject(const QString &dir, const DemoOptions &options = {});

} // namespace cairn
