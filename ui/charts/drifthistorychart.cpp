#include "drifthistorychart.h"

#include "charts/qcustomplot.h"
#include "driftcharts.h"
#include "driftchartsupport.h"

#include <QFileInfo>
#include <QMenu>
#include <QMouseEvent>
#include <QSet>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

namespace cairn::ui {

using namespace driftchart;

namespace {

constexpr double kPFloor = 1e-16; // p-values below are drawn here on the log axis
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString shortFileName(const QString &path)
{
    return QFileInfo(path).fileName();
}

} // namespace

DriftHistoryChart::DriftHistoryChart(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot->setObjectName(u"historyPlot"_s);
    m_plot->setMinimumSize(300, 200);
    m_plot->setMouseTracking(true);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->installEventFilter(this);
    m_plot->addLayer(u"highlight"_s, m_plot->layer(u"grid"_s), QCustomPlot::limBelow);
    layout->addWidget(m_plot, 1);
    connect(m_plot, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu;
        menu.addAction(tr("Export Chart as PNG, PDF or SVG…"), this,
                       &DriftHistoryChart::exportInteractively);
        menu.exec(m_plot->mapToGlobal(pos));
    });
    clear();
}

void DriftHistoryChart::exportInteractively()
{
    QString error;
    if (!exportDriftPlotInteractively(this, m_plot, tr("drift-over-time"), &error))
        emit exportFailed(error);
}

DriftHistoryChart::~DriftHistoryChart() = default;

void DriftHistoryChart::clear(const QString &message)
{
    m_history = {};
    m_labels.clear();
    m_selected = -1;
    rebuild();
    if (!message.isEmpty() && !m_plot->plotLayout()->elements(false).isEmpty()) {
        if (auto *title = qobject_cast<QCPTextElement *>(m_plot->plotLayout()->element(0, 0))) {
            title->setText(message);
            m_plot->replot(QCustomPlot::rpQueuedReplot);
        }
    }
}

void DriftHistoryChart::setHistory(const drift::DriftHistory &history)
{
    m_history = history;
    m_labels.clear();
    QStringList names;
    for (const drift::BatchDrift &b : history.batches)
        names.append(QFileInfo(b.path).completeBaseName());
    for (int i = 0; i < names.size(); ++i) {
        // Two batches of the same name in different folders: show their paths.
        const bool unique = names.count(names.at(i)) == 1;
        m_labels.append(unique ? names.at(i) : history.batches.at(i).path);
    }
    if (m_selected >= m_labels.size())
        m_selected = -1;
    rebuild();
}

QStringList DriftHistoryChart::featureNames() const
{
    QStringList out;
    for (const Feature &f : m_features) {
        if (!out.contains(f.name))
            out.append(f.name);
    }
    return out;
}

QCPAxisRect *DriftHistoryChart::addRect(int row, const QString &yLabel)
{
    auto *rect = new QCPAxisRect(m_plot, true);
    m_plot->plotLayout()->addElement(row, 0, rect);
    rect->axis(QCPAxis::atLeft)->setLabel(yLabel);
    rect->setRangeDrag({});
    rect->setRangeZoom({});
    return rect;
}

