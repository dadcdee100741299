#pragma once

// Model gates: what a run's model must pass before it may take an alias (docs/project-file.md,
// "Model gates"). A gate is the `gate:` of a model in cairn.yaml: metric conditions on the run,
// comparisons with the version an alias holds (`production.val_auc`), and the data checks of the
// datasets the run used. Plain functions over the project and its store.

#include "common/error.h"
#include "project/project.h"
#include "store/database.h"
#include "validation/datavalidation.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>

#include <optional>

namespace cairn::registry {

// One condition, evaluated.
struct ConditionResult
{
    QString condition; // as written in cairn.yaml
    SourceLocation location;
    bool passed = false;
    // True when a side names an alias no version holds now: `production` or `staging` (the first
    // model has no `production`), or another alias some version held before. The condition
    // passes, and `message` says it was not compared. An alias no version ever held fails (a
    // misspelt `@champoin` would otherwise pass forever).
    bool skipped = false;
    std::optional<double> left;  // the left side's value, when it could be computed
    std::optional<double> right; // the right side's value
    // "val_auc 0.8123 >= 0.7950 (production.val_auc 0.8050 - 0.01)", or why it failed to
    // evaluate: "the run has no metric \"val_auc\"; it has: loss, val_loss".
    QString message;
};

// The checks of one dataset the run used, run on the content the run read (PATH@run:ID).
struct DataCheckResult
{
    QString dataset;
    QString version; // "data/reference.csv@run:12"
    bool passed = false;
    QString message; // "11 rules passed", "2 of 11 rules failed: ...", or why it could not run
    std::optional<validation::ValidationReport> report;
};

struct GateReport
{
    QString model;
    qint64 runId = 0;
    QDateTime evaluated;
    bool declared = false; // the model declares a gate; without one every report passes
    // Why the gate fails whatever its conditions say: the run did not finish ("run #12
    // failed: a gate passes only on a finished run"), it did not write the model's files ("run
    // #13 did not write churn-model's files: a gate judges the run that trained the model"), or
    // a registered version has no run to evaluate. Empty otherwise. The conditions are still
    // evaluated, for the record.
    QString failure;
    // What the reader should know that does not fail the gate: a run imported from MLflow has
    // no record of the files it wrote, so its gate judges its metrics only.
    QString note;
    QList<ConditionResult> conditions;
    QList<DataCheckResult> data;
    // Each alias a condition read, with the version that held it then (0: none did). promote()
    // checks, in the transaction that moves the alias, that none of them moved meanwhile. Not
    // kept in the JSON.
    QMap<QString, int> aliasesRead;

    bool passed() const;
};

// The metrics a gate condition can name for a run: its own latest values by name ("val_auc"),
// and for each entry point whose newest finished run used the model this run wrote, that run's
// latest values as "ENTRY.NAME" ("validate.auc"). This is what a registered version keeps, and
// what `production.NAME` reads.
Result<QJsonObject> metricsSnapshot(const Project &project, Database &db, const QString &model,
                                    qint64 runId);

// Evaluates `model`'s gate on run `runId`. Alias references (`production.NAME`) read the
// metrics snapshot of the version holding the alias now. A run that did not write the model
// (registry.h, runWroteModel()) fails, with or without a declared gate. Errors: an unknown model or
// run, a store that cannot be read; a condition that cannot be evaluated is a failed condition with
// its reason, not an error.
Result<GateReport> evaluateGate(const Project &project, Database &db, const QString &model,
                                qint64 runId, const Progress &progress = {});

// `{"model", "run", "evaluated", "declared", "passed", "failure", "conditions": [{"condition",
// "line", "passed", "skipped", "left", "right", "message"}], "data": [{"dataset", "version",
// "passed", "message", "report"}]}`; and back, for reports kept in the store (a data check's
// `report` is not read back: its `message` says what it found).
QJsonObject gateReportToJson(const GateReport &report);
GateReport gateReportFromJson(const QJsonObject &json);
// PASS/FAIL per condition and dataset, then one line "gate passed"/"gate failed".
QString gateReportToText(const GateReport &report);

} // namespace cairn::registry
