#pragma once

// A drift report as one self-contained HTML file: the settings, the dataset verdict, the table
// of columns, each column's distributions and the drift over time, with every chart drawn as
// inline SVG (no script, no network, opens in any browser and prints).

#include "common/error.h"
#include "drift.h"
#include "history.h"

namespace cairn::drift {

struct HtmlReportInput
{
    const DriftReport *report = nullptr;   // the comparison shown column by column (optional)
    const DriftHistory *history = nullptr; // drift over time (optional)
    DriftOptions options;
    QString title;
};

QString driftReportHtml(const HtmlReportInput &input);

// Writes driftReportHtml(input) to `path` atomically; an error names the file.
Result<void> writeDriftReportHtml(const QString &path, const HtmlReportInput &input);

// The charts on their own, as SVG documents.
// Overlaid histograms of a numeric column, or grouped bars of a categorical one; empty when the
// column has no profile.
QString distributionSvg(const ColumnDrift &column, int width = 560, int height = 240);
// The two empirical CDFs of a numeric column; empty otherwise.
QString ecdfSvg(const ColumnDrift &column, int width = 560, int height = 240);
// Score per column across batches (p-value tests on a log scale, distances on a linear one, each
// with its threshold) and the share of drifted columns per batch.
QString historySvg(const DriftHistory &history, int width = 900);

} // namespace cairn::drift
