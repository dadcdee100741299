#include "metricchart.h"

#include "charts/qcustomplot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScopedValueRollback>
#include <QSlider>
#include <QSvgGenerator>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCharts, "cairn.ui.charts", QtWarningMsg)

namespace cairn::ui {

// A series made ready to decimate for one x-axis mode and smoothing: x ascending, raw and
// smoothed values in the same order. Immutable once built; shared between the widget (hover)
// and the jobs (reused while only the view changes).
struct MetricChart::Prepared
{
    quint64 version = 0;
    XAxisMode mode = XAxisMode::Step;
    double weight = 0;
    QVector<double> x;
    QVector<double> raw;
    QVector<double> smooth;   // empty when weight == 0
    QVector<qsizetype> order; // when x had to be sorted: original index of each point
    bool reordered = false;
    qsizetype nonPositive = 0;
    Chunk data;           // the series' chunks glued together, in arrival order
    qsizetype chunks = 0; // how many chunks `data` holds

    const QVector<double> &shown() const { return weight > 0 ? smooth : raw; }
};

struct MetricChart::Request
{
    struct Input
    {
        qint64 runId = 0;
        quint64 version = 0;
        QList<Chunk> chunks;
        std::shared_ptr<const Prepared> cached;
    };
    XAxisMode mode = XAxisMode::Step;
    double weight = 0;
    bool log = false;
    bool autoX = true;
    double xMin = 0;
    double xMax = 1;
    int columns = 1;
    QList<Input> inputs;
};

struct MetricChart::Result
{
    struct Output
    {
        qint64 runId = 0;
        std::shared_ptr<const Prepared> prepared;
        DecimatedSeries main;
        DecimatedSeries raw; // only with smoothing
    };
    XAxisMode mode = XAxisMode::Step;
    double weight = 0;
    bool log = false;
    bool autoX = true;
    double xMin = 0;
    double xMax = 1;
    int columns = 1;
    std::optional<ValueRange> y;
    qsizetype hidden = 0;
    QList<Output> series;
    qint64 elapsedMs = 0;
};

namespace {

constexpr int kThrottleMs = 40;
constexpr int kSliderMax = 99;

// matplotlib's tab10: the colours ML plots are usually drawn in.
constexpr std::array<QRgb, 10> kPalette = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                           0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

QString compactNumber(double v)
{
    const double a = std::abs(v);
    if (a == 0)
        return u"0"_s;
    if (a < 1e4)
        return QString::number(v, 'g', 10);
    if (a < 1e6)
        return QString::number(v / 1e3, 'g', 4) + u'k';
    if (a < 1e9)
        return QString::number(v / 1e6, 'g', 4) + u'M';
    return QString::number(v / 1e9, 'g', 4) + u'G';
}

QString formatDuration(double seconds)
{
    const auto total = static_cast<qint64>(std::llround(std::abs(seconds)));
    const QString sign = seconds < 0 ? u"-"_s : QString();
    return sign + u"%1:%2:%3"_s.arg(total / 3600)
                      .arg((total / 60) % 60, 2, 10, QChar(u'0'))
                      .arg(total % 60, 2, 10, QChar(u'0'));
}

// Steps are whole numbers: no tick between two steps, and 250k rather than 250000.
class StepTicker : public QCPAxisTicker
{
protected:
    double getTickStep(const QCPRange &range) override
    {
        return std::max(1.0, QCPAxisTicker::getTickStep(range));
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        return compactNumber(tick);
    }
};

} // namespace

MetricChart::MetricChart(QWidget *parent)
    : QWidget(parent)
    , m_modeBox(new QComboBox)
    , m_smoothSlider(new QSlider(Qt::Horizontal))
    , m_smoothLabel(new QLabel)
    , m_logBox(new QCheckBox(tr("Log scale")))
    , m_note(new QLabel)
    , m_exportButton(new QPushButton(tr("Export…")))
    , m_plot(new QCustomPlot)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    auto *modeLabel = new QLabel(tr("X axis:"));
    modeLabel->setBuddy(m_modeBox);
    m_modeBox->setObjectName(u"xAxisMode"_s);
    m_modeBox->addItem(tr("Step"), int(XAxisMode::Step));
    m_modeBox->addItem(tr("Wall time"), int(XAxisMode::WallTime));
    m_modeBox->addItem(tr("Relative time"), int(XAxisMode::RelativeTime));
    auto *smoothName = new QLabel(tr("Smoothing:"));
    smoothName->setBuddy(m_smoothSlider);
    m_smoothSlider->setObjectName(u"smoothing"_s);
    m_smoothSlider->setRange(0, kSliderMax);
    m_smoothSlider->setToolTip(tr("Exponential moving average weight, debiased as in "
                                  "TensorBoard. The raw values stay visible, faintly."));
    m_smoothSlider->setMinimumWidth(80);
    m_smoothSlider->setMaximumWidth(160);
    m_smoothLabel->setObjectName(u"smoothingValue"_s);
    m_smoothLabel->setMinimumWidth(m_smoothLabel->fontMetrics().horizontalAdvance(u"0.00"_s));
    m_smoothLabel->setText(u"0.00"_s);
    m_logBox->setObjectName(u"logScale"_s);
    m_note->setObjectName(u"logNote"_s);
    m_note->setVisible(false);
    m_exportButton->setObjectName(u"export"_s);
    m_exportButton->setToolTip(tr("Save the chart as PNG, SVG or PDF"));
    bar->addWidget(modeLabel);
    bar->addWidget(m_modeBox);
    bar->addSpacing(8);
    bar->addWidget(smoothName);
    bar->addWidget(m_smoothSlider);
    bar->addWidget(m_smoothLabel);
    bar->addSpacing(8);
    bar->addWidget(m_logBox);
    bar->addWidget(m_note, 1);
    bar->addStretch();
    bar->addWidget(m_exportButton);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    m_plot->setObjectName(u"plot"_s);
    m_plot->setMinimumSize(200, 150);
    m_plot->setMouseTracking(true);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->installEventFilter(this);
    m_plot->addLayer(u"raw"_s, m_plot->layer(u"main"_s), QCustomPlot::limBelow);

