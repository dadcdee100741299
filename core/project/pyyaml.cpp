#include "pyyaml.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

QString pythonFloatRepr(double value)
{
    if (std::isnan(value))
        return u"nan"_s;
    if (std::isinf(value))
        return value > 0 ? u"inf"_s : u"-inf"_s;
    if (value == 0)
        return std::signbit(value) ? u"-0.0"_s : u"0.0"_s;
    // Shortest round-trip digits, in the form d.ddde±X.
    const QString e = QString::number(value, 'e', QLocale::FloatingPointShortest);
    const qsizetype ePos = e.indexOf(u'e');
    QString mantissa = e.left(ePos);
    const int exponent = e.mid(ePos + 1).toInt();
    const bool negative = mantissa.startsWith(u'-');
    if (negative)
        mantissa.remove(0, 1);
    QString digits = mantissa;
    digits.remove(u'.');
    QString out;
    if (exponent < -4 || exponent >= 16) {
        out = digits.left(1);
        if (digits.size() > 1)
            out += u'.' + digits.mid(1);
        out += (exponent < 0 ? u"e-"_s : u"e+"_s) +
               QString::number(std::abs(exponent)).rightJustified(2, u'0');
    } else if (exponent < 0) {
        out = u"0."_s + QString(-exponent - 1, u'0') + digits;
    } else if (digits.size() <= exponent + 1) {
        out = digits + QString(exponent + 1 - digits.size(), u'0') + u".0"_s;
    } else {
        out = digits.left(exponent + 1) + u'.' + digits.mid(exponent + 1);
    }
    return negative ? u'-' + out : out;
}

std::optional<QString> pyyamlPlainScalarAsPythonStr(const QString &text)
{
    static const QRegularExpression nullRe(u"^(?:~|null|Null|NULL|)$"_s);
    static const QRegularExpression boolTrue(u"^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$"_s);
    static const QRegularExpression boolFalse(u"^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$"_s);
    static const QRegularExpression intRe(
        u"^([-+]?)(?:0b([01_]+)|0([0-7_]+)|(0|[1-9][0-9_]*)|0x([0-9a-fA-F_]+))$"_s);
    static const QRegularExpression floatRe(
        u"^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?)$"_s);
    static const QRegularExpression infRe(u"^([-+]?)\\.(?:inf|Inf|INF)$"_s);
    static const QRegularExpression nanRe(u"^\\.(?:nan|NaN|NAN)$"_s);

    if (nullRe.match(text).hasMatch())
        return std::nullopt;
    if (boolTrue.match(text).hasMatch())
        return u"True"_s;
    if (boolFalse.match(text).hasMatch())
        return u"False"_s;
    if (const auto m = intRe.match(text); m.hasMatch()) {
        const bool negative = m.captured(1) == u"-"_s;
        bool ok = false;
        qulonglong v = 0;
        if (m.hasCaptured(2))
            v = m.captured(2).remove(u'_').toULongLong(&ok, 2);
        else if (m.hasCaptured(3))
            v = m.captured(3).remove(u'_').toULongLong(&ok, 8);
        else if (m.hasCaptured(4))
            v = m.captured(4).remove(u'_').toULongLong(&ok, 10);
        else
            v = m.captured(5).remove(u'_').toULongLong(&ok, 16);
        if (ok)
            return (negative && v != 0 ? u"-"_s : QString()) + QString::number(v);
        return text; // beyond 64 bits: Python would print it in full, as written here
    }
    if (floatRe.match(text).hasMatch()) {
        QString t = text;
        t.remove(u'_');
        bool ok = false;
        const double v = t.toDouble(&ok);
        return ok ? pythonFloatRepr(v) : text;
    }
    if (const auto m = infRe.match(text); m.hasMatch())
        return m.captured(1) == u"-"_s ? u"-inf"_s : u"inf"_s;
    if (nanRe.match(text).hasMatch())
        return u"nan"_s;
    return text;
}

} // namespace cairn
