#include "htmlreport.h"

#include "common/version.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace {

const QString kReferenceColour = u"#4C72B0"_s;
const QString kCurrentColour = u"#DD8452"_s;
const QString kDriftColour = u"#C44E52"_s;
const QString kOkColour = u"#55A868"_s;
const QStringList kPalette = {u"#4C72B0"_s, u"#DD8452"_s, u"#55A868"_s, u"#C44E52"_s, u"#8172B3"_s,
                              u"#937860"_s, u"#DA8BC3"_s, u"#8C8C8C"_s, u"#CCB974"_s, u"#64B5CD"_s};

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString num(double v, int precision = 4)
{
    if (std::isnan(v))
        return u"NaN"_s;
    if (std::isinf(v))
        return v > 0 ? u"∞"_s : u"−∞"_s;
    return QLocale::c().toString(v, 'g', precision);
}

QString coord(double v)
{
    return QString::number(v, 'f', 1);
}

// Ticks at 1, 2 or 5 times a power of ten, covering [low, high].
std::vector<double> niceTicks(double low, double high, int wanted = 5)
{
    if (!(high > low))
        return {low};
    const double raw = (high - low) / wanted;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * magnitude;
        if (step >= raw)
            break;
    }
    std::vector<double> ticks;
    for (double t = std::ceil(low / step) * step; t <= high + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

// A plot area inside an SVG document, with linear or log10 axes.
class SvgPlot
{
public:
    SvgPlot(int width, int height, int left = 58, int right = 14, int top = 30, int bottom = 44)
        : m_width(width)
        , m_height(height)
        , m_left(left)
        , m_right(right)
        , m_top(top)
        , m_bottom(bottom)
    {}

    void setX(double low, double high) { m_x0 = low, m_x1 = high > low ? high : low + 1; }
    void setY(double low, double high, bool log = false)
    {
        m_logY = log;
        m_y0 = low;
        m_y1 = high > low ? high : low + 1;
    }
    double px(double x) const { return m_left + (x - m_x0) / (m_x1 - m_x0) * plotWidth(); }
    double py(double y) const
    {
        if (m_logY) {
            const double l = std::log10(std::max(y, m_y0));
            return m_top + plotHeight() -
                   (l - std::log10(m_y0)) / (std::log10(m_y1) - std::log10(m_y0)) * plotHeight();
        }
        return m_top + plotHeight() - (y - m_y0) / (m_y1 - m_y0) * plotHeight();
    }
    double plotWidth() const { return m_width - m_left - m_right; }
    double plotHeight() const { return m_height - m_top - m_bottom; }

    void title(const QString &text)
    {
        m_body += u"<text x=\"%1\" y=\"18\" font-size=\"13\" font-weight=\"600\">%2</text>\n"_s
                      .arg(m_left)
                      .arg(esc(text));
    }
    void axes(const QString &xLabel, const QString &yLabel, bool numericX = true)
    {
        // Grid and y ticks.
        std::vector<double> yTicks;
        if (m_logY) {
            for (double t = std::pow(10.0, std::ceil(std::log10(m_y0))); t <= m_y1 * 1.0001;
                 t *= 10)
                yTicks.push_back(t);
        } else {
            yTicks = niceTicks(m_y0, m_y1);
        }
        for (double t : yTicks) {
            m_body += u"<line x1=\"%1\" x2=\"%2\" y1=\"%3\" y2=\"%3\" stroke=\"#e4e4e4\"/>\n"_s
                          .arg(coord(m_left))
                          .arg(coord(m_left + plotWidth()))
                          .arg(coord(py(t)));
            m_body += u"<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"end\">%3</text>\n"_s
                          .arg(coord(m_left - 5))
                          .arg(coord(py(t) + 3.5))
                          .arg(m_logY ? u"1e%1"_s.arg(int(std::lround(std::log10(t)))) : num(t, 3));
        }
        if (numericX) {
            for (double t : niceTicks(m_x0, m_x1, 6)) {
                m_body +=
                    u"<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"middle\">%3</text>\n"_s
                        .arg(coord(px(t)))
                        .arg(coord(m_top + plotHeight() + 14))
                        .arg(num(t, 4));
            }
        }
        m_body +=
            u"<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"none\" stroke=\"#999\"/>\n"_s
                .arg(coord(m_left))
                .arg(coord(m_top))
                .arg(coord(plotWidth()))
                .arg(coord(plotHeight()));
        m_body += u"<text x=\"%1\" y=\"%2\" font-size=\"11\" text-anchor=\"middle\">%3</text>\n"_s
                      .arg(coord(m_left + plotWidth() / 2))
                      .arg(coord(m_height - 6))
                      .arg(esc(xLabel));
        m_body +=
            u"<text transform=\"translate(13 %1) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">%2</text>\n"_s
                .arg(coord(m_top + plotHeight() / 2))
                .arg(esc(yLabel));
    }
    void rect(double x0, double x1, double y0, double y1, const QString &colour, double opacity,
              const QString &tip)
    {
        const double top = std::min(py(y0), py(y1));
        const double height = std::abs(py(y1) - py(y0));
        m_body +=
            u"<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"%5\" fill-opacity=\"%6\"><title>%7</title></rect>\n"_s
                .arg(coord(px(x0)))
                .arg(coord(top))
                .arg(coord(std::max(0.5, px(x1) - px(x0))))
                .arg(coord(height))
                .arg(colour)
                .arg(opacity)
                .arg(esc(tip));
    }
    void polyline(const std::vector<std::pair<double, double>> &points, const QString &colour,
                  bool step = false, const QString &tip = {}, bool markers = false)
    {
        if (points.empty())
            return;
        QString d;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const double x = px(points[i].first);
            const double y = py(points[i].second);
            if (i == 0)
                d += u"M%1 %2"_s.arg(coord(x), coord(y));
            else if (step)
                d += u" H%1 V%2"_s.arg(coord(x), coord(y));
            else
                d += u" L%1 %2"_s.arg(coord(x), coord(y));
        }
        m_body +=
            u"<path d=\"%1\" fill=\"none\" stroke=\"%2\" stroke-width=\"1.8\"><title>%3</title></path>\n"_s
                .arg(d, colour, esc(tip));
        if (markers) {
            for (const auto &[x, y] : points)
                m_body +=
                    u"<circle cx=\"%1\" cy=\"%2\" r=\"2.8\" fill=\"%3\"><title>%4: %5</title></circle>\n"_s
                        .arg(coord(px(x)), coord(py(y)), colour, esc(tip), num(y));
        }
    }
    void hline(double y, const QString &colour, const QString &label)
    {
        m_body +=
            u"<line x1=\"%1\" x2=\"%2\" y1=\"%3\" y2=\"%3\" stroke=\"%4\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>\n"_s
                .arg(coord(m_left))
                .arg(coord(m_left + plotWidth()))
                .arg(coord(py(y)))
                .arg(colour);
        m_body +=
            u"<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"end\" fill=\"%3\">%4</text>\n"_s
                .arg(coord(m_left + plotWidth() - 4))
                .arg(coord(py(y) - 4))
                .arg(colour)
                .arg(esc(label));
    }
    void xLabels(const QStringList &labels)
    {
        // Category labels under the axis, rotated when they would collide.
        const double slot = labels.isEmpty() ? 0 : plotWidth() / labels.size();
        const bool rotate = slot < 70;
        for (qsizetype i = 0; i < labels.size(); ++i) {
            const double x = px(double(i) + 0.5);
            const double y = m_top + plotHeight() + 13;
            QString text = labels[i];
            if (text.size() > 22)
                text = text.left(20) + u'…';
            if (rotate)
                m_body +=
                    u"<text transform=\"translate(%1 %2) rotate(-35)\" font-size=\"10\" text-anchor=\"end\">%3</text>\n"_s
                        .arg(coord(x + 3), coord(y - 4), esc(text));
            else
                m_body +=
                    u"<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"middle\">%3</text>\n"_s
                        .arg(coord(x), coord(y), esc(text));
        }
    }
    void legend(const QList<QPair<QString, QString>> &entries)
    {
        double x = m_left + plotWidth();
        for (qsizetype i = entries.size() - 1; i >= 0; --i) {
            const double w = 16 + 6.2 * double(entries[i].first.size());
            x -= w + 10;
            m_body += u"<rect x=\"%1\" y=\"9\" width=\"10\" height=\"10\" fill=\"%2\"/>"
                      "<text x=\"%3\" y=\"18\" font-size=\"11\">%4</text>\n"_s.arg(
                          coord(x), entries[i].second, coord(x + 14), esc(entries[i].first));
        }
    }
    QString svg() const
    {
        return u"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" viewBox=\"0 "
               u"0 %1 %2\" "
               "font-family=\"sans-serif\" role=\"img\">\n%3</svg>\n"_s.arg(m_width)
                   .arg(m_height)
                   .arg(m_body);
    }

private:
    int m_width, m_height, m_left, m_right, m_top, m_bottom;
    double m_x0 = 0, m_x1 = 1, m_y0 = 0, m_y1 = 1;
    bool m_logY = false;
    QString m_body;
};