    m_titleElement = new QCPTextElement(m_plot);
    QFont titleFont = font();
    titleFont.setBold(true);
    m_titleElement->setFont(titleFont);

    // The legend goes below the plot, centred between two empty cells, so it never hides data.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, m_legendRow);
    m_legendRow->addElement(0, 0, new QCPLayoutElement(m_plot));
    m_legendRow->addElement(0, 1, m_plot->legend);
    m_legendRow->addElement(0, 2, new QCPLayoutElement(m_plot));
    m_legendRow->setColumnStretchFactor(0, 1);
    m_legendRow->setColumnStretchFactor(1, 0.001);
    m_legendRow->setColumnStretchFactor(2, 1);
    m_legendRow->setMargins(QMargins(0, 0, 0, 6));
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 0));
    m_plot->legend->setIconSize(18, 10);

    // Hover: a vertical cursor, a dot per line (see addSeries) and a read-out box, on the
    // overlay layer so a mouse move redraws only that layer.
    m_cursor = new QCPItemStraightLine(m_plot);
    m_cursor->setLayer(u"overlay"_s);
    m_cursor->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_cursor->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_cursor->setVisible(false);
    m_cursor->setSelectable(false);
    m_hoverBox = new QCPItemRect(m_plot);
    m_hoverBox->setLayer(u"overlay"_s);
    m_hoverBox->topLeft->setType(QCPItemPosition::ptAbsolute);
    m_hoverBox->bottomRight->setType(QCPItemPosition::ptAbsolute);
    m_hoverBox->setVisible(false);
    m_hoverBox->setSelectable(false);

    m_plot->yAxis->setLabel(tr("Value"));
    applyPalette();
    configureAxes(m_mode, m_log);
    updateLegend();

    m_throttle.setSingleShot(true);
    m_throttle.setInterval(kThrottleMs);
    connect(&m_throttle, &QTimer::timeout, this, [this] {
        if (m_pending && !m_busy)
            startJob();
    });
    connect(m_modeBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        setXAxisMode(static_cast<XAxisMode>(m_modeBox->itemData(index).toInt()));
    });
    connect(m_smoothSlider, &QSlider::valueChanged, this,
            [this](int v) { setSmoothing(v / 100.0); });
    connect(m_logBox, &QCheckBox::toggled, this, &MetricChart::setLogScale);
    connect(m_exportButton, &QPushButton::clicked, this, &MetricChart::exportInteractively);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this] {
        if (m_settingRange)
            return;
        m_autoX = false;
        requestUpdate();
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        m_mousePos = event->position();
        m_hovering = event->buttons() == Qt::NoButton;
        updateHover();
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &MetricChart::resetView);
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] {
        if (columns() != m_lastColumns)
            requestUpdate();
    });
    connect(m_plot, &QCustomPlot::afterReplot, this, [this] {
        if (!m_replotQueued)
            return;
        m_replotQueued = false;
        qCDebug(lcCharts) << "replotted in" << m_plot->replotTime() << "ms";
        emit replotted();
    });
}

MetricChart::~MetricChart() = default;

