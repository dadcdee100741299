#pragma once

// Cairn's reference-binned drift mode. The reference is summarised once into a profile: for each
// column its kind, its share of missing values and its bins —
//  - numeric columns with more than 20 distinct reference values: numpy's Sturges edges over
//    the reference alone, plus an underflow and an overflow bin for values outside the
//    reference's range;
//  - every other tested column: one bin per distinct reference value, plus an overflow bin for
//    values the reference never had.
// Every batch is then counted into the same bins, so the reference file is read once and batches
// are comparable with each other. Only tests that work on bin counts apply here: psi (the
// default), kl_div, jensenshannon, hellinger, chisquare, and missing_share.

#include "drift.h"

#include <QJsonObject>

namespace cairn::drift {

struct ReferenceColumnProfile
{
    QString name;
    ColumnKind kind = ColumnKind::Unknown;
    bool numeric = false; // numbers (int, float, bool) rather than text
    bool isBool = false;
    qint64 rows = 0;               // cells, missing ones included
    qint64 missing = 0;            // missing cells
    qint64 count = 0;              // values binned (not missing, finite)
    bool byValue = false;          // one bin per value rather than ranges
    std::vector<double> edges;     // ranges: K + 1 edges; bins are [under, K ranges, over]
    std::vector<double> values;    // by value, numeric: the sorted distinct values
    QStringList labels;            // by value, text: the sorted distinct values
    std::vector<double> counts;    // the reference's count per bin, overflow bin(s) included
    std::vector<double> quantiles; // up to 513 evenly spaced order statistics (ECDF charts)
    QString skipped;               // why the column is not tested, when it is not

    QStringList binLabels() const; // for charts and reports
};

struct ReferenceProfile
{
    static constexpr int kFormatVersion = 1;
    QString source;      // the reference file
    QString contentHash; // "xxh128:<hex>" of the reference file, when known
    qint64 rows = 0;
    QList<ReferenceColumnProfile> columns;

    const ReferenceColumnProfile *column(QStringView name) const;
};

// The tests that can run against a profile.
QStringList referenceBinnedTests();

// Builds the profile of `reference`: column kinds from the reference (overrides in `options`),
// ignored columns left out, columns in parallel with progress and cancel.
Result<ReferenceProfile> buildReferenceProfile(const Table &reference, const DriftOptions &options,
                                               const Progress &progress = {});
// Compares `current` with a stored profile, column by column, in parallel.
Result<DriftReport> computeDriftAgainstProfile(const ReferenceProfile &profile,
                                               const Table &current, const DriftOptions &options,
                                               const Progress &progress = {});

// The profile as JSON (docs/file-formats.md) and back; a file that is not a profile, or one of
// another format version, is an error naming `source`.
QJsonObject profileToJson(const ReferenceProfile &profile);
Result<ReferenceProfile> profileFromJson(const QJsonObject &json, const QString &source);

} // namespace cairn::drift
