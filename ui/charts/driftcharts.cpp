#include "driftcharts.h"

#include "charts/qcustomplot.h"
#include "driftchartsupport.h"
#include "theme.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenu>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QSvgGenerator>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDriftCharts, "cairn.ui.charts.drift", QtWarningMsg)

namespace cairn::ui {

namespace {

// matplotlib's tab10, as in MetricChart.
constexpr std::array<QRgb, 10> kPalette = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                           0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

} // namespace

namespace driftchart {

QString percentLabel(double share)
{
    const double pct = share * 100;
    return QString::number(pct, 'f', std::abs(pct) < 10 && pct != std::round(pct) ? 1 : 0) + u'%';
}

QString PercentTicker::getTickLabel(double tick, const QLocale &, QChar, int)
{
    return percentLabel(tick);
}

QString elided(const QString &text, int max)
{
    if (text.isEmpty())
        return QCoreApplication::translate("cairn::ui::DriftColumnChart", "(empty)");
    return text.size() > max ? text.left(max - 1) + u'…' : text;
}

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

void stylePlot(QCustomPlot *plot, const QPalette &pal)
{
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    plot->setBackground(base);
    for (QCPAxisRect *rect : plot->axisRects()) {
        for (QCPAxis *axis : rect->axes()) {
            axis->setBasePen(QPen(text, 1));
            axis->setTickPen(QPen(text, 1));
            axis->setSubTickPen(QPen(text, 1));
            axis->setLabelColor(text);
            axis->setTickLabelColor(text);
            axis->grid()->setPen(QPen(withAlpha(text, 40), 1, Qt::SolidLine));
            axis->grid()->setSubGridPen(QPen(withAlpha(text, 15), 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    if (plot->legend) {
        plot->legend->setBrush(withAlpha(base, 220));
        plot->legend->setTextColor(text);
        plot->legend->setBorderPen(Qt::NoPen);
    }
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
        if (auto *t = qobject_cast<QCPTextElement *>(plot->plotLayout()->elementAt(i)))
            t->setTextColor(text);
    }
}

QCPTextElement *addTitle(QCustomPlot *plot, const QFont &font)
{
    auto *title = new QCPTextElement(plot);
    QFont f = font;
    f.setBold(true);
    title->setFont(f);
    title->setMargins(QMargins(4, 4, 4, 0));
    return title;
}

} // namespace driftchart

using namespace driftchart;

namespace {

QMenu *exportMenu(QWidget *parent, const QList<std::pair<QString, std::function<void()>>> &items)
{
    auto *menu = new QMenu(parent);
    for (const auto &[text, action] : items)
        menu->addAction(text, parent, action);
    return menu;
}

} // namespace

QColor driftReferenceColor()
{
    return QColor::fromRgb(kPalette[0]);
}

QColor driftCurrentColor()
{
    return QColor::fromRgb(kPalette[1]);
}

QColor driftSeriesColor(int index)
{
    const int n = int(kPalette.size());
    return QColor::fromRgb(kPalette[std::size_t(((index % n) + n) % n)]);
}

QColor driftBadgeColor(bool drifted)
{
    if (isDarkPalette())
        return drifted ? QColor(0x7a, 0x25, 0x25) : QColor(0x1f, 0x5a, 0x34);
    return drifted ? QColor(0xf8, 0xd0, 0xd0) : QColor(0xd3, 0xf0, 0xdc);
}

QColor driftBadgeTextColor(bool drifted)
{
    if (isDarkPalette())
        return drifted ? QColor(0xff, 0xd6, 0xd6) : QColor(0xd4, 0xf5, 0xde);
    return drifted ? QColor(0x9b, 0x1c, 0x1c) : QColor(0x1d, 0x6b, 0x3a);
}

QColor driftWarningBadgeColor()
{
    return isDarkPalette() ? QColor(0x6e, 0x52, 0x12) : QColor(0xfc, 0xe8, 0xb8);
}

bool saveDriftPlot(QCustomPlot *plot, const QString &path, const QString &title)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int w = plot->width() > 50 ? plot->width() : 800;
    const int h = plot->height() > 50 ? plot->height() : 500;
    if (suffix == u"png"_s)
        return plot->savePng(path, w, h, 2.0);
    if (suffix == u"pdf"_s)
        return plot->savePdf(path, w, h, QCP::epNoCosmetic, u"Cairn"_s, title);
    if (suffix != u"svg"_s)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(QSize(w, h));
    svg.setViewBox(QRect(0, 0, w, h));
    svg.setResolution(plot->logicalDpiX());
    svg.setTitle(title);
    svg.setDescription(QCoreApplication::translate("cairn::ui", "Drift chart exported from Cairn"));
    QCPPainter painter;
    if (!painter.begin(&svg))
        return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setMode(QCPPainter::pmNonCosmetic);
    plot->toPainter(&painter, w, h);
    painter.end();
    return file.commit();
}

bool exportDriftPlotInteractively(QWidget *parent, QCustomPlot *plot, const QString &title,
                                  QString *error)
{
    const QString png = QCoreApplication::translate("cairn::ui", "PNG image (*.png)");
    const QString pdf = QCoreApplication::translate("cairn::ui", "PDF document (*.pdf)");
    const QString svg = QCoreApplication::translate("cairn::ui", "SVG image (*.svg)");
    QString filter = png;
    QString name = title.isEmpty() ? u"drift"_s : title;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._-]+"_s), u"_"_s);
    QString path = QFileDialog::getSaveFileName(
        parent, QCoreApplication::translate("cairn::ui", "Export chart"), name + u".png"_s,
        png + u";;"_s + pdf + u";;"_s + svg, &filter);
    if (path.isEmpty())
        return true;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == pdf ? u".pdf"_s : filter == svg ? u".svg"_s : u".png"_s;
    if (saveDriftPlot(plot, path, title))
        return true;
    if (error)
        *error = QCoreApplication::translate("cairn::ui",
                                             "Could not export the chart to %1: choose a .png, "
                                             ".pdf or .svg file in a folder you can write to.")
                     .arg(QDir::toNativeSeparators(path));
    return false;
}

// ---- DriftColumnChart ----------------------------------------------------------------------

DriftColumnChart::DriftColumnChart(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel)
    , m_exportButton(new QToolButton)
    , m_distribution(new QCustomPlot)
    , m_ecdf(new QCustomPlot)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *head = new QHBoxLayout;
    head->setContentsMargins(4, 2, 4, 0);
    m_header->setObjectName(u"columnChartTitle"_s);
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    head->addWidget(m_header, 1);
    m_exportButton->setObjectName(u"exportColumnChart"_s);
    m_exportButton->setText(tr("Export"));
    m_exportButton->setToolTip(tr("Save a chart as PNG, PDF or SVG"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setMenu(exportMenu(
        this,
        {{tr("Distribution chart…"), [this] { exportPlot(m_distribution, tr("distribution")); }},
         {tr("Empirical CDF chart…"), [this] { exportPlot(m_ecdf, tr("ecdf")); }}}));
    head->addWidget(m_exportButton, 0, Qt::AlignTop);
    layout->addLayout(head);
    m_distribution->setObjectName(u"distributionPlot"_s);
    m_ecdf->setObjectName(u"ecdfPlot"_s);
    setUpPlot(m_distribution, &m_distTitle);
    setUpPlot(m_ecdf, &m_ecdfTitle);
    layout->addWidget(m_distribution, 3);
    layout->addWidget(m_ecdf, 2);
    m_distribution->setMouseTracking(true);
    connect(m_distribution, &QCustomPlot::mouseMove, this, &DriftColumnChart::updateHover);
    for (QCustomPlot *plot : {m_distribution, m_ecdf}) {
        connect(plot, &QWidget::customContextMenuRequested, this, [this, plot](const QPoint &pos) {
            QMenu menu;
            menu.addAction(tr("Export Chart as PNG, PDF or SVG…"), this, [this, plot] {
                exportPlot(plot, plot == m_ecdf ? tr("ecdf") : tr("distribution"));
            });
            menu.exec(plot->mapToGlobal(pos));
        });
    }
    clear();
}

DriftColumnChart::~DriftColumnChart() = default;

void DriftColumnChart::setUpPlot(QCustomPlot *plot, QCPTextElement **title)
{
    plot->setMinimumSize(220, 140);
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    plot->plotLayout()->insertRow(0);
    *title = addTitle(plot, font());
    plot->plotLayout()->addElement(0, 0, *title);
    plot->legend->setVisible(true);
    plot->legend->setIconSize(16, 10);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void DriftColumnChart::clear(const QString &message)
{
    m_column = {};
    m_titleText.clear();
    m_categorical = false;
    m_refBars.clear();
    m_curBars.clear();
    m_refEcdf = m_curEcdf = nullptr;
    for (QCustomPlot *plot : {m_distribution, m_ecdf}) {
        plot->clearPlottables();
        plot->clearItems();
        plot->legend->setVisible(false);
        plot->xAxis->setLabel({});
        plot->yAxis->setLabel({});
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot->xAxis->setTickLabelRotation(0);
    }
    m_distTitle->setText(message.isEmpty() ? tr("Select a column to see its distributions")
                                           : message);
    m_ecdfTitle->setText({});
    m_header->setText(message.isEmpty() ? QString() : message.toHtmlEscaped());
    m_ecdf->setVisible(true);
    applyPalette();
    m_distribution->replot(QCustomPlot::rpQueuedReplot);
    m_ecdf->replot(QCustomPlot::rpQueuedReplot);
}

bool DriftColumnChart::hasEcdf() const
{
    return m_refEcdf && m_curEcdf;
}

int DriftColumnChart::barCount(bool reference) const
{
    int n = 0;
    for (QCPBars *b : reference ? m_refBars : m_curBars)
        n += b->dataCount();
    return n;
}

void DriftColumnChart::setColumn(const drift::ColumnDrift &column, const QString &referenceName,
                                 const QString &currentName)
{
    clear();
    m_column = column;
    m_refName = referenceName;
    m_curName = currentName;

    // The header: what was tested and what came out.
    QString verdict;
    QString detail;
    if (!column.skipped.isEmpty()) {
        verdict = tr("not tested");
        detail = column.skipped;
    } else if (!column.result) {
        verdict = tr("error");
        detail = column.error;
    } else {
        const bool pValue = drift::isPValueTest(column.test);
        detail = tr("%1 %2 = %3 (threshold %4)")
                     .arg(column.test, pValue ? tr("p") : tr("score"),
                          QString::number(column.result->score, 'g', 4),
                          QString::number(column.threshold, 'g', 4));
        verdict = column.result->drifted ? tr("drifted") : tr("no drift");
    }
    m_titleText = u"%1 · %2 · %3"_s.arg(column.name, detail, verdict);
    QString verdictHtml = verdict.toHtmlEscaped();
    if (column.result)
        verdictHtml =
            u"<span style=\"background:%1;color:%2;padding:1px 4px\">&nbsp;%3&nbsp;</span>"_s.arg(
                driftBadgeColor(column.result->drifted).name(),
                driftBadgeTextColor(column.result->drifted).name(), verdictHtml);
    QString missing;
    if (column.missingDrifted)
        missing = u" · <span style=\"color:#b36b00\">⚠ %1</span>"_s.arg(
            tr("missing values %1 → %2")
                .arg(QString::number(column.missingShareRef * 100, 'f', 1) + u'%',
                     QString::number(column.missingShareCur * 100, 'f', 1) + u'%')
                .toHtmlEscaped());
    m_header->setText(u"<b>%1</b> <span style=\"color:gray\">(%2)</span> · %3 · %4%5"_s.arg(
        column.name.toHtmlEscaped(), drift::kindName(column.kind), detail.toHtmlEscaped(),
        verdictHtml, missing));

    const drift::ColumnProfile &p = column.profile;
    if (!p.categories.isEmpty())
        showCategorical();
    else if (p.edges.size() >= 2 && !p.refShares.empty())
        showNumeric();
    else
        m_distTitle->setText(!column.skipped.isEmpty() ? tr("Not tested: %1").arg(column.skipped)
                             : !column.error.isEmpty()
                                 ? tr("No distribution to show: %1").arg(column.error)
                                 : tr("No distribution to show"));
    m_ecdf->setVisible(!m_categorical && (hasEcdf() || column.profile.categories.isEmpty()));
    applyPalette();
    m_distribution->replot(QCustomPlot::rpQueuedReplot);
    m_ecdf->replot(QCustomPlot::rpQueuedReplot);
}

void DriftColumnChart::showNumeric()
{
    const drift::ColumnProfile &p = m_column.profile;
    const std::size_t bins = std::min({p.edges.size() - 1, p.refShares.size(), p.curShares.size()});
    std::vector<double> widths;
    for (std::size_t i = 0; i < bins; ++i)
        widths.push_back(p.edges[i + 1] - p.edges[i]);
    std::vector<double> sorted = widths;
    std::sort(sorted.begin(), sorted.end());
    const double typical = sorted.empty() ? 1 : sorted[sorted.size() / 2];
    const double span = p.edges[bins] - p.edges[0];
    const double tolerance = std::max(std::abs(span), 1.0) * 1e-9;

    // Bars of one width per QCPBars: the regular bins in one, each odd one (the overflow bins of
    // the reference-binned mode) in its own, in the same colour and without a legend entry.
    auto addSide = [&](const std::vector<double> &shares, const QColor &color, const QString &name,
                       QList<QCPBars *> &out) {
        auto makeBars = [&](double width) {
            auto *bars = new QCPBars(m_distribution->xAxis, m_distribution->yAxis);
            bars->setWidthType(QCPBars::wtPlotCoords);
            bars->setWidth(width);
            bars->setPen(QPen(color, 1));
            bars->setBrush(withAlpha(color, 95));
            bars->setAntialiased(false);
            bars->setAntialiasedFill(false);
            return bars;
        };
        QCPBars *main = makeBars(typical);
        main->setName(name);
        out.append(main);
        for (std::size_t i = 0; i < bins; ++i) {
            if (!(widths[i] > 0))
                continue;
            const double centre = p.edges[i] + widths[i] / 2;
            if (std::abs(widths[i] - typical) <= tolerance) {
                main->addData(centre, shares[i]);
            } else {
                QCPBars *odd = makeBars(widths[i]);
                odd->removeFromLegend();
                odd->addData(centre, shares[i]);
                out.append(odd);
            }
        }
    };
    addSide(p.refShares, driftReferenceColor(), tr("Reference (%1)").arg(elided(m_refName, 40)),
            m_refBars);
    addSide(p.curShares, driftCurrentColor(), tr("Current (%1)").arg(elided(m_curName, 40)),
            m_curBars);
    double top = 0;
    for (std::size_t i = 0; i < bins; ++i)
        top = std::max({top, p.refShares[i], p.curShares[i]});
    const double pad = span > 0 ? span * 0.02 : 0.5;
    m_distribution->xAxis->setRange(p.edges[0] - pad, p.edges[bins] + pad);
    m_distribution->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    m_distribution->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new PercentTicker));
    m_distribution->yAxis->ticker()->setTickCount(4);
    m_distribution->xAxis->setLabel(m_column.name);
    m_distribution->yAxis->setLabel(tr("Share of values"));
    m_distribution->legend->setVisible(true);
    m_distTitle->setText(tr("Distribution of %1 (%2 bins)").arg(m_column.name).arg(bins));

    if (p.refEcdfX.empty() || p.curEcdfX.empty()) {
        m_ecdfTitle->setText(tr("No empirical CDF for this column"));
        return;
    }
    const double lo = std::min(p.refEcdfX.front(), p.curEcdfX.front());
    const double hi = std::max(p.refEcdfX.back(), p.curEcdfX.back());
    auto addEcdf = [&](const std::vector<double> &xs, const std::vector<double> &ys,
                       const QColor &color, const QString &name) {
        QCPGraph *g = m_ecdf->addGraph();
        g->setName(name);
        g->setLineStyle(QCPGraph::lsStepLeft);
        g->setPen(QPen(color, 2));
        QVector<double> x{lo};
        QVector<double> y{0};
        for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
            x.append(xs[i]);
            y.append(ys[i]);
        }
        x.append(hi);
        y.append(1);
        g->setData(x, y, true);
        return g;
    };
    m_refEcdf = addEcdf(p.refEcdfX, p.refEcdfY, driftReferenceColor(), tr("Reference"));
    m_curEcdf = addEcdf(p.curEcdfX, p.curEcdfY, driftCurrentColor(), tr("Current"));
    const double ecdfPad = hi > lo ? (hi - lo) * 0.02 : 0.5;
    m_ecdf->xAxis->setRange(lo - ecdfPad, hi + ecdfPad);
    m_ecdf->yAxis->setRange(0, 1.04);
    m_ecdf->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new PercentTicker));
    m_ecdf->yAxis->ticker()->setTickCount(3);
    m_ecdf->xAxis->setLabel(m_column.name);
    m_ecdf->yAxis->setLabel(tr("Share ≤ x"));
    m_ecdf->legend->setVisible(true);
    m_ecdf->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_ecdfTitle->setText(tr("Empirical CDF of %1").arg(m_column.name));
}