QColor MetricChart::colorForRun(qint64 runId)
{
    const auto n = static_cast<qint64>(kPalette.size());
    return QColor::fromRgb(kPalette[static_cast<std::size_t>(((runId - 1) % n + n) % n)]);
}

void MetricChart::setSeries(QList<ChartSeries> series)
{
    for (const Series &s : std::as_const(m_series))
        m_plot->removeItem(s.tracer);
    m_plot->clearGraphs();
    m_series.clear();
    for (ChartSeries &s : series)
        addSeries(std::move(s));
    updateLegend();
    m_autoX = true;
    m_replotQueued = false; // a redraw still queued no longer shows a result: no replotted()
    requestUpdate(true);
}

void MetricChart::addSeries(ChartSeries in)
{
    // Parallel vectors of one length; missing steps count from 0, missing timestamps are NaN.
    // (resize() only when needed: on a shared vector it copies, even to the same size.)
    const qsizetype n = in.values.size();
    if (in.steps.isEmpty()) {
        in.steps.resize(n);
        std::iota(in.steps.begin(), in.steps.end(), 0.0);
    }
    if (in.timestamps.isEmpty())
        in.timestamps.fill(std::numeric_limits<double>::quiet_NaN(), n);
    const qsizetype size = std::min({n, in.steps.size(), in.timestamps.size()});
    if (size != n || in.steps.size() != n || in.timestamps.size() != n) {
        qCDebug(lcCharts) << "series of run" << in.runId << "has vectors of different lengths";
        in.values.resize(size);
        in.steps.resize(size);
        in.timestamps.resize(size);
    }

    Series s;
    s.runId = in.runId;
    s.label = in.label.isEmpty() ? tr("Run %1").arg(in.runId) : in.label;
    if (size > 0)
        s.chunks.append({std::move(in.steps), std::move(in.timestamps), std::move(in.values)});
    const QColor color = colorForRun(s.runId);

    s.raw = m_plot->addGraph();
    s.raw->setLayer(u"raw"_s);
    s.raw->removeFromLegend();
    QColor faint = color;
    faint.setAlpha(70);
    s.raw->setPen(QPen(faint, 1));
    s.raw->setAdaptiveSampling(false);
    s.raw->setVisible(false);

    s.main = m_plot->addGraph();
    s.main->setName(s.label);
    // Legend items are clipped to the text's height: room below keeps underscores in run names.
    if (QCPPlottableLegendItem *item = m_plot->legend->itemWithPlottable(s.main))
        item->setMargins(QMargins(0, 1, 0, 3));
    s.main->setPen(QPen(color, 1));
    s.main->setAdaptiveSampling(false);

    s.tracer = new QCPItemTracer(m_plot);
    s.tracer->setLayer(u"overlay"_s);
    s.tracer->setStyle(QCPItemTracer::tsCircle);
    s.tracer->setSize(7);
    s.tracer->setPen(QPen(color, 2));
    s.tracer->setBrush(palette().color(QPalette::Base));
    s.tracer->setSelectable(false);
    s.tracer->setVisible(false);
    m_series.append(std::move(s));
}

MetricChart::Series *MetricChart::find(qint64 runId)
{
    for (Series &s : m_series) {
        if (s.runId == runId)
            return &s;
    }
    return nullptr;
}

const MetricChart::Series *MetricChart::find(qint64 runId) const
{
    for (const Series &s : m_series) {
        if (s.runId == runId)
            return &s;
    }
    return nullptr;
}

void MetricChart::appendPoints(qint64 runId, const QVector<double> &steps,
                               const QVector<double> &timestamps, const QVector<double> &values)
{
    if (values.isEmpty())
        return;
    Series *s = find(runId);
    if (!s) {
        addSeries(ChartSeries{runId, {}, steps, timestamps, values});
        updateLegend();
        requestUpdate();
        return;
    }
    const qsizetype n = values.size();
    Chunk chunk{steps, timestamps, values};
    if (steps.size() != n) {
        double next = 0;
        if (!s->chunks.isEmpty())
            next = s->chunks.constLast().steps.constLast() + 1;
        chunk.steps.resize(n);
        std::iota(chunk.steps.begin(), chunk.steps.end(), next);
    }
    if (timestamps.size() != n)
        chunk.timestamps = QVector<double>(n, std::numeric_limits<double>::quiet_NaN());
    s->chunks.append(std::move(chunk));
    ++s->version;
    requestUpdate();
}

