#pragma once

// Data drift between a reference table and a current one, column by column, with Evidently's
// rules (column kinds, default test per column, dataset rule) and Cairn's additions (missing-
// share drift, reference-binned mode). Plain functions over plain values; long work reports
// progress and can be cancelled.

#include "data/table.h"
#include "stattests.h"

#include <QHash>
#include <QJsonObject>

#include <optional>

namespace cairn::drift {

enum class ColumnKind
{
    Numerical,
    Categorical,
    Text,
    Unknown
};
QString kindName(ColumnKind kind); // "numerical", "categorical", "text", "unknown"
std::optional<ColumnKind> kindFromName(QStringView name);

// The tests by their Evidently names, plus Cairn's "missing_share".
QStringList testNames();
// Evidently's default threshold of a test (0.05 or 0.1), NaN for an unknown name.
double defaultThreshold(QStringView test);
// True for tests whose score is a p-value (drift when small), false for distances.
bool isPValueTest(QStringView test);

// How binned tests (psi, kl_div, jensenshannon, ...) make their bins.
enum class Binning
{
    Evidently, // Evidently's: Sturges edges over reference and current together, per comparison
    Reference, // Cairn's reference-binned mode: bins from the reference alone plus overflow bins,
               // computed once (a ReferenceProfile) and reused for every batch
};
QString binningName(Binning binning); // "evidently", "reference"

struct DriftOptions
{
    QString test;           // one test for every column instead of the default choice
    QStringList extraTests; // also run these where they apply (--tests)
    std::optional<double> threshold;
    double driftShare = 0.5;          // the dataset drifts when this share of columns drifts
    QHash<QString, ColumnKind> kinds; // per-column overrides
    QStringList ignore;               // columns left out
    Binning binning = Binning::Evidently;
    // Missing-share drift: a column whose share of missing values moved by at least this much
    // (absolute, 0.05 = five points) is flagged, whatever its values do.
    double missingShareThreshold = 0.05;
    int threads = 0;      // 0: all cores
    bool profiles = true; // fill ColumnDrift::profile (for charts)
};

// What a chart needs to show a column's two distributions.
struct ColumnProfile
{
    // Numeric: shared bin edges (Sturges over ref + cur) and each side's share per bin;
    // categorical: the categories (at most 50, most frequent first) and each side's share.
    std::vector<double> edges;
    QStringList categories;
    std::vector<double> refShares;
    std::vector<double> curShares;
    // Numeric: up to 512 points of each side's empirical CDF (x, F(x)).
    std::vector<double> refEcdfX, refEcdfY, curEcdfX, curEcdfY;
};

struct TestOutcome
{
    QString name;
    double threshold = 0;
    std::optional<TestResult> result;
    QString error; // why it could not be computed (then result is empty)
};

struct ColumnDrift
{
    QString name;
    ColumnKind kind = ColumnKind::Unknown;
    QString test; // the test that decides (default or forced); empty when not tested
    double threshold = 0;
    std::optional<TestResult> result;
    QString error;   // the column could not be tested: why
    QString skipped; // text and unknown columns are listed but not tested: why
    qint64 nRef = 0; // values after dropping missing and infinite ones
    qint64 nCur = 0;
    double missingShareRef = 0;
    double missingShareCur = 0;
    bool missingDrifted = false;
    QList<TestOutcome> tests; // the deciding test first, then the extra ones
    ColumnProfile profile;

    bool drifted() const { return result && result->drifted; }
};

struct DatasetDrift
{
    int columns = 0; // columns that were tested
    int driftedColumns = 0;
    double shareDrifted = 0;
    double driftShare = 0.5;
    bool drifted = false; // shareDrifted >= driftShare
    int missingDriftedColumns = 0;
};

struct DriftReport
{
    QString reference;
    QString current;
    QList<ColumnDrift> columns;
    DatasetDrift dataset;
    // Columns the other table lacks: not compared (not in the JSON form, which lists compared
    // columns as Evidently does; the CLI warns about them, the view and the HTML show them).
    QStringList onlyInReference;
    QStringList onlyInCurrent;
};

// The kind Evidently gives the current column (float → numerical; int → categorical when it has
// at most 10 distinct values; string → text when more than half its values are distinct, else
// categorical; bool → categorical; bools with missing values and all-missing columns → unknown).
ColumnKind inferKind(const Column &current);

// Compares the columns the two tables share (in the current table's order), in parallel. With
// Binning::Reference, builds the reference's profile first (see referenceprofile.h).
Result<DriftReport> computeDrift(const Table &reference, const Table &current,
                                 const DriftOptions &options = {}, const Progress &progress = {});

// The JSON of `cairn-cli drift --json` (docs/file-formats.md), non-finite numbers as strings.
// With `notes`, each column also carries "error", "skipped" and "missing_drifted" when set (the
// form Cairn stores; the CLI prints the exact documented form).
QJsonObject driftReportToJson(const DriftReport &report, bool notes = false);
// Reads back what driftReportToJson wrote (profiles are not part of it).
Result<DriftReport> driftReportFromJson(const QJsonObject &json);
// A plain-text table for terminals.
QString driftReportToText(const DriftReport &report);

} // namespace cairn::drift