void DriftColumnChart::showCategorical()
{
    m_categorical = true;
    const drift::ColumnProfile &p = m_column.profile;
    const int n = int(std::min<qsizetype>(
        {p.categories.size(), qsizetype(p.refShares.size()), qsizetype(p.curShares.size()), 50}));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    bool longLabels = false;
    for (int i = 0; i < n; ++i) {
        ticker->addTick(i + 1, elided(p.categories.at(i)));
        longLabels = longLabels || p.categories.at(i).size() > 8;
    }
    auto *group = new QCPBarsGroup(m_distribution);
    group->setSpacingType(QCPBarsGroup::stAbsolute);
    group->setSpacing(1);
    auto addSide = [&](const std::vector<double> &shares, const QColor &color,
                       const QString &name) {
        auto *bars = new QCPBars(m_distribution->xAxis, m_distribution->yAxis);
        bars->setName(name);
        bars->setWidth(0.38);
        bars->setPen(QPen(color, 1));
        bars->setBrush(withAlpha(color, 150));
        bars->setBarsGroup(group);
        for (int i = 0; i < n; ++i)
            bars->addData(i + 1, shares[std::size_t(i)]);
        return bars;
    };
    m_refBars.append(addSide(p.refShares, driftReferenceColor(),
                             tr("Reference (%1)").arg(elided(m_refName, 40))));
    m_curBars.append(
        addSide(p.curShares, driftCurrentColor(), tr("Current (%1)").arg(elided(m_curName, 40))));
    double top = 0;
    for (int i = 0; i < n; ++i)
        top = std::max({top, p.refShares[std::size_t(i)], p.curShares[std::size_t(i)]});
    m_distribution->xAxis->setTicker(ticker);
    m_distribution->xAxis->setTickLabelRotation(n > 4 || longLabels ? 40 : 0);
    m_distribution->xAxis->setSubTicks(false);
    m_distribution->xAxis->setTickLength(0, 3);
    m_distribution->xAxis->setRange(0.4, n + 0.6);
    m_distribution->xAxis->setLabel({});
    m_distribution->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    m_distribution->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new PercentTicker));
    m_distribution->yAxis->setLabel(tr("Share of values"));
    m_distribution->legend->setVisible(true);
    const qsizetype all = m_column.profile.categories.size();
    m_distTitle->setText(
        all > n ? tr("Categories of %1 (the %2 most frequent)").arg(m_column.name).arg(n)
                : tr("Categories of %1").arg(m_column.name));
}