void MetricChart::setTitle(const QString &metricName)
{
    m_title = metricName;
    m_titleElement->setText(metricName);
    m_plot->yAxis->setLabel(metricName.isEmpty() ? tr("Value") : metricName);
    updateLegend();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MetricChart::setXAxisMode(XAxisMode mode)
{
    {
        const QSignalBlocker blocker(m_modeBox);
        m_modeBox->setCurrentIndex(m_modeBox->findData(int(mode)));
    }
    if (mode == m_mode)
        return;
    m_mode = mode;
    m_autoX = true; // the old range means nothing on the new axis
    requestUpdate(true);
    emit xAxisModeChanged(mode);
}

void MetricChart::setSmoothing(double weight)
{
    weight = std::isfinite(weight) ? std::clamp(weight, 0.0, kSliderMax / 100.0) : 0.0;
    {
        const QSignalBlocker blocker(m_smoothSlider);
        m_smoothSlider->setValue(static_cast<int>(std::lround(weight * 100)));
    }
    m_smoothLabel->setText(QString::number(weight, 'f', 2));
    if (weight == m_weight)
        return;
    m_weight = weight;
    requestUpdate();
    emit smoothingChanged(weight);
}

void MetricChart::setLogScale(bool on)
{
    {
        const QSignalBlocker blocker(m_logBox);
        m_logBox->setChecked(on);
    }
    if (on == m_log)
        return;
    m_log = on;
    requestUpdate(true);
    emit logScaleChanged(on);
}

void MetricChart::resetView()
{
    m_autoX = true;
    requestUpdate(true);
}

int MetricChart::plottedPointCount(qint64 runId) const
{
    const Series *s = find(runId);
    return s ? s->main->data()->size() : -1;
}

QCPGraph *MetricChart::graph(qint64 runId) const
{
    const Series *s = find(runId);
    return s ? s->main : nullptr;
}

QCPGraph *MetricChart::rawGraph(qint64 runId) const
{
    const Series *s = find(runId);
    return s ? s->raw : nullptr;
}

QString MetricChart::hoverText() const
{
    QStringList lines;
    for (const QCPItemText *line : m_hoverLines) {
        if (line->visible())
            lines.append(line->text());
    }
    return lines.join(u'\n');
}

int MetricChart::columns() const
{
    // One column per device pixel of the axis rect; before the first layout, the plot's width.
    int width = m_plot->axisRect()->width();
    if (width < 2)
        width = m_plot->width();
    return std::max(1, static_cast<int>(std::ceil(width * m_plot->devicePixelRatioF())));
}

// Starts a job now, or when the running one is done and the throttle has passed. `restart`
// drops the running job's result (its data or axis no longer match) and starts at once.
void MetricChart::requestUpdate(bool restart)
{
    m_pending = true;
    if (restart || (!m_busy && !m_throttle.isActive()))
        startJob();
}

void MetricChart::startJob()
{
    m_pending = false;
    m_busy = true;
    m_throttle.start();

    Request req;
    req.mode = m_mode;
    req.weight = m_weight;
    req.log = m_log;
    req.autoX = m_autoX;
    req.columns = columns();
    m_lastColumns = req.columns;
    if (!m_autoX) {
        const QCPRange range = m_plot->xAxis->range();
        req.xMin = range.lower;
        req.xMax = range.upper;
    }
    req.inputs.reserve(m_series.size());
    for (const Series &s : std::as_const(m_series))
        req.inputs.append({s.runId, s.version, s.chunks, s.prepared});
    m_jobs.run([req = std::move(req)](
                   const std::atomic_bool &cancelled) { return compute(req, cancelled); },
               [this](Result result) { apply(std::move(result)); });
}

// Makes input `index` ready for the request's x axis and smoothing, reusing what the last job
// prepared when the data and the axis are the same.
std::shared_ptr<const MetricChart::Prepared> MetricChart::prepare(const Request &request,
                                                                  qsizetype index)
{
    const Request::Input &in = request.inputs[index];
    const XAxisMode mode = request.mode;
    const double weight = request.weight;
    const auto &cached = in.cached;
    const bool sameData = cached && cached->version == in.version;
    auto smoothed = [&](const Prepared &p) {
        if (weight <= 0)
            return QVector<double>();
        QVector<double> s = emaSmooth(spanOf(p.data.values), weight); // in step order
        return p.reordered ? permuted(spanOf(s), p.order) : s;
    };
    if (sameData && cached->mode == mode) {
        if (cached->weight == weight)
            return cached;
        auto p = std::make_shared<Prepared>(*cached); // shares x and raw
        p->weight = weight;
        p->smooth = smoothed(*p);
        return p;
    }
    auto p = std::make_shared<Prepared>();
    p->version = in.version;
    p->mode = mode;
    p->weight = weight;
    if (sameData) {
        p->data = cached->data;
        p->chunks = cached->chunks;
    } else if (in.chunks.size() == 1) {
        p->data = in.chunks.constFirst();
        p->chunks = 1;
    } else {
        qsizetype total = 0;
        for (const Chunk &c : in.chunks)
            total += c.values.size();
        p->data.steps.reserve(total);
        p->data.timestamps.reserve(total);
        p->data.values.reserve(total);
        for (const Chunk &c : in.chunks) {
            p->data.steps.append(c.steps);
            p->data.timestamps.append(c.timestamps);
            p->data.values.append(c.values);
        }
        p->chunks = in.chunks.size();
    }
    const Chunk &d = p->data;
    QVector<double> x = xValues(mode, d.steps, d.timestamps);
    if (isAscending(spanOf(x))) {
        p->x = std::move(x);
        p->raw = d.values;
    } else {
        p->reordered = true;
        p->order = ascendingOrder(spanOf(x));
        p->x = permuted(spanOf(x), p->order);
        p->raw = permuted(spanOf(d.values), p->order);
    }
    p->smooth = smoothed(*p);
    p->nonPositive = countNonPositive(spanOf(d.values));
    return p;
}

// The work of one job, on the thread pool: prepare every series, find the x range, decimate,
// and measure the y range of what will be drawn.
MetricChart::Result MetricChart::compute(const Request &req, const std::atomic_bool &cancelled)
{
    QElapsedTimer timer;
    timer.start();
    Result r;
    r.mode = req.mode;
    r.weight = req.weight;
    r.log = req.log;
    r.autoX = req.autoX;
    r.columns = req.columns;
    r.xMin = req.xMin;
    r.xMax = req.xMax;
    const ValueFilter filter = req.log ? ValueFilter::FinitePositive : ValueFilter::Finite;

    for (qsizetype i = 0; i < req.inputs.size(); ++i) {
        if (cancelled)
            return r;
        Result::Output out;
        out.runId = req.inputs[i].runId;
        out.prepared = prepare(req, i);
        r.series.append(std::move(out));
    }

    if (req.autoX) {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (const auto &out : std::as_const(r.series)) {
            if (!out.prepared->x.isEmpty()) {
                lo = std::min(lo, out.prepared->x.constFirst());
                hi = std::max(hi, out.prepared->x.constLast());
            }
        }
        if (lo <= hi) {
            if (lo == hi) { // one step, or one moment: a little room either side
                lo -= 1;
                hi += 1;
            }
            r.xMin = lo;
            r.xMax = hi;
        }
    }

    for (auto &out : r.series) {
        if (cancelled)
            return r;
        const Prepared &p = *out.prepared;
        out.main =
            decimateMinMax(spanOf(p.x), spanOf(p.shown()), r.xMin, r.xMax, req.columns, filter);
        if (p.weight > 0)
            out.raw =
                decimateMinMax(spanOf(p.x), spanOf(p.raw), r.xMin, r.xMax, req.columns, filter);
        for (const DecimatedSeries *d : {&out.main, &out.raw}) {
            if (const auto range = valueRange(spanOf(d->x), spanOf(d->y), r.xMin, r.xMax, filter)) {
                if (!r.y)
                    r.y = range;
                r.y->min = std::min(r.y->min, range->min);
                r.y->max = std::max(r.y->max, range->max);
            }
        }
        if (req.log)
            r.hidden += p.nonPositive;
    }
    r.elapsedMs = timer.elapsed();
    return r;
}

void MetricChart::apply(Result result)
{
    m_busy = false;
    qCDebug(lcCharts) << "decimated" << result.series.size() << "series for" << result.columns
                      << "columns in" << result.elapsedMs << "ms";
    {
        const QScopedValueRollback guard(m_settingRange, true);
        configureAxes(result.mode, result.log);
        m_shownMode = result.mode;
        for (Result::Output &out : result.series) {
            Series *s = find(out.runId);
            if (!s)
                continue;
            s->prepared = out.prepared;
            // The job glued the first chunks together: keep that instead (points appended
            // since then stay in chunks of their own).
            const qsizetype glued = out.prepared->chunks;
            if (glued > 1 && s->chunks.size() >= glued) {
                qsizetype points = 0;
                for (qsizetype i = 0; i < glued; ++i)
                    points += s->chunks[i].values.size();
                if (points == out.prepared->data.values.size()) {
                    s->chunks.remove(0, glued);
                    s->chunks.prepend(out.prepared->data);
                }
            }
            s->main->setData(out.main.x, out.main.y, true);
            // Few points: show the measured ones as dots too (a metric logged once is a dot,
            // not nothing); with smoothing, on the faint raw line.
            const bool smoothed = result.weight > 0;
            const bool sparse = out.main.points() * 6 <= result.columns;
            s->main->setScatterStyle(sparse && !smoothed
                                         ? QCPScatterStyle(QCPScatterStyle::ssDisc, 5)
                                         : QCPScatterStyle());
            s->raw->setScatterStyle(sparse && smoothed ? QCPScatterStyle(QCPScatterStyle::ssDisc, 4)
                                                       : QCPScatterStyle());
            // A wide pen is stroked as a path, which is slow (seconds) for the up-and-down
            // lines of dense columns; a 1 px pen is drawn as a fast cosmetic line.
            QPen pen = s->main->pen();
            pen.setWidthF(out.main.points() <= result.columns ? 1.6 : 1.0);
            s->main->setPen(pen);
            s->raw->setVisible(smoothed);
            if (smoothed)
                s->raw->setData(out.raw.x, out.raw.y, true);
            else
                s->raw->data()->clear();
        }

        if (result.autoX && m_autoX)
            m_plot->xAxis->setRange(result.xMin, result.xMax);
        if (result.y) {
            double lo = result.y->min;
            double hi = result.y->max;
            if (result.log) {
                const double factor = hi / lo < 1.001 ? 1.5 : std::pow(hi / lo, 0.05);
                lo /= factor;
                hi *= factor;
            } else {
                const double span = hi - lo;
                const double pad = span > 1e-12 * std::max(std::abs(lo), std::abs(hi))
                                       ? span * 0.05
                                       : (hi != 0 ? std::abs(hi) * 0.1 : 1.0);
                lo -= pad;
                hi += pad;
            }
            m_plot->yAxis->setRange(lo, hi);
        }
        if (result.mode == XAxisMode::WallTime) {
            if (auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>()) {
                const double span = m_plot->xAxis->range().size();
                ticker->setDateTimeFormat(span < 600     ? u"HH:mm:ss"_s
                                          : span < 86400 ? u"HH:mm"_s
                                                         : u"d MMM\nHH:mm"_s);
            }
        }
    }
    m_hiddenValues = result.log ? result.hidden : 0;
    m_note->setText(m_hiddenValues == 1
                        ? tr("1 non-positive value hidden on the log scale")
                        : tr("%1 non-positive values hidden on the log scale").arg(m_hiddenValues));
    m_note->setVisible(m_hiddenValues > 0);

    m_replotQueued = true;
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    if (m_hovering)
        updateHover();
    if (m_pending && !m_throttle.isActive())
        startJob();
}

// Sets up the axes for the data about to be shown (so axis and data always agree), only on a
// change: a new ticker would forget its settings.
void MetricChart::configureAxes(XAxisMode mode, bool log)
{
    const int key = int(mode) * 2 + (log ? 1 : 0);
    if (key == m_axesKey)
        return;
    m_axesKey = key;

    QCPAxis *x = m_plot->xAxis;
    switch (mode) {
    case XAxisMode::Step:
        x->setTicker(QSharedPointer<QCPAxisTicker>(new StepTicker));
        x->setLabel(tr("Step"));
        break;
    case XAxisMode::WallTime: {
        QSharedPointer<QCPAxisTickerDateTime> ticker(new QCPAxisTickerDateTime);
        ticker->setDateTimeFormat(u"HH:mm:ss"_s);
        x->setTicker(ticker);
        x->setLabel(tr("Wall time"));
        break;
    }
    case XAxisMode::RelativeTime: {
        QSharedPointer<QCPAxisTickerTime> ticker(new QCPAxisTickerTime);
        ticker->setTimeFormat(u"%h:%m:%s"_s);
        ticker->setFieldWidth(QCPAxisTickerTime::tuHours, 1);
        x->setTicker(ticker);
        x->setLabel(tr("Relative time (h:mm:ss)"));
        break;
    }
    }
    QCPAxis *y = m_plot->yAxis;
    if (log) {
        y->setScaleType(QCPAxis::stLogarithmic);
        y->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    } else {
        y->setScaleType(QCPAxis::stLinear);
        y->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
}

void MetricChart::updateLegend()
{
    QCPLayoutGrid *grid = m_plot->plotLayout();
    auto place = [grid](QCPLayoutElement *element, bool show, bool top) {
        if (show && !element->layout()) {
            const int row = top ? 0 : grid->rowCount();
            grid->insertRow(row);
            grid->addElement(row, 0, element);
            grid->setRowStretchFactor(row, 0.001);
        } else if (!show && element->layout()) {
            grid->take(element);
            grid->simplify();
        }
        element->setVisible(show);
    };
    place(m_titleElement, !m_title.isEmpty(), true);
    const bool legend = m_series.size() > 1;
    place(m_legendRow, legend, false);
    m_plot->legend->setVisible(legend);

    // As many items per row as fit.
    const QFontMetrics metrics(m_plot->legend->font());
    int widest = 0;
    for (const Series &s : std::as_const(m_series))
        widest = std::max(widest, metrics.horizontalAdvance(s.label));
    const int item =
        widest + m_plot->legend->iconSize().width() + m_plot->legend->iconTextPadding() + 24;
    const int wrap = std::max(1, (m_plot->width() - 40) / item);
    if (wrap != m_plot->legend->wrap())
        m_plot->legend->setWrap(wrap);
}

void MetricChart::updateHover()
{
    const QRect area = m_plot->axisRect()->rect();
    if (!m_hovering || !area.contains(m_mousePos.toPoint())) {
        hideHover();
        return;
    }
    const double key = m_plot->xAxis->pixelToCoord(m_mousePos.x());
    const QCPRange visible = m_plot->xAxis->range();
    const ValueFilter filter = m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic
                                   ? ValueFilter::FinitePositive
                                   : ValueFilter::Finite;
    struct Line
    {
        QString label, value, x;
        QColor color;
    };
    QList<Line> lines;
    for (Series &s : m_series) {
        s.tracer->setVisible(false);
        if (!s.prepared)
            continue;
        const Prepared &p = *s.prepared;
        const QVector<double> &y = p.shown();
        const qsizetype i = nearestPoint(spanOf(p.x), spanOf(y), key, filter);
        if (i < 0 || !visible.contains(p.x[i]))
            continue;
        s.tracer->position->setCoords(p.x[i], y[i]);
        s.tracer->setVisible(true);
        QString label = s.label;
        if (label.size() > 28)
            label = label.left(27) + u'…';
        QString value = QString::number(y[i], 'g', 6);
        if (p.weight > 0)
            value += u"  (raw "_s + QString::number(p.raw[i], 'g', 6) + u')';
        lines.append({label, value, formatKey(p.x[i]), s.main->pen().color()});
    }
    if (lines.isEmpty()) {
        hideHover();
        return;
    }

    // One line per series, aligned in a fixed-width font; the x value once on top when all
    // series have a point there (the usual case: runs logging the same steps).
    const bool sameX = std::all_of(lines.cbegin(), lines.cend(),
                                   [&](const Line &l) { return l.x == lines.constFirst().x; });
    qsizetype labelWidth = 0;
    qsizetype valueWidth = 0;
    for (const Line &l : std::as_const(lines)) {
        labelWidth = std::max(labelWidth, l.label.size());
        valueWidth = std::max(valueWidth, l.value.size());
    }
    QList<QPair<QString, QColor>> rows;
    if (sameX)
        rows.append({lines.constFirst().x, palette().color(QPalette::Text)});
    for (const Line &l : std::as_const(lines)) {
        QString text = l.label.leftJustified(labelWidth) + u"  "_s + l.value;
        if (!sameX)
            text = text.leftJustified(labelWidth + 2 + valueWidth) + u"  "_s + l.x;
        rows.append({text, l.color});
    }
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFontMetrics metrics(font);
    int textWidth = 0;
    for (const auto &row : std::as_const(rows))
        textWidth = std::max(textWidth, metrics.horizontalAdvance(row.first));
    const int lineHeight = metrics.height();
    const QMargins pad(7, 4, 7, 4);
    const int w = textWidth + pad.left() + pad.right();
    const int h = int(rows.size()) * lineHeight + pad.top() + pad.bottom();

    // Beside the cursor, on whichever side keeps it inside the plot.
    constexpr int offset = 14;
    double left = m_mousePos.x() + offset;
    if (left + w > area.right() && m_mousePos.x() - offset - w >= area.left())
        left = m_mousePos.x() - offset - w;
    double top = m_mousePos.y() + offset;
    if (top + h > area.bottom())
        top = std::max<double>(area.top(), area.bottom() - h);
    m_hoverBox->topLeft->setCoords(left, top);
    m_hoverBox->bottomRight->setCoords(left + w, top + h);
    m_hoverBox->setVisible(true);
    while (m_hoverLines.size() < rows.size()) {
        auto *item = new QCPItemText(m_plot);
        item->setLayer(u"overlay"_s);
        item->position->setType(QCPItemPosition::ptAbsolute);
        item->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        item->setTextAlignment(Qt::AlignLeft);
        item->setPadding(QMargins());
        item->setFont(font);
        item->setSelectable(false);
        m_hoverLines.append(item);
    }
    for (qsizetype i = 0; i < m_hoverLines.size(); ++i) {
        QCPItemText *item = m_hoverLines[i];
        item->setVisible(i < rows.size());
        if (i >= rows.size())
            continue;
        item->setText(rows[i].first);
        item->setColor(rows[i].second);
        item->position->setCoords(left + pad.left(), top + pad.top() + double(i) * lineHeight);
    }

    m_cursor->point1->setCoords(key, 0);
    m_cursor->point2->setCoords(key, 1);
    m_cursor->setVisible(true);
    m_plot->layer(u"overlay"_s)->replot();
}

void MetricChart::hideHover()
{
    bool changed = m_cursor->visible() || m_hoverBox->visible();
    m_cursor->setVisible(false);
    m_hoverBox->setVisible(false);
    for (QCPItemText *line : std::as_const(m_hoverLines))
        line->setVisible(false);
    for (const Series &s : std::as_const(m_series)) {
        changed = changed || s.tracer->visible();
        s.tracer->setVisible(false);
    }
    if (changed)
        m_plot->layer(u"overlay"_s)->replot();
}

QString MetricChart::formatKey(double key) const
{
    switch (m_shownMode) {
    case XAxisMode::Step:
        return tr("step %1").arg(QString::number(key, 'g', 12));
    case XAxisMode::WallTime:
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::llround(key * 1000)))
            .toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case XAxisMode::RelativeTime:
        return formatDuration(key);
    }
    return {};
}

