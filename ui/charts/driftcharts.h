#pragma once

#include "drift/drift.h"
#include "drifthistorychart.h"

#include <QColor>
#include <QImage>
#include <QPointer>
#include <QWidget>

class QCustomPlot;
class QCPAxisRect;
class QCPBars;
class QCPGraph;
class QCPItemRect;
class QCPMarginGroup;
class QCPTextElement;
class QLabel;
class QToolButton;

namespace cairn::ui {

// Colours of the drift view, shared by the table, the charts and the HTML report: reference and
// current as in MetricChart's palette (tab10 blue and orange), verdict badges adapted to a light
// or dark palette.
QColor driftReferenceColor();
QColor driftCurrentColor();
QColor driftSeriesColor(int index); // one per feature in the drift-over-time chart
QColor driftBadgeColor(bool drifted);
QColor driftBadgeTextColor(bool drifted);
QColor driftWarningBadgeColor();

// Writes `plot` as shown to `path`, the format chosen by the suffix (.png, .pdf or .svg).
bool saveDriftPlot(QCustomPlot *plot, const QString &path, const QString &title);
// Asks for a file name and writes `plot` there; false (with `error` set) when writing failed.
bool exportDriftPlotInteractively(QWidget *parent, QCustomPlot *plot, const QString &title,
                                  QString *error);

// One column of a drift comparison: the distributions of the reference and the current data.
// Numeric columns show overlaid, semi-transparent histograms over the comparison's shared bins
// and the two empirical CDFs as step lines; categorical columns show grouped bars per category
// (the 50 most frequent) with rotated labels. Hovering a bar tells its shares; each plot has an
// Export menu (button and context menu) for PNG, PDF and SVG.
class DriftColumnChart : public QWidget
{
    Q_OBJECT
public:
    explicit DriftColumnChart(QWidget *parent = nullptr);
    ~DriftColumnChart() override;

    void setColumn(const drift::ColumnDrift &column, const QString &referenceName,
                   const QString &currentName);
    // Shows `message` instead of a column.
    void clear(const QString &message = {});

    QString columnName() const { return m_column.name; }
    // "income · ks p = 0.0012 · drifted"
    QString title() const { return m_titleText; }
    bool isCategorical() const { return m_categorical; }
    bool hasEcdf() const;

    QCustomPlot *distributionPlot() const { return m_distribution; }
    QCustomPlot *ecdfPlot() const { return m_ecdf; }
    // The bars of each side (a numeric histogram whose bins differ in width has more than one
    // QCPBars per side; the first is the one in the legend).
    const QList<QCPBars *> &referenceBars() const { return m_refBars; }
    const QList<QCPBars *> &currentBars() const { return m_curBars; }
    int barCount(bool reference) const;
    QCPGraph *referenceEcdf() const { return m_refEcdf; }
    QCPGraph *currentEcdf() const { return m_curEcdf; }

    // The two plots as images `width` x `height` (device-independent pixels) for reports.
    QImage renderDistribution(int width, int height, double scale = 1.0);
    QImage renderEcdf(int width, int height, double scale = 1.0);

signals:
    void exportFailed(const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    void setUpPlot(QCustomPlot *plot, QCPTextElement **title);
    void applyPalette();
    void showNumeric();
    void showCategorical();
    void updateHover(QMouseEvent *event);
    void exportPlot(QCustomPlot *plot, const QString &what);

    QLabel *m_header;
    QToolButton *m_exportButton;
    QCustomPlot *m_distribution;
    QCustomPlot *m_ecdf;
    QCPTextElement *m_distTitle = nullptr;
    QCPTextElement *m_ecdfTitle = nullptr;
    QList<QCPBars *> m_refBars;
    QList<QCPBars *> m_curBars;
    QCPGraph *m_refEcdf = nullptr;
    QCPGraph *m_curEcdf = nullptr;
    drift::ColumnDrift m_column;
    QString m_refName;
    QString m_curName;
    QString m_titleText;
    bool m_categorical = false;
};

} // namespace cairn::ui