void DriftColumnChart::updateHover(QMouseEvent *event)
{
    const drift::ColumnProfile &p = m_column.profile;
    if (m_refBars.isEmpty() || !m_distribution->axisRect()->rect().contains(event->pos())) {
        QToolTip::hideText();
        return;
    }
    const double key = m_distribution->xAxis->pixelToCoord(event->position().x());
    QString text;
    if (m_categorical) {
        const int i = int(std::lround(key)) - 1;
        if (i >= 0 && i < p.categories.size() && std::size_t(i) < p.refShares.size())
            text = tr("%1\nReference: %2\nCurrent: %3")
                       .arg(p.categories.at(i).isEmpty() ? tr("(empty)") : p.categories.at(i),
                            percentLabel(p.refShares[std::size_t(i)]),
                            percentLabel(p.curShares[std::size_t(i)]));
    } else {
        const std::size_t bins = std::min(p.edges.size() - 1, p.refShares.size());
        for (std::size_t i = 0; i < bins; ++i) {
            if (key >= p.edges[i] && key <= p.edges[i + 1]) {
                text = tr("[%1, %2%3\nReference: %4\nCurrent: %5")
                           .arg(QString::number(p.edges[i], 'g', 5),
                                QString::number(p.edges[i + 1], 'g', 5),
                                i + 1 == bins ? u"]"_s : u")"_s, percentLabel(p.refShares[i]),
                                percentLabel(p.curShares[i]));
                break;
            }
        }
    }
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, m_distribution);
}

void DriftColumnChart::exportPlot(QCustomPlot *plot, const QString &what)
{
    QString error;
    const QString name = m_column.name.isEmpty() ? what : m_column.name + u'-' + what;
    if (!exportDriftPlotInteractively(this, plot, name, &error))
        emit exportFailed(error);
}

QImage DriftColumnChart::renderDistribution(int width, int height, double scale)
{
    return m_distribution->toPixmap(width, height, scale).toImage();
}

QImage DriftColumnChart::renderEcdf(int width, int height, double scale)
{
    return m_ecdf->toPixmap(width, height, scale).toImage();
}

void DriftColumnChart::applyPalette()
{
    for (QCustomPlot *plot : {m_distribution, m_ecdf})
        stylePlot(plot, palette());
}

void DriftColumnChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette();
        m_distribution->replot(QCustomPlot::rpQueuedReplot);
        m_ecdf->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace cairn::ui