void DriftHistoryChart::rebuild()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_graphs.clear();
    m_features.clear();
    m_highlights.clear();
    m_pRect = m_dRect = m_shareRect = nullptr;
    if (m_plot->legend && m_plot->legend->layout())
        m_plot->legend->layout()->take(m_plot->legend);
    m_plot->plotLayout()->clear();
    m_plot->plotLayout()->simplify();
    delete m_margins; // after the rects that used it are gone
    m_margins = nullptr;

    auto *title = addTitle(m_plot, font());
    m_plot->plotLayout()->addElement(0, 0, title);
    const int n = int(m_labels.size());
    if (n == 0) {
        title->setText(tr("No batches to show"));
        auto *rect = addRect(1, {});
        rect->axis(QCPAxis::atBottom)->setTickLabels(false);
        rect->axis(QCPAxis::atLeft)->setTickLabels(false);
        if (m_plot->legend)
            m_plot->legend->setVisible(false);
        stylePlot(m_plot, palette());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    title->setText(tr("Drift over time against %1").arg(shortFileName(m_history.referenceFile)));

    // The features: every tested column, in a p-value or a distance panel by its test.
    struct Series
    {
        QString name;
        bool pValue;
        QVector<double> scores;
        QSet<double> thresholds;
    };
    QList<Series> series;
    QStringList order;
    for (int i = 0; i < n; ++i) {
        const auto &report = m_history.batches.at(i).report;
        if (!report)
            continue;
        for (const drift::ColumnDrift &c : report->columns) {
            if (!c.result)
                continue;
            const bool pValue = drift::isPValueTest(c.test);
            auto it = std::find_if(series.begin(), series.end(), [&](const Series &s) {
                return s.name == c.name && s.pValue == pValue;
            });
            if (it == series.end()) {
                series.append({c.name, pValue, QVector<double>(n, kNaN), {}});
                it = series.end() - 1;
            }
            if (!order.contains(c.name))
                order.append(c.name);
            double score = c.result->score;
            if (!std::isfinite(score))
                score = kNaN;
            else if (pValue)
                score = std::max(score, kPFloor);
            it->scores[i] = score;
            it->thresholds.insert(c.threshold);
        }
    }
    const bool anyP =
        std::any_of(series.begin(), series.end(), [](const Series &s) { return s.pValue; });
    const bool anyD =
        std::any_of(series.begin(), series.end(), [](const Series &s) { return !s.pValue; });

    int row = 1;
    if (anyP)
        m_pRect = addRect(row++, tr("p-value (log)"));
    if (anyD)
        m_dRect = addRect(row++, tr("Distance"));
    m_shareRect = addRect(row++, tr("Drifted columns"));
    m_margins = new QCPMarginGroup(m_plot);
    for (QCPAxisRect *rect : m_plot->axisRects())
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, m_margins);
    // Row stretch: score panels 3, the share panel 2, title and legend only what they need.
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    for (int r = 1; r < row; ++r)
        m_plot->plotLayout()->setRowStretchFactor(r, r == row - 1 ? 2 : 3);

    // The batches on every x axis; the names only under the bottom panel.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    int longest = 0;
    for (int i = 0; i < n; ++i) {
        const QString label =
            elided(m_labels.at(i)) + (m_history.batches.at(i).error ? u" ⚠"_s : QString());
        ticker->addTick(i, label);
        longest = std::max(longest, int(label.size()));
    }
    for (QCPAxisRect *rect : m_plot->axisRects()) {
        QCPAxis *x = rect->axis(QCPAxis::atBottom);
        x->setTicker(ticker);
        x->setRange(-0.5, n - 0.5);
        x->setSubTicks(false);
        x->setTickLabels(rect == m_shareRect);
        x->grid()->setVisible(true);
    }
    m_shareRect->axis(QCPAxis::atBottom)
        ->setTickLabelRotation(n > 8 || (n > 4 && longest > 12) ? 35 : 0);
    m_shareRect->axis(QCPAxis::atBottom)->setLabel(tr("Batch"));

    // Lines per feature, in a colour per feature name.
    QFont labelFont = font();
    labelFont.setPointSizeF(labelFont.pointSizeF() * 0.9);
    for (const Series &s : std::as_const(series)) {
        QCPAxisRect *rect = s.pValue ? m_pRect : m_dRect;
        QCPGraph *g = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        const QColor color = driftSeriesColor(int(order.indexOf(s.name)));
        g->setPen(QPen(color, 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 6));
        g->setName(s.name);
        QVector<double> keys(n);
        std::iota(keys.begin(), keys.end(), 0.0);
        g->setData(keys, s.scores, true);
        // A feature in both panels (its test changed between batches) has one legend entry.
        const bool seen = std::any_of(m_features.begin(), m_features.end(),
                                      [&](const Feature &f) { return f.name == s.name; });
        if (seen)
            g->removeFromLegend();
        m_features.append({s.name, g, s.pValue});
        m_graphs.append(g);
    }

    // Threshold lines: one per distinct threshold in a panel (usually one, dashed).
    auto thresholdLine = [&](QCPAxisRect *rect, double value, const QString &label) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->setClipAxisRect(rect);
        for (QCPItemPosition *pos : {line->point1, line->point2}) {
            pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            pos->setAxisRect(rect);
        }
        line->point1->setCoords(-1, value);
        line->point2->setCoords(n, value);
        line->setPen(QPen(withAlpha(QColor(0xd6, 0x27, 0x28), 200), 1.5, Qt::DashLine));
        auto *tag = new QCPItemText(m_plot);
        tag->setClipAxisRect(rect);
        tag->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        tag->position->setAxisRect(rect);
        tag->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        tag->position->setCoords(0.995, value);
        tag->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        tag->setText(label);
        tag->setFont(labelFont);
        tag->setColor(QColor(0xd6, 0x27, 0x28));
    };
    auto panel = [&](QCPAxisRect *rect, bool pValue) {
        if (!rect)
            return;
        QSet<double> thresholds;
        double lo = std::numeric_limits<double>::infinity();
        double hi = 0;
        for (const Series &s : std::as_const(series)) {
            if (s.pValue != pValue)
                continue;
            thresholds.unite(s.thresholds);
            for (double v : s.scores) {
                if (std::isnan(v))
                    continue;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        QList<double> sorted(thresholds.begin(), thresholds.end());
        std::sort(sorted.begin(), sorted.end());
        for (double t : std::as_const(sorted)) {
            thresholdLine(
                rect, pValue ? std::max(t, kPFloor) : t,
                (sorted.size() == 1 ? tr("threshold %1") : tr("threshold %1 (some columns)"))
                    .arg(QString::number(t, 'g', 3)));
            lo = std::min(lo, t);
            hi = std::max(hi, t);
        }
        QCPAxis *y = rect->axis(QCPAxis::atLeft);
        if (pValue) {
            y->setScaleType(QCPAxis::stLogarithmic);
            auto log = QSharedPointer<QCPAxisTickerLog>::create();
            log->setLogBase(10);
            log->setSubTickCount(0);
            y->setTicker(log);
            y->setNumberFormat(u"eb"_s);
            y->setNumberPrecision(0);
            const double bottom = std::isfinite(lo) ? std::max(kPFloor / 2, lo / 5) : 1e-3;
            y->setRange(bottom, 2);
        } else {
            y->setRange(0, hi > 0 ? hi * 1.15 : 1);
        }
    };
    panel(m_pRect, true);
    panel(m_dRect, false);

    // Share of drifted columns per batch: red bars where the dataset drifted.
    auto *driftedBars =
        new QCPBars(m_shareRect->axis(QCPAxis::atBottom), m_shareRect->axis(QCPAxis::atLeft));
    auto *stableBars =
        new QCPBars(m_shareRect->axis(QCPAxis::atBottom), m_shareRect->axis(QCPAxis::atLeft));
    double driftShare = 0.5;
    for (QCPBars *bars : {driftedBars, stableBars}) {
        const bool drifted = bars == driftedBars;
        const QColor color = drifted ? QColor(0xd6, 0x27, 0x28) : QColor(0x2c, 0xa0, 0x2c);
        bars->setWidth(0.55);
        bars->setPen(QPen(color, 1));
        bars->setBrush(withAlpha(color, 150));
        bars->setName(drifted ? tr("Dataset drift") : tr("No dataset drift"));
        bars->removeFromLegend();
    }
    for (int i = 0; i < n; ++i) {
        const auto &report = m_history.batches.at(i).report;
        if (!report)
            continue;
        driftShare = report->dataset.driftShare;
        (report->dataset.drifted ? driftedBars : stableBars)
            ->addData(i, report->dataset.shareDrifted);
    }
    auto *shareY = m_shareRect->axis(QCPAxis::atLeft);
    shareY->setTicker(QSharedPointer<QCPAxisTicker>(new PercentTicker));
    shareY->ticker()->setTickCount(3);
    shareY->setRange(0, 1.08);
    thresholdLine(m_shareRect, driftShare, tr("dataset drift at %1").arg(percentLabel(driftShare)));

    // Highlight of the selected batch, behind the data.
    for (QCPAxisRect *rect : m_plot->axisRects()) {
        auto *band = new QCPItemRect(m_plot);
        band->setLayer(u"highlight"_s);
        band->setClipAxisRect(rect);
        for (QCPItemPosition *pos : {band->topLeft, band->bottomRight}) {
            pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            pos->setAxisRect(rect);
            pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
        }
        band->setPen(Qt::NoPen);
        band->setBrush(withAlpha(palette().color(QPalette::Highlight), 45));
        band->setSelectable(false);
        m_highlights.append(band);
    }

    // The legend below the panels, wrapped to the width.
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(row, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(row, 0.001);
    legendRow->addElement(0, 0, new QCPLayoutElement(m_plot));
    legendRow->addElement(0, 1, m_plot->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(m_plot));
    legendRow->setColumnStretchFactor(0, 1);
    legendRow->setColumnStretchFactor(1, 0.001);
    legendRow->setColumnStretchFactor(2, 1);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setWrap(std::max(1, (m_plot->width() > 100 ? m_plot->width() : 900) / 150));
    m_plot->legend->setIconSize(18, 10);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 4));
    // A legend item is clipped to its own rectangle, which is exactly the text's height: without
    // a little room below, the underscores of column names (tenure_months) are cut off.
    for (int i = 0; i < m_plot->legend->itemCount(); ++i)
        if (QCPAbstractLegendItem *item = m_plot->legend->item(i)) // empty cells are null
            item->setMargins(QMargins(0, 1, 0, 3));

    setSelectedBatch(m_selected);
    stylePlot(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DriftHistoryChart::setSelectedBatch(int index)
{
    m_selected = index >= 0 && index < m_labels.size() ? index : -1;
    for (QCPItemRect *band : std::as_const(m_highlights)) {
        band->setVisible(m_selected >= 0);
        band->topLeft->setCoords(m_selected - 0.5, 0);
        band->bottomRight->setCoords(m_selected + 0.5, 1);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int DriftHistoryChart::batchAt(double x) const
{
    if (!m_shareRect || m_labels.isEmpty())
        return -1;
    const double key = m_shareRect->axis(QCPAxis::atBottom)->pixelToCoord(x);
    const int i = int(std::lround(key));
    return i >= 0 && i < m_labels.size() && std::abs(key - i) <= 0.5 ? i : -1;
}

QString DriftHistoryChart::describeBatch(int index, QCPAxisRect *rect) const
{
    if (index < 0 || index >= m_labels.size())
        return {};
    const drift::BatchDrift &b = m_history.batches.at(index);
    QString out = b.path;
    if (b.error)
        return out + u'\n' + tr("Not compared: %1").arg(b.error->toString());
    if (!b.report)
        return out;
    const drift::DatasetDrift &d = b.report->dataset;
    if (rect == m_shareRect || !rect) {
        return out + u'\n' +
               tr("%1 of %2 columns drifted (%3); dataset drift at %4: %5")
                   .arg(d.driftedColumns)
                   .arg(d.columns)
                   .arg(percentLabel(d.shareDrifted), percentLabel(d.driftShare),
                        d.drifted ? tr("yes") : tr("no"));
    }
    const bool pValue = rect == m_pRect;
    QList<const drift::ColumnDrift *> columns;
    for (const drift::ColumnDrift &c : b.report->columns) {
        if (c.result && drift::isPValueTest(c.test) == pValue)
            columns.append(&c);
    }
    std::stable_sort(columns.begin(), columns.end(), [](auto *a, auto *c) {
        return a->drifted() != c->drifted() ? a->drifted() : false;
    });
    for (const drift::ColumnDrift *c : std::as_const(columns).mid(0, 25)) {
        out += u'\n' + tr("%1: %2 %3%4")
                           .arg(c->name, c->test,
                                pValue && c->result->score < kPFloor
                                    ? u"< %1"_s.arg(kPFloor)
                                    : QString::number(c->result->score, 'g', 3),
                                c->drifted() ? tr(" — drifted") : QString());
    }
    return out;
}

bool DriftHistoryChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_plot)
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::MouseMove: {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPointF pos = e->position();
        QCPAxisRect *rect = m_plot->axisRectAt(pos);
        const int i = rect ? batchAt(pos.x()) : -1;
        if (i >= 0 && e->buttons() == Qt::NoButton)
            QToolTip::showText(e->globalPosition().toPoint(), describeBatch(i, rect), m_plot);
        else
            QToolTip::hideText();
        m_plot->setCursor(i >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        break;
    }
    case QEvent::MouseButtonPress:
        m_pressPos = static_cast<QMouseEvent *>(event)->position().toPoint();
        break;
    case QEvent::MouseButtonRelease: {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPoint pos = e->position().toPoint();
        if (e->button() == Qt::LeftButton && (pos - m_pressPos).manhattanLength() < 6 &&
            m_plot->axisRectAt(pos)) {
            if (const int i = batchAt(pos.x()); i >= 0)
                emit batchClicked(i);
        }
        break;
    }
    case QEvent::Resize:
        if (m_plot->legend) {
            const int wrap = std::max(1, static_cast<QResizeEvent *>(event)->size().width() / 150);
            if (wrap != m_plot->legend->wrap()) {
                m_plot->legend->setWrap(wrap);
                m_plot->replot(QCustomPlot::rpQueuedReplot);
            }
        }
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

void DriftHistoryChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild(); // the highlight and the axes follow the palette
}

QImage DriftHistoryChart::render(int width, int height, double scale)
{
    QCPLegend *legend = m_plot->legend;
    const int wrap = legend ? legend->wrap() : 0;
    if (legend)
        legend->setWrap(std::max(1, width / 150));
    QImage image = m_plot->toPixmap(width, height, scale).toImage();
    if (legend)
        legend->setWrap(wrap);
    return image;
}

} // namespace cairn::ui
