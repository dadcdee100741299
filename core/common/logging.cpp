#include "logging.h"

Q_LOGGING_CATEGORY(lcProject, "cairn.core.project", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStore, "cairn.core.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcRuns, "cairn.core.runs", QtWarningMsg)
Q_LOGGING_CATEGORY(lcVcs, "cairn.core.vcs", QtWarningMsg)
Q_LOGGING_CATEGORY(lcDemo, "cairn.core.demo", QtWarningMsg)