QString verdictTitle(const ColumnDrift &c)
{
    if (!c.result)
        return c.name;
    return u"%1 — %2 %3 = %4 (%5)"_s.arg(c.name, c.test, isPValueTest(c.test) ? u"p"_s : u"score"_s,
                                         num(c.result->score),
                                         c.result->drifted ? u"drift"_s : u"no drift"_s);
}

QString percent(double share)
{
    return QLocale::c().toString(share * 100, 'f', 1) + u'%';
}

const char *kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #555; font-size: 13px; }
.verdict { display: inline-block; padding: 6px 12px; border-radius: 4px; color: white; font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.drift { background: #f6d5d5; } td.ok { background: #dcefdc; } tr.muted td { color: #888; }
.column { display: flex; flex-wrap: wrap; gap: 12px; margin: 10px 0 24px; }
.column h3 { width: 100%; font-size: 14px; margin: 0; }
.note { color: #666; font-size: 12px; }
)";

} // namespace

QString distributionSvg(const ColumnDrift &c, int width, int height)
{
    const ColumnProfile &p = c.profile;
    if (p.refShares.empty())
        return {};
    SvgPlot plot(width, height, 58, 14, 30, p.categories.isEmpty() ? 44 : 78);
    double top = 0;
    for (double v : p.refShares)
        top = std::max(top, v);
    for (double v : p.curShares)
        top = std::max(top, v);
    plot.setY(0, top * 1.08);
    if (!p.categories.isEmpty()) {
        plot.setX(0, double(p.categories.size()));
        plot.axes(QString(), u"share of rows"_s, false);
        for (qsizetype i = 0; i < p.categories.size(); ++i) {
            const double x = double(i);
            plot.rect(
                x + 0.1, x + 0.5, 0, p.refShares[std::size_t(i)], kReferenceColour, 0.9,
                u"%1 — reference %2"_s.arg(p.categories[i], percent(p.refShares[std::size_t(i)])));
            plot.rect(
                x + 0.5, x + 0.9, 0, p.curShares[std::size_t(i)], kCurrentColour, 0.9,
                u"%1 — current %2"_s.arg(p.categories[i], percent(p.curShares[std::size_t(i)])));
        }
        plot.xLabels(p.categories);
    } else {
        plot.setX(p.edges.front(), p.edges.back());
        plot.axes(c.name, u"share of rows"_s);
        for (std::size_t i = 0; i + 1 < p.edges.size(); ++i) {
            const QString range = u"[%1, %2)"_s.arg(num(p.edges[i]), num(p.edges[i + 1]));
            plot.rect(p.edges[i], p.edges[i + 1], 0, p.refShares[i], kReferenceColour, 0.55,
                      u"%1 reference %2"_s.arg(range, percent(p.refShares[i])));
            plot.rect(p.edges[i], p.edges[i + 1], 0, p.curShares[i], kCurrentColour, 0.55,
                      u"%1 current %2"_s.arg(range, percent(p.curShares[i])));
        }
    }
    plot.title(verdictTitle(c));
    plot.legend({{u"reference"_s, kReferenceColour}, {u"current"_s, kCurrentColour}});
    return plot.svg();
}

QString ecdfSvg(const ColumnDrift &c, int width, int height)
{
    const ColumnProfile &p = c.profile;
    if (p.refEcdfX.empty() || p.curEcdfX.empty())
        return {};
    SvgPlot plot(width, height);
    const double low = std::min(p.refEcdfX.front(), p.curEcdfX.front());
    const double high = std::max(p.refEcdfX.back(), p.curEcdfX.back());
    plot.setX(low, high > low ? high : low + 1);
    plot.setY(0, 1);
    plot.axes(c.name, u"cumulative share"_s);
    auto steps = [&](const std::vector<double> &xs, const std::vector<double> &ys) {
        std::vector<std::pair<double, double>> pts{{low, 0}};
        for (std::size_t i = 0; i < xs.size(); ++i)
            pts.emplace_back(xs[i], ys[i]);
        pts.emplace_back(high, 1);
        return pts;
    };
    plot.polyline(steps(p.refEcdfX, p.refEcdfY), kReferenceColour, true, u"reference"_s);
    plot.polyline(steps(p.curEcdfX, p.curEcdfY), kCurrentColour, true, u"current"_s);
    plot.title(u"Empirical CDF of %1"_s.arg(c.name));
    plot.legend({{u"reference"_s, kReferenceColour}, {u"current"_s, kCurrentColour}});
    return plot.svg();
}

QString historySvg(const DriftHistory &history, int width)
{
    QStringList batches;
    // column -> (batch index, score), split by score kind.
    QMap<QString, std::vector<std::pair<double, double>>> pvalues, distances;
    QMap<QString, double> thresholdsP, thresholdsD;
    std::vector<std::pair<double, double>> share;
    double driftShare = history.options.driftShare;
    for (qsizetype i = 0; i < history.batches.size(); ++i) {
        const BatchDrift &b = history.batches[i];
        batches.append(QFileInfo(b.path).completeBaseName());
        if (!b.report)
            continue;
        share.emplace_back(double(i) + 0.5, b.report->dataset.shareDrifted);
        driftShare = b.report->dataset.driftShare;
        for (const ColumnDrift &c : b.report->columns) {
            if (!c.result)
                continue;
            const bool p = isPValueTest(c.test);
            (p ? pvalues : distances)[c.name].emplace_back(double(i) + 0.5, c.result->score);
            (p ? thresholdsP : thresholdsD)
                .insert(c.test + u'@' + QString::number(c.threshold), c.threshold);
        }
    }
    if (batches.isEmpty())
        return {};
    QString out;
    QStringList columnNames = distances.keys() + pvalues.keys();
    columnNames.removeDuplicates();
    auto colourOf = [&](const QString &column) {
        return kPalette[columnNames.indexOf(column) % kPalette.size()];
    };
    auto panel = [&](const QMap<QString, std::vector<std::pair<double, double>>> &series,
                     const QMap<QString, double> &thresholds, bool log) {
        SvgPlot plot(width, 300, 64, 150, 30, 60);
        double high = 0;
        double low = 1;
        for (const auto &pts : series) {
            for (const auto &[x, y] : pts) {
                high = std::max(high, y);
                if (y > 0)
                    low = std::min(low, y);
            }
        }
        for (double t : thresholds)
            high = std::max(high, t);
        plot.setX(0, double(batches.size()));
        if (log)
            plot.setY(std::pow(10.0, std::floor(std::log10(std::max(low, 1e-12)))), 1.0, true);
        else
            plot.setY(0, high * 1.1);
        plot.axes(QString(), log ? u"p-value (log scale)"_s : u"drift score"_s, false);
        plot.xLabels(batches);
        for (auto it = series.cbegin(); it != series.cend(); ++it)
            plot.polyline(it.value(), colourOf(it.key()), false, it.key(), true);
        QSet<double> drawn;
        for (auto it = thresholds.cbegin(); it != thresholds.cend(); ++it) {
            if (drawn.contains(it.value()))
                continue;
            drawn.insert(it.value());
            plot.hline(it.value(), u"#444"_s, u"threshold %1"_s.arg(num(it.value())));
        }
        plot.title(log ? u"p-value tests: drift when below the threshold"_s
                       : u"Distance tests: drift when at or above the threshold"_s);
        QString svg = plot.svg();
        // Legend on the right: one entry per column.
        QString legend;
        int row = 0;
        for (auto it = series.cbegin(); it != series.cend() && row < 18; ++it, ++row) {
            legend += u"<rect x=\"%1\" y=\"%2\" width=\"10\" height=\"3\" fill=\"%3\"/><text "
                      u"x=\"%4\" y=\"%5\" "
                      "font-size=\"11\">%6</text>\n"_s.arg(width - 140)
                          .arg(36 + row * 14)
                          .arg(colourOf(it.key()))
                          .arg(width - 126)
                          .arg(40 + row * 14)
                          .arg(esc(it.key().left(18)));
        }
        svg.insert(svg.lastIndexOf(u"</svg>"_s), legend);
        return svg;
    };
    if (!distances.isEmpty())
        out += panel(distances, thresholdsD, false);
    if (!pvalues.isEmpty())
        out += panel(pvalues, thresholdsP, true);
    SvgPlot shares(width, 220, 64, 150, 30, 60);
    shares.setX(0, double(batches.size()));
    shares.setY(0, 1);
    shares.axes(QString(), u"share of columns"_s, false);
    shares.xLabels(batches);
    for (const auto &[x, y] : share)
        shares.rect(x - 0.3, x + 0.3, 0, y, y >= driftShare ? kDriftColour : kOkColour, 0.85,
                    u"%1 of the columns drifted"_s.arg(percent(y)));
    shares.hline(driftShare, u"#444"_s, u"dataset drift at %1"_s.arg(percent(driftShare)));
    shares.title(u"Share of drifted columns per batch"_s);
    out += shares.svg();
    return out;
}

QString driftReportHtml(const HtmlReportInput &in)
{
    QString html;
    html += u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
            u"charset=\"utf-8\">\n<title>%1</title>\n<style>%2</style>"
            "</head><body>\n"_s.arg(esc(in.title), QString::fromUtf8(kStyle));
    html += u"<h1>%1</h1>\n"_s.arg(esc(in.title));
    QStringList settings;
    settings.append(in.options.test.isEmpty() ? u"tests: Evidently's default per column"_s
                                              : u"test: %1"_s.arg(in.options.test));
    if (in.options.threshold)
        settings.append(u"threshold: %1"_s.arg(num(*in.options.threshold)));
    settings.append(
        u"dataset drift when ≥ %1 of the columns drift"_s.arg(percent(in.options.driftShare)));
    settings.append(u"binning: %1"_s.arg(binningName(in.options.binning)));
    html += u"<p class=\"meta\">Written by Cairn %1 on %2. %3.</p>\n"_s.arg(
        cairnVersion(), QDateTime::currentDateTime().toString(Qt::ISODate),
        esc(settings.join(u"; "_s)));

    if (in.history && !in.history->batches.isEmpty()) {
        html += u"<h2>Drift over time</h2>\n<p class=\"meta\">Each batch against %1.</p>\n"_s.arg(
            esc(QFileInfo(in.history->referenceFile).fileName()));
        html += historySvg(*in.history);
    }
    if (const DriftReport *r = in.report) {
        const DatasetDrift &d = r->dataset;
        html += u"<h2>%1 against %2</h2>\n"_s.arg(esc(r->current), esc(r->reference));
        html += u"<p><span class=\"verdict\" style=\"background:%1\">%2</span> %3 of %4 tested "
                u"columns drifted (%5; "
                "the dataset drifts at %6).</p>\n"_s
                    .arg(d.drifted ? kDriftColour : kOkColour,
                         d.drifted ? u"Dataset drift"_s : u"No dataset drift"_s)
                    .arg(d.driftedColumns)
                    .arg(d.columns)
                    .arg(percent(d.shareDrifted), percent(d.driftShare));
        if (!r->onlyInReference.isEmpty() || !r->onlyInCurrent.isEmpty())
            html += u"<p>Not compared (in one table only): %1.</p>\n"_s.arg(
                esc((r->onlyInReference + r->onlyInCurrent).join(u", "_s)));
        if (d.missingDriftedColumns > 0)
            html += u"<p>%1 column(s) changed their share of missing values.</p>\n"_s.arg(
                d.missingDriftedColumns);
        html += u"<table><tr><th>Column</th><th>Type</th><th>Test</th><th>Score</th><th>p-value</"
                u"th><th>Threshold</th>"
                "<th>Drift</th><th>Missing ref → cur</th><th>Rows ref / cur</th></tr>\n"_s;
        QList<const ColumnDrift *> order;
        for (const ColumnDrift &c : r->columns)
            order.append(&c);
        for (const ColumnDrift *c : order) {
            const bool tested = c->result.has_value();
            QString verdict =
                tested ? (c->drifted() ? u"<td class=\"drift\">drift</td>"_s
                                       : u"<td class=\"ok\">no</td>"_s)
                       : u"<td>%1</td>"_s.arg(esc(c->error.isEmpty() ? c->skipped : c->error));
            QString missing =
                u"%1 → %2"_s.arg(percent(c->missingShareRef), percent(c->missingShareCur));
            if (c->missingDrifted)
                missing = u"<b>%1</b> (changed)"_s.arg(missing);
            html += u"<tr%1><td>%2</td><td>%3</td><td>%4</td><td class=\"n\">%5</td><td "
                    u"class=\"n\">%6</td>"
                    "<td class=\"n\">%7</td>%8<td>%9</td><td class=\"n\">%10 / %11</td></tr>\n"_s
                        .arg(tested ? QString() : u" class=\"muted\""_s, esc(c->name),
                             kindName(c->kind), esc(c->test),
                             tested ? num(c->result->score) : QString(),
                             tested && c->result->pValue ? num(*c->result->pValue) : QString(),
                             c->test.isEmpty() ? QString() : num(c->threshold), verdict, missing)
                        .arg(c->nRef)
                        .arg(c->nCur);
        }
        html += u"</table>\n"_s;

        // Distributions, drifted columns first; wide tables are capped to keep the file usable.
        std::stable_sort(order.begin(), order.end(),
                         [](const ColumnDrift *a, const ColumnDrift *b) {
                             return a->drifted() && !b->drifted();
                         });
        constexpr int kMaxCharts = 200;
        int charts = 0;
        html += u"<h2>Distributions</h2>\n"_s;
        for (const ColumnDrift *c : order) {
            const QString dist = distributionSvg(*c);
            if (dist.isEmpty())
                continue;
            if (++charts > kMaxCharts) {
                html +=
                    u"<p class=\"note\">Charts of the remaining columns are left out (more than %1).</p>\n"_s
                        .arg(kMaxCharts);
                break;
            }
            html += u"<div class=\"column\"><h3>%1</h3>\n%2%3</div>\n"_s.arg(esc(c->name), dist,
                                                                             ecdfSvg(*c));
        }
    }
    html += u"</body></html>\n"_s;
    return html;
}

Result<void> writeDriftReportHtml(const QString &path, const HtmlReportInput &input)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error(u"cannot write the report: %1"_s.arg(file.errorString()), path)
                        .withHint(u"Choose a folder you can write to."_s));
    file.write(driftReportHtml(input).toUtf8());
    if (!file.commit())
        return fail(Error(u"cannot write the report: %1"_s.arg(file.errorString()), path)
                        .withHint(u"Check the free space and the folder's permissions."_s));
    return ok();
}

} // namespace cairn::drift
