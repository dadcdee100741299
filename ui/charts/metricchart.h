#pragma once

#include "jobtracker.h"
#include "metrics/decimate.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QCustomPlot;
class QCPGraph;
class QCPLayoutGrid;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemTracer;
class QCPTextElement;

namespace cairn::ui {

// One run's values of the charted metric. steps, timestamps (ms since the epoch) and values
// are parallel; a missing steps vector means 0, 1, 2, ...; missing timestamps leave the time
// axes empty. NaN values are gaps in the line.
struct ChartSeries
{
    qint64 runId = 0;
    QString label;
    QVector<double> steps;
    QVector<double> timestamps;
    QVector<double> values;
};

// A line chart of one metric for one or more runs, built on QCustomPlot.
//
// A toolbar above the plot picks the x axis (step, wall time, relative time), the smoothing
// (debiased EMA, 0–0.99; the raw series is drawn faintly behind the smoothed one), a log y axis
// (non-positive values are hidden, and a note says how many), and exports the chart (PNG, SVG,
// PDF). Each run keeps its colour (colorForRun). A legend appears when there is more than one
// series. Moving the mouse over the plot shows a vertical cursor, a dot on each line and a label
// with each series' nearest value. Drag pans and the wheel zooms the x axis (the y axis fits the
// visible data); a double-click shows all the data again.
//
// The widget keeps the full-resolution data. Smoothing and min/max decimation for the plot's
// current pixel width and x range run on the thread pool (a newer request makes an older result
// stale); QCustomPlot only ever holds a few points per pixel column, so a million-point series
// pans and zooms smoothly. Requests are coalesced: the first change after a pause starts a job
// at once; during a burst (a drag, a slider move, a fast live run) at most one job runs at a
// time and at most one starts per 40 ms. The result is drawn with a queued replot.
//
// setSeries() and appendPoints() share the caller's vectors (Qt's implicit sharing) and never
// write to them, so handing over a million points copies nothing.
class MetricChart : public QWidget
{
    Q_OBJECT
public:
    explicit MetricChart(QWidget *parent = nullptr);
    ~MetricChart() override;

    // Replaces all series and fits the view to the data. Run ids should be unique.
    void setSeries(QList<ChartSeries> series);
    // Adds points to a run's series (a live run), creating the series if it is not there. Empty
    // steps continue from the last step; empty timestamps are NaN. The view follows new data
    // unless the user has zoomed or panned.
    void appendPoints(qint64 runId, const QVector<double> &steps, const QVector<double> &timestamps,
                      const QVector<double> &values);
    void clear() { setSeries({}); }

    // The metric's name, shown above the plot, on the y axis and in exports.
    void setTitle(const QString &metricName);
    QString title() const { return m_title; }

    void setXAxisMode(XAxisMode mode);
    XAxisMode xAxisMode() const { return m_mode; }
    // EMA weight in [0, 0.99]; 0 shows the raw values.
    void setSmoothing(double weight);
    double smoothing() const { return m_weight; }
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    // Shows all data again (what a double-click does).
    void resetView();

    // Writes the chart as it is shown to `path`, the format chosen by the suffix: .png, .svg or
    // .pdf. False (and nothing written) for another suffix or when the file cannot be written.
    bool exportTo(const QString &path);

    // The colour of a run in every chart: a fixed palette indexed by the run id.
    static QColor colorForRun(qint64 runId);

    // For tests and benchmarks.
    QCustomPlot *plot() const { return m_plot; }
    // Points (gap markers included) QCustomPlot holds for a run's main line; -1 if no such run.
    int plottedPointCount(qint64 runId) const;
    // The run's main line (smoothed when smoothing is on) and its faint raw line.
    QCPGraph *graph(qint64 runId) const;
    QCPGraph *rawGraph(qint64 runId) const;
    // The hover read-out as shown, one line per series (after a line with the x value when all
    // series share it); empty when it is hidden.
    QString hoverText() const;
    // Values hidden by the log axis over all series (0 on a linear axis).
    qsizetype hiddenValueCount() const { return m_hiddenValues; }
    // True while a decimation is running or waiting, or its result has not been drawn yet.
    bool updatePending() const { return m_busy || m_pending || m_replotQueued; }

signals:
    // After the result of a decimation has been drawn.
    void replotted();
    void xAxisModeChanged(cairn::XAxisMode mode);
    void smoothingChanged(double weight);
    void logScaleChanged(bool on);
    // An export from the Export… button failed; the message says what and where.
    void exportFailed(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Prepared;
    // A run of points as they arrived. A series only ever gains chunks (appendPoints), so the
    // vectors are never written after they are shared with a job: no copy on the GUI thread.
    // A job hands back the chunks glued into one, which then replaces them.
    struct Chunk
    {
        QVector<double> steps;
        QVector<double> timestamps;
        QVector<double> values;
    };
    struct Series
    {
        qint64 runId = 0;
        QString label;
        QList<Chunk> chunks;
        quint64 version = 0; // counts appends
        QCPGraph *main = nullptr;
        QCPGraph *raw = nullptr;
        QCPItemTracer *tracer = nullptr;
        std::shared_ptr<const Prepared> prepared;
    };
    struct Request;
    struct Result;
    static std::shared_ptr<const Prepared> prepare(const Request &request, qsizetype index);
    static Result compute(const Request &request, const std::atomic_bool &cancelled);

    void addSeries(ChartSeries s);
    Series *find(qint64 runId);
    const Series *find(qint64 runId) const;
    void requestUpdate(bool restart = false);
    void startJob();
    void apply(Result result);
    void configureAxes(XAxisMode mode, bool log);
    void updateLegend();
    void updateHover();
    void hideHover();
    void exportInteractively();
    void applyPalette();
    int columns() const;
    QString formatKey(double key) const;

    QComboBox *m_modeBox;
    QSlider *m_smoothSlider;
    QLabel *m_smoothLabel;
    QCheckBox *m_logBox;
    QLabel *m_note;
    QPushButton *m_exportButton;
    QCustomPlot *m_plot;
    QCPTextElement *m_titleElement;
    QCPLayoutGrid *m_legendRow; // the legend, centred below the plot
    QCPItemStraightLine *m_cursor;
    QCPItemRect *m_hoverBox;
    QList<QCPItemText *> m_hoverLines; // one per line of the read-out, in the series' colour

    QList<Series> m_series;
    QString m_title;
    XAxisMode m_mode = XAxisMode::Step;
    double m_weight = 0;
    bool m_log = false;
    bool m_autoX = true;                     // the x range follows the data
    bool m_settingRange = false;             // the chart, not the user, changes the x range
    bool m_busy = false;                     // a job runs
    bool m_pending = false;                  // another job is wanted
    bool m_replotQueued = false;             // a result waits to be drawn
    XAxisMode m_shownMode = XAxisMode::Step; // of the data QCustomPlot holds
    int m_axesKey = -1;                      // mode and scale the axes are set up for
    qsizetype m_hiddenValues = 0;
    int m_lastColumns = 0;
    bool m_hovering = false;
    QPointF m_mousePos;
    QTimer m_throttle;
    JobTracker m_jobs{this};
};

} // namespace cairn::ui
