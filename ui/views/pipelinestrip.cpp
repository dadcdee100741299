#include "pipelinestrip.h"

#include "theme.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
constexpr int kArrow = 22; // room between chips for the arrow
constexpr int kMargin = 6;

Verdict verdictOf(pipeline::StepStatus s)
{
    switch (s) {
    case pipeline::StepStatus::Pending:
        return Verdict::Pending;
    case pipeline::StepStatus::Running:
        return Verdict::Running;
    case pipeline::StepStatus::Finished:
        return Verdict::Pass;
    case pipeline::StepStatus::Failed:
        return Verdict::Fail;
    case pipeline::StepStatus::Cancelled:
    case pipeline::StepStatus::Skipped:
        return Verdict::Skipped;
    }
    return Verdict::Pending;
}
} // namespace

PipelineStrip::PipelineStrip(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"pipelineStrip"_s);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void PipelineStrip::setSteps(const QList<pipeline::StepRecord> &steps)
{
    m_steps = steps;
    updateGeometry();
    update();
}

QSize PipelineStrip::sizeHint() const
{
    const QFontMetrics fm(font());
    return {std::max<int>(200, int(m_steps.size()) * 150), fm.height() * 2 + 28};
}

QSize PipelineStrip::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    return {120, fm.height() * 2 + 28};
}

QList<QRect> PipelineStrip::chipRects() const
{
    QList<QRect> out;
    const int n = int(m_steps.size());
    if (n == 0)
        return out;
    const int avail = width() - 2 * kMargin - (n - 1) * kArrow;
    const int w = std::clamp(avail / n, 60, 220);
    const int h = height() - 2 * kMargin;
    int x = kMargin;
    for (int i = 0; i < n; ++i) {
        out.append(QRect(x, kMargin, w, h));
        x += w + kArrow;
    }
    return out;
}

int PipelineStrip::stepAt(const QPoint &pos) const
{
    const QList<QRect> rects = chipRects();
    for (int i = 0; i < rects.size(); ++i) {
        if (rects.at(i).contains(pos))
            return i;
    }
    return -1;
}

void PipelineStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QList<QRect> rects = chipRects();
    const QPalette pal = palette();
    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.88);
    if (m_steps.isEmpty()) {
        p.setPen(pal.color(QPalette::Disabled, QPalette::Text));
        p.drawText(rect(), Qt::AlignCenter, tr("No pipeline run selected"));
        return;
    }
    for (int i = 0; i < rects.size(); ++i) {
        const pipeline::StepRecord &s = m_steps.at(i);
        const QRect r = rects.at(i);
        const QColor c = verdictColor(verdictOf(s.status));
        const bool strong =
            s.status != pipeline::StepStatus::Pending && s.status != pipeline::StepStatus::Skipped;
        QColor fill = c;
        fill.setAlpha(strong ? 48 : 24);
        QPainterPath path;
        path.addRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        p.fillPath(path, fill);
        p.setPen(QPen(c, strong ? 2.0 : 1.0,
                      s.status == pipeline::StepStatus::Skipped ? Qt::DashLine : Qt::SolidLine));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        // The step's number in a dot, then its name; its state and run under them.
        const int dot = QFontMetrics(bold).height();
        const QRect dotRect(r.left() + 8, r.top() + 6, dot, dot);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawEllipse(dotRect);
        p.setPen(Qt::white);
        p.setFont(small);
        p.drawText(dotRect, Qt::AlignCenter, QString::number(i + 1));
        p.setFont(bold);
        p.setPen(pal.color(QPalette::Text));
        const QRect nameRect(dotRect.right() + 6, r.top() + 6, r.right() - dotRect.right() - 12,
                             dot);
        p.drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetrics(bold).elidedText(s.name, Qt::ElideRight, nameRect.width()));
        p.setFont(small);
        p.setPen(strong ? c.darker(isDarkPalette() ? 80 : 115)
                        : pal.color(QPalette::Disabled, QPalette::Text));
        QString state = pipeline::stepStatusName(s.status);
        if (s.runId)
            state = tr("run #%1 · %2").arg(*s.runId).arg(state);
        const QRect stateRect(r.left() + 8, nameRect.bottom() + 4, r.width() - 16,
                              r.bottom() - nameRect.bottom() - 6);
        p.drawText(stateRect, Qt::AlignLeft | Qt::AlignTop,
                   QFontMetrics(small).elidedText(state, Qt::ElideRight, stateRect.width()));
        if (i + 1 < rects.size()) {
            const int y = r.center().y();
            const int x0 = r.right() + 4;
            const int x1 = rects.at(i + 1).left() - 4;
            p.setPen(QPen(pal.color(QPalette::Mid), 1.5));
            p.drawLine(x0, y, x1, y);
            p.drawLine(x1 - 5, y - 4, x1, y);
            p.drawLine(x1 - 5, y + 4, x1, y);
        }
    }
}

void PipelineStrip::mousePressEvent(QMouseEvent *event)
{
    const int i = stepAt(event->position().toPoint());
    if (i >= 0 && m_steps.at(i).runId)
        emit stepClicked(i, *m_steps.at(i).runId);
}

bool PipelineStrip::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int i = stepAt(help->pos());
        if (i < 0) {
            QToolTip::hideText();
            return true;
        }
        const pipeline::StepRecord &s = m_steps.at(i);
        QString tip =
            u"<b>%1. %2</b> (%3)<br>%4"_s.arg(QString::number(i + 1), s.name.toHtmlEscaped(),
                                              s.kind, pipeline::stepStatusName(s.status));
        if (!s.message.isEmpty())
            tip += u"<br>"_s + s.message.toHtmlEscaped();
        if (s.runId)
            tip += tr("<br><i>Click to open run #%1</i>").arg(*s.runId);
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace cairn::ui
