#include "versiontimeline.h"

#include <QDateTime>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
constexpr int kMargin = 24;
constexpr int kRadius = 9;
} // namespace

QString runLabel(const VersionRun &run)
{
    QString label = u"#"_s + QString::number(run.id);
    if (!run.entryPoint.isEmpty())
        label += u' ' + run.entryPoint;
    if (!run.name.isEmpty())
        label += u" “"_s + run.name + u"”"_s;
    return label;
}

QString runsLabel(const QList<VersionRun> &runs, int max)
{
    QStringList parts;
    for (qsizetype i = 0; i < runs.size() && i < max; ++i)
        parts.append(runLabel(runs[i]));
    QString text = parts.join(u", "_s);
    if (runs.size() > max)
        text += VersionTimeline::tr(" and %1 more").arg(runs.size() - max);
    return text;
}

VersionTimeline::VersionTimeline(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"versionTimeline"_s);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void VersionTimeline::setVersions(const QList<DataVersion> &versions)
{
    m_versions = versions;
    m_selected = versions.isEmpty() ? -1 : int(versions.size()) - 1;
    updateGeometry();
    update();
}

void VersionTimeline::setSelected(int index)
{
    if (index == m_selected)
        return;
    m_selected = index;
    update();
}

int VersionTimeline::slotWidth() const
{
    return fontMetrics().horizontalAdvance(u"used by #000 validate, #000"_s);
}

QSize VersionTimeline::sizeHint() const
{
    const int lines = 6;
    return {2 * kMargin + slotWidth() * int(std::max<qsizetype>(1, m_versions.size())),
            lines * fontMetrics().height() + 2 * kRadius + 16};
}

QSize VersionTimeline::minimumSizeHint() const
{
    return sizeHint();
}

QPointF VersionTimeline::nodeCenter(int index) const
{
    const int n = int(m_versions.size());
    const double usable = width() - 2.0 * kMargin;
    const double step = n > 1 ? usable / n : usable;
    const double x = kMargin + step * (index + 0.5);
    const double y = 2.5 * fontMetrics().height() + kRadius;
    return {x, y};
}

int VersionTimeline::versionAt(QPoint pos) const
{
    for (int i = 0; i < m_versions.size(); ++i) {
        const QPointF c = nodeCenter(i);
        const QRectF slot(c.x() - slotWidth() / 2.0, 0, slotWidth(), height());
        if (slot.contains(pos))
            return i;
    }
    return -1;
}

void VersionTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    QColor faint = text;
    faint.setAlphaF(0.6);
    const QColor accent = pal.color(QPalette::Highlight);
    const QFontMetrics fm = fontMetrics();
    if (m_versions.isEmpty()) {
        p.setPen(faint);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("No versions recorded yet: run an entry point that "
                      "reads or writes this file."));
        return;
    }
    const double y = nodeCenter(0).y();
    p.setPen(QPen(faint, 2));
    p.drawLine(QPointF(nodeCenter(0).x(), y),
               QPointF(nodeCenter(int(m_versions.size()) - 1).x(), y));
    const int half = slotWidth() / 2 - 4;
    for (int i = 0; i < m_versions.size(); ++i) {
        const DataVersion &v = m_versions[i];
        const QPointF c = nodeCenter(i);
        // Above: label and date.
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(text);
        const QString label =
            u"v"_s + QString::number(i + 1) + (v.current ? tr(" · now") : QString());
        p.drawText(QRectF(c.x() - half, c.y() - kRadius - 2.3 * fm.height(), 2 * half, fm.height()),
                   Qt::AlignHCenter, label);
        p.setFont(font());
        p.setPen(faint);
        p.drawText(QRectF(c.x() - half, c.y() - kRadius - 1.3 * fm.height(), 2 * half, fm.height()),
                   Qt::AlignHCenter,
                   QDateTime::fromMSecsSinceEpoch(v.firstSeenMs).toString(u"yyyy-MM-dd HH:mm"_s));
        // The node.
        if (i == m_selected) {
            p.setPen(QPen(accent, 2));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, kRadius + 4, kRadius + 4);
        }
        p.setPen(QPen(v.current ? accent : text, 2));
        p.setBrush(v.current ? QBrush(accent) : pal.brush(QPalette::Base));
        p.drawEllipse(c, kRadius, kRadius);
        // Below: lineage.
        QStringList lines;
        lines << QLocale().formattedDataSize(v.size) + u"  "_s +
                     v.hash.mid(v.hash.indexOf(u':') + 1).left(8);
        lines << (v.producedBy     ? tr("made by %1").arg(runLabel(*v.producedBy))
                  : v.registeredMs ? tr("recorded by hand")
                                   : tr("made outside Cairn"));
        if (!v.usedBy.isEmpty())
            lines << tr("used by %1").arg(runsLabel(v.usedBy, 2));
        double ty = c.y() + kRadius + 6;
        for (int l = 0; l < lines.size(); ++l) {
            p.setPen(l == 1 && v.producedBy ? text : faint);
            p.drawText(QRectF(c.x() - half, ty, 2 * half, fm.height()), Qt::AlignHCenter,
                       fm.elidedText(lines[l], Qt::ElideRight, 2 * half));
            ty += fm.height();
        }
    }
}

void VersionTimeline::mousePressEvent(QMouseEvent *event)
{
    const int i = versionAt(event->position().toPoint());
    if (i >= 0) {
        setSelected(i);
        emit versionClicked(i);
    }
}

} // namespace cairn::ui
