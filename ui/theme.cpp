#include "theme.h"

#include <QApplication>
#include <QIcon>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QStyle>
#include <QStyleFactory>

namespace cairn::ui {

namespace {
QString g_systemStyle;
QPalette g_systemPalette;
bool g_captured = false;
} // namespace

void applyTheme(Theme theme)
{
    if (!g_captured) {
        g_systemStyle = QApplication::style()->name();
        g_systemPalette = QApplication::palette();
        g_captured = true;
    }
    switch (theme) {
    case Theme::System:
        QApplication::setStyle(QStyleFactory::create(g_systemStyle));
        QApplication::setPalette(g_systemPalette);
        break;
    case Theme::Light: {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    }
    case Theme::Dark: {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette p;
        const QColor window(45, 47, 52);
        const QColor base(32, 34, 38);
        const QColor text(225, 227, 230);
        const QColor highlight(64, 128, 210);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, Qt::red);
        p.setColor(QPalette::Link, highlight.lighter(130));
        p.setColor(QPalette::Highlight, highlight);
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(140, 142, 146));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 122, 126));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 122, 126));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 122, 126));
        QApplication::setPalette(p);
        break;
    }
    }
}

bool isDarkPalette()
{
    const QPalette p = QApplication::palette();
    return p.color(QPalette::WindowText).lightness() > p.color(QPalette::Window).lightness();
}

QColor diffColor(DiffColor kind)
{
    const bool dark = isDarkPalette();
    switch (kind) {
    case DiffColor::Added:
        return dark ? QColor(0x1e, 0x4d, 0x2b) : QColor(0xd7, 0xf5, 0xdd);
    case DiffColor::Removed:
        return dark ? QColor(0x5c, 0x24, 0x24) : QColor(0xfb, 0xdc, 0xdc);
    case DiffColor::Changed:
        return dark ? QColor(0x5c, 0x4a, 0x14) : QColor(0xff, 0xec, 0xb3);
    case DiffColor::Absent:
        return dark ? QColor(0x30, 0x30, 0x30) : QColor(0xee, 0xee, 0xee);
    }
    return {};
}

QColor verdictColor(Verdict verdict)
{
    const bool dark = isDarkPalette();
    switch (verdict) {
    case Verdict::Pass:
        return dark ? QColor(0x4c, 0xc2, 0x6a) : QColor(0x1f, 0x8a, 0x3b);
    case Verdict::Fail:
        return dark ? QColor(0xf0, 0x6a, 0x6a) : QColor(0xc6, 0x28, 0x28);
    case Verdict::Skipped:
        return dark ? QColor(0x8a, 0x8a, 0x8a) : QColor(0x9e, 0x9e, 0x9e);
    case Verdict::Running:
        return dark ? QColor(0x5a, 0xa9, 0xf0) : QColor(0x1a, 0x6f, 0xc4);
    case Verdict::Pending:
        return dark ? QColor(0x60, 0x60, 0x60) : QColor(0xc8, 0xc8, 0xc8);
    }
    return {};
}

QIcon verdictIcon(Verdict verdict)
{
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(verdictColor(verdict));
    p.drawEllipse(QRectF(2, 2, 10, 10));
    return QIcon(pm);
}

} // namespace cairn::ui
