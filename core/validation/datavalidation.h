#pragma once

// Data validation: a table checked against the rules a dataset declares under `checks:` in
// cairn.yaml (docs/project-file.md). Plain functions over plain values; the report says, rule
// by rule, whether it passed, how many rows break it and a few of them.

#include "data/table.h"
#include "drift/drift.h"
#include "project/project.h"

#include <QJsonObject>

#include <optional>

namespace cairn::validation {

struct Example
{
    qint64 row = 0;               // 1-based data row (the header is not a row)
    std::optional<QString> value; // the value as Cairn read it (Python's repr of numbers);
                                  // nullopt for a missing value
};

struct RuleResult
{
    QString rule;   // "rows", "column", "kind", "range", "missing", "unique", "allowed", "key",
                    // "drift"
    QString column; // empty for table-wide rules
    bool passed = true;
    qint64 offendingRows = 0;
    QList<Example> examples; // at most kMaxExamples, in row order
    QString message;
};
inline constexpr int kMaxExamples = 5;

struct ValidationReport
{
    QString dataset; // the dataset's name, or the file when no dataset declares it
    QString version; // as given: "data/train.csv", "data/train.csv@HEAD~1"
    qint64 rows = 0;
    QList<RuleResult> rules;

    bool passed() const;
};

// What the drift rule compares against: the reference table and the project's drift options
// (column types, ignored columns, test, threshold), which the rule's own test and threshold
// override. Without it a drift rule fails with a message.
struct DriftReference
{
    const Table *table = nullptr;
    QString name;
    drift::DriftOptions options;
};

// Checks `table` against `checks`. Missing values are the reader's (NaN, pandas' tokens, an
// empty field); ranges, kinds and allowed values ignore them (the missing rules count them).
ValidationReport validateTable(const Table &table, const DatasetChecks &checks,
                               const std::optional<DriftReference> &reference = std::nullopt);

// Validates a dataset version: `spec` is a dataset name or a path (relative to the project
// root), optionally followed by @REV (see vcs/revision.h). The rules are those of the dataset
// the file belongs to. Errors: an unknown dataset, a glob matching several files, no checks
// declared, a file that cannot be read or a drift reference that cannot be.
Result<ValidationReport> validateDataset(const Project &project, const QString &spec,
                                         const Progress &progress = {});

// `{"dataset", "version", "passed", "rows", "rules": [{"rule", "column", "passed",
// "offending_rows", "examples": [{"row", "value"}], "message"}]}`.
QJsonObject validationReportToJson(const ValidationReport &report);
// One line per rule, PASS or FAIL, with the examples under a failed one.
QString validationReportToText(const ValidationReport &report);

} // namespace cairn::validation
