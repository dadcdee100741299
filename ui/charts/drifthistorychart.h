#pragma once

#include "drift/history.h"

#include <QImage>
#include <QWidget>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemRect;
class QCPMarginGroup;

namespace cairn::ui {

// Drift over time: every batch compared with the reference. The scores per feature as lines
// across the batches (x: the batches in order), with the threshold as a dashed line; p-value
// tests on a log axis and distance tests on a linear one, in two stacked panels when both
// occur. Below, the share of drifted columns per batch as bars (red when the dataset drifted)
// with the dataset drift share as a dashed line. Hovering tells every feature's score at the
// batch under the mouse; clicking a batch emits batchClicked. The context menu exports it.
class DriftHistoryChart : public QWidget
{
    Q_OBJECT
public:
    explicit DriftHistoryChart(QWidget *parent = nullptr);
    ~DriftHistoryChart() override;

    void setHistory(const drift::DriftHistory &history);
    void clear(const QString &message = {});
    // Asks for a file and writes the chart there (PNG, PDF or SVG).
    void exportInteractively();
    // Highlights a batch (the one compared in the comparison tab); -1 for none.
    void setSelectedBatch(int index);
    int selectedBatch() const { return m_selected; }

    QCustomPlot *plot() const { return m_plot; }
    int batchCount() const { return int(m_labels.size()); }
    const QStringList &batchLabels() const { return m_labels; }
    // The panels shown (null when absent).
    QCPAxisRect *pValueRect() const { return m_pRect; }
    QCPAxisRect *distanceRect() const { return m_dRect; }
    QCPAxisRect *shareRect() const { return m_shareRect; }
    // One graph per tested feature and panel.
    const QList<QCPGraph *> &featureGraphs() const { return m_graphs; }
    QStringList featureNames() const;
    // The read-out for batch `index` in the panel at `rect` (what the tooltip shows).
    QString describeBatch(int index, QCPAxisRect *rect) const;
    // The batch under the pixel x coordinate `x`, or -1.
    int batchAt(double x) const;

    QImage render(int width, int height, double scale = 1.0);

signals:
    void batchClicked(int index);
    void exportFailed(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Feature
    {
        QString name;
        QCPGraph *graph = nullptr;
        bool pValue = false;
    };
    void rebuild();
    QCPAxisRect *addRect(int row, const QString &yLabel);

    QCustomPlot *m_plot;
    drift::DriftHistory m_history;
    QStringList m_labels;
    QList<QCPGraph *> m_graphs;
    QList<Feature> m_features;
    QCPAxisRect *m_pRect = nullptr;
    QCPAxisRect *m_dRect = nullptr;
    QCPAxisRect *m_shareRect = nullptr;
    QCPMarginGroup *m_margins = nullptr;
    QList<QCPItemRect *> m_highlights;
    int m_selected = -1;
    QPoint m_pressPos;
};

} // namespace cairn::ui
