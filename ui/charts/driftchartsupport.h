#pragma once

// Helpers shared by the drift charts (driftcharts.cpp, drifthistorychart.cpp); stylePlot also
// styles the Experiments view's plot (views/dvcview.cpp).

#include "charts/qcustomplot.h"

#include <QColor>
#include <QPalette>
#include <QString>

namespace cairn::ui::driftchart {

constexpr int kMaxLabel = 22; // category and batch labels longer than this are elided

// "12.5%" for 0.125; whole percentages without decimals.
QString percentLabel(double share);
// Shares 0–1 shown as percentages on an axis.
class PercentTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar formatChar,
                         int precision) override;
};
QString elided(const QString &text, int max = kMaxLabel);
QColor withAlpha(QColor c, int alpha);
// Axes, grids, legend and titles in the palette's colours (as MetricChart does).
void stylePlot(QCustomPlot *plot, const QPalette &pal);
// A bold title element (not yet placed in the layout).
QCPTextElement *addTitle(QCustomPlot *plot, const QFont &font);

} // namespace cairn::ui::driftchart