bool MetricChart::exportTo(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != u"png"_s && suffix != u"svg"_s && suffix != u"pdf"_s)
        return false;
    // The hover read-out belongs to the screen, not to the file.
    const bool hovering = m_hoverBox->visible();
    if (hovering)
        hideHover();
    const int w = m_plot->width();
    const int h = m_plot->height();
    bool ok = false;
    if (suffix == u"png"_s) {
        ok = m_plot->savePng(path, w, h, 2.0);
    } else if (suffix == u"pdf"_s) {
        ok = m_plot->savePdf(path, w, h, QCP::epNoCosmetic, u"Cairn"_s, m_title);
    } else {
        QSaveFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            QSvgGenerator svg;
            svg.setOutputDevice(&file);
            svg.setSize(QSize(w, h));
            svg.setViewBox(QRect(0, 0, w, h));
            svg.setResolution(m_plot->logicalDpiX());
            svg.setTitle(m_title);
            svg.setDescription(tr("Metric chart exported from Cairn"));
            QCPPainter painter;
            if (painter.begin(&svg)) {
                painter.setMode(QCPPainter::pmVectorized);
                painter.setMode(QCPPainter::pmNoCaching);
                painter.setMode(QCPPainter::pmNonCosmetic);
                m_plot->toPainter(&painter, w, h);
                painter.end();
                ok = file.commit();
            }
        }
    }
    if (hovering)
        updateHover();
    return ok;
}

