#pragma once

#include <QLoggingCategory>

// One logging category per module, quiet (warnings only) by default.
// Enable with QT_LOGGING_RULES="cairn.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcProject)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcRuns)
Q_DECLARE_LOGGING_CATEGORY(lcVcs)
Q_DECLARE_LOGGING_CATEGORY(lcDemo)