void MetricChart::exportInteractively()
{
    const QString png = tr("PNG image (*.png)");
    const QString svg = tr("SVG image (*.svg)");
    const QString pdf = tr("PDF document (*.pdf)");
    QString filter = png;
    QString name = m_title.isEmpty() ? u"chart"_s : m_title;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._-]+"_s), u"_"_s);
    QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), name + u".png"_s,
                                                png + u";;"_s + svg + u";;"_s + pdf, &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == svg ? u".svg"_s : filter == pdf ? u".pdf"_s : u".png"_s;
    if (!exportTo(path))
        emit exportFailed(tr("Could not export the chart to %1: choose a .png, .svg or .pdf "
                             "file in a folder you can write to.")
                              .arg(QDir::toNativeSeparators(path)));
}

void MetricChart::applyPalette()
{
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    QColor subGrid = text;
    subGrid.setAlpha(15);
    m_plot->setBackground(base);
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setLabelColor(text);
        axis->setTickLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::SolidLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    m_plot->legend->setBrush(base);
    m_plot->legend->setTextColor(text);
    m_titleElement->setTextColor(text);
    QColor cursor = text;
    cursor.setAlpha(110);
    m_cursor->setPen(QPen(cursor, 1, Qt::DashLine));
    QColor labelBack = base;
    labelBack.setAlpha(235);
    m_hoverBox->setBrush(labelBack);
    QColor border = text;
    border.setAlpha(90);
    m_hoverBox->setPen(QPen(border, 1));
    for (const Series &s : std::as_const(m_series))
        s.tracer->setBrush(base);
}

bool MetricChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Leave) {
        m_hovering = false;
        hideHover();
    } else if (watched == m_plot && event->type() == QEvent::Resize) {
        updateLegend();
    }
    return QWidget::eventFilter(watched, event);
}

void MetricChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace cairn::ui
