// LogBuffer: what a terminal would show for a run's output, with bounded memory.

#include "runs/logbuffer.h"
#include "testsupport.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

QString colorName(const LogColor &c)
{
    switch (c.kind) {
    case LogColor::Kind::Default:
        return {};
    case LogColor::Kind::Palette:
        return QStringLiteral("p%1").arg(c.index);
    case LogColor::Kind::Rgb:
        return QStringLiteral("#%1").arg(c.rgb, 6, 16, QLatin1Char('0'));
    }
    return {};
}

// "0+3 fg=p1 bg=#0a141e BU | 5+2 I": start+length, colours and attribute letters per span.
QString describe(const LogLine &line)
{
    QStringList parts;
    for (const LogSpan &s : line.spans) {
        QString d = QStringLiteral("%1+%2").arg(s.start).arg(s.length);
        if (!s.style.fg.isDefault())
            d += " fg=" + colorName(s.style.fg);
        if (!s.style.bg.isDefault())
            d += " bg=" + colorName(s.style.bg);
        QString flags;
        if (s.style.has(LogStyle::Bold))
            flags += 'B';
        if (s.style.has(LogStyle::Dim))
            flags += 'D';
        if (s.style.has(LogStyle::Italic))
            flags += 'I';
        if (s.style.has(LogStyle::Underline))
            flags += 'U';
        if (s.style.has(LogStyle::Inverse))
            flags += 'R';
        if (!flags.isEmpty())
            d += ' ' + flags;
        parts << d;
    }
    return parts.join(" | ");
}

// Every line's text and spans, for comparing two buffers.
QStringList dump(const LogBuffer &b)
{
    QStringList out;
    for (int i = 0; i < b.lineCount(); ++i)
        out << b.line(i).text + " {" + describe(b.line(i)) + '}';
    return out;
}

LogBuffer parsed(const QByteArray &bytes)
{
    LogBuffer b;
    b.append(bytes);
    return b;
}

LogBuffer parsedBytewise(const QByteArray &bytes)
{
    LogBuffer b;
    for (char c : bytes)
        b.append(QByteArrayView(&c, 1));
    return b;
}

const QString replacement(QChar(0xFFFD));

// A sample with colours, multi-byte characters, a redraw, an OSC title and a cursor-up.
const QByteArray mixedSample =
    "Epoch 1/3 \x1b[1;32mstarted\x1b[0m: caf\xc3\xa9 \xe2\x86\x92 "
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80\r\n"
    "\x1b]0;window title\x07loss\t0.25\x1b[38;2;255;0;0m up\x1b[m\n"
    "  0%|          | 0/2\r 50%|\xe2\x96\x88\xe2\x96\x88"
    "        | 1/2\r100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
    "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
    "\xe2\x96\x88\xe2\x96\x88| 2/2\n"
    "old status\nnext\n\x1b[2A\r\x1b[2Knew status\n\n\x1b[38:5:208morange";

} // namespace

class TestLogBuffer : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::failOnQtWarnings(); }

    void sgr_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("spans");

        QTest::newRow("plain") << QByteArray("abc") << "abc"
                               << "";
        QTest::newRow("red") << QByteArray("\x1b[31mred\x1b[0m plain") << "red plain"
                             << "0+3 fg=p1";
        QTest::newRow("each palette fg") << QByteArray("\x1b[30ma\x1b[37mb\x1b[39mc") << "abc"
                                         << "0+1 fg=p0 | 1+1 fg=p7";
        QTest::newRow("bright fg") << QByteArray("\x1b[90ma\x1b[97mb") << "ab"
                                   << "0+1 fg=p8 | 1+1 fg=p15";
        QTest::newRow("bg") << QByteArray("\x1b[40ma\x1b[47mb\x1b[49mc") << "abc"
                            << "0+1 bg=p0 | 1+1 bg=p7";
        QTest::newRow("bright bg") << QByteArray("\x1b[100ma\x1b[107mb") << "ab"
                                   << "0+1 bg=p8 | 1+1 bg=p15";
        QTest::newRow("bold") << QByteArray("\x1b[1mb\x1b[22mn") << "bn"
                              << "0+1 B";
        QTest::newRow("dim") << QByteArray("\x1b[2md\x1b[22mn") << "dn"
                             << "0+1 D";
        QTest::newRow("22 clears bold and dim") << QByteArray("\x1b[1;2mx\x1b[22my") << "xy"
                                                << "0+1 BD";
        QTest::newRow("italic") << QByteArray("\x1b[3mi\x1b[23mn") << "in"
                                << "0+1 I";
        QTest::newRow("underline") << QByteArray("\x1b[4mu\x1b[24mn") << "un"
                                   << "0+1 U";
        QTest::newRow("underline 4:0 off") << QByteArray("\x1b[4mu\x1b[4:0mn") << "un"
                                           << "0+1 U";
        QTest::newRow("inverse") << QByteArray("\x1b[7mr\x1b[27mn") << "rn"
                                 << "0+1 R";
        QTest::newRow("combined") << QByteArray("\x1b[1;4;31;47mx") << "x"
                                  << "0+1 fg=p1 bg=p7 BU";
        QTest::newRow("39 keeps bg") << QByteArray("\x1b[31;44mx\x1b[39my") << "xy"
                                     << "0+1 fg=p1 bg=p4 | 1+1 bg=p4";
        QTest::newRow("49 keeps fg") << QByteArray("\x1b[31;44mx\x1b[49my") << "xy"
                                     << "0+1 fg=p1 bg=p4 | 1+1 fg=p1";
        QTest::newRow("empty parameters reset") << QByteArray("\x1b[1;31mx\x1b[my") << "xy"
                                                << "0+1 fg=p1 B";
        QTest::newRow("reset then colour") << QByteArray("\x1b[1mx\x1b[0;32my") << "xy"
                                           << "0+1 B | 1+1 fg=p2";
        QTest::newRow("256 low index") << QByteArray("\x1b[38;5;9mx") << "x"
                                       << "0+1 fg=p9";
        QTest::newRow("256 cube") << QByteArray("\x1b[38;5;196mx") << "x"
                                  << "0+1 fg=#ff0000";
        QTest::newRow("256 cube mixed") << QByteArray("\x1b[38;5;208mx") << "x"
                                        << "0+1 fg=#ff8700";
        QTest::newRow("256 grey bg") << QByteArray("\x1b[48;5;244mx") << "x"
                                     << "0+1 bg=#808080";
        QTest::newRow("truecolour fg") << QByteArray("\x1b[38;2;10;20;30mx") << "x"
                                       << "0+1 fg=#0a141e";
        QTest::newRow("truecolour bg") << QByteArray("\x1b[48;2;255;128;0mx") << "x"
                                       << "0+1 bg=#ff8000";
        QTest::newRow("truecolour then bold") << QByteArray("\x1b[38;2;1;2;3;1mx") << "x"
                                              << "0+1 fg=#010203 B";
        QTest::newRow("colon truecolour with colour space")
            << QByteArray("\x1b[38:2::1:2:3mx") << "x"
            << "0+1 fg=#010203";
        QTest::newRow("colon truecolour") << QByteArray("\x1b[48:2:1:2:3mx") << "x"
                                          << "0+1 bg=#010203";
        QTest::newRow("colon 256") << QByteArray("\x1b[38:5:208mx") << "x"
                                   << "0+1 fg=#ff8700";
        QTest::newRow("same style merges") << QByteArray("\x1b[31mab\x1b[31mcd") << "abcd"
                                           << "0+4 fg=p1";
        QTest::newRow("RIS resets") << QByteArray("\x1b[31m\x1b"
                                                  "cx")
                                    << "x"
                                    << "";
        QTest::newRow("private mode dropped") << QByteArray("\x1b[?25lab\x1b[?25h") << "ab"
                                              << "";
        QTest::newRow("unknown CSI dropped") << QByteArray("\x1b[2J\x1b[1;1Hab") << "ab"
                                             << "";
        QTest::newRow("OSC title dropped") << QByteArray("\x1b]0;title\x07"
                                                         "ab")
                                           << "ab"
                                           << "";
        QTest::newRow("OSC hyperlink dropped")
            << QByteArray("\x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\") << "link"
            << "";
        QTest::newRow("charset selection dropped") << QByteArray("\x1b(Bab") << "ab"
                                                   << "";
        QTest::newRow("DCS dropped") << QByteArray("a\x1bPq#0;2;0;0;0\x1b\\b") << "ab"
                                     << "";
    }

    void sgr()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, text);
        QFETCH(QString, spans);
        const LogBuffer b = parsed(input);
        QCOMPARE(b.lineCount(), 1);
        QCOMPARE(b.line(0).text, text);
        QCOMPARE(describe(b.line(0)), spans);
        // The same bytes one at a time give the same line.
        QCOMPARE(dump(parsedBytewise(input)), dump(b));
    }

    void controls_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("lines");

        QTest::newRow("empty") << QByteArray() << "" << 0;
        QTest::newRow("one line, no newline") << QByteArray("a") << "a" << 1;
        QTest::newRow("newline ends a line") << QByteArray("a\n") << "a" << 1;
        QTest::newRow("empty line between") << QByteArray("a\n\nb") << "a\n\nb" << 3;
        QTest::newRow("two newlines") << QByteArray("a\n\n") << "a\n" << 2;
        QTest::newRow("carriage return redraw") << QByteArray("50%\r100%\n") << "100%" << 1;
        QTest::newRow("crlf") << QByteArray("a\r\nb\r\n") << "a\nb" << 2;
        QTest::newRow("shorter redraw keeps the rest") << QByteArray("abcdef\rXY") << "XYcdef" << 1;
        QTest::newRow("cr at end then newline") << QByteArray("done\r\n") << "done" << 1;
        QTest::newRow("backspace") << QByteArray("abc\bX") << "abX" << 1;
        QTest::newRow("backspace at start") << QByteArray("\b\bX") << "X" << 1;
        QTest::newRow("tab") << QByteArray("a\tb") << "a       b" << 1;
        QTest::newRow("tab at a stop") << QByteArray("12345678\tx") << "12345678        x" << 1;
        QTest::newRow("leading tab") << QByteArray("\tx") << "        x" << 1;
        QTest::newRow("tab over text moves only")
            << QByteArray("abcdefghij\r\tX") << "abcdefghXj" << 1;
        QTest::newRow("erase to end") << QByteArray("abcdef\r\x1b[Kxy") << "xy" << 1;
        QTest::newRow("erase to end, 0K") << QByteArray("abcdef\x1b[3D\x1b[0K") << "abc" << 1;
        QTest::newRow("erase to start") << QByteArray("abcdef\x1b[3D\x1b[1K") << "    ef" << 1;
        QTest::newRow("erase line keeps column")
            << QByteArray("abcdef\x1b[2Kxy") << "      xy" << 1;
        QTest::newRow("rich-style redraw") << QByteArray("old\r\x1b[2Knew\n") << "new" << 1;
        QTest::newRow("cursor up overwrites")
            << QByteArray("line1\nline2\n\x1b[2Aover") << "over1\nline2" << 2;
        QTest::newRow("cursor up default 1") << QByteArray("aaa\nbbb\x1b[A\rX") << "Xaa\nbbb" << 2;
        QTest::newRow("cursor up stops at the top") << QByteArray("a\x1b[5Ab") << "ab" << 1;
        QTest::newRow("cursor down stops at the bottom")
            << QByteArray("a\nb\x1b[A\x1b[9B\rX") << "a\nX" << 2;
        QTest::newRow("previous line") << QByteArray("ab\ncd\x1b[FX") << "Xb\ncd" << 2;
        QTest::newRow("cursor forward pads") << QByteArray("a\x1b[3Cb") << "a   b" << 1;
        QTest::newRow("cursor back") << QByteArray("abc\x1b[2DX") << "aXc" << 1;
        QTest::newRow("column absolute") << QByteArray("abcdef\x1b[3GX") << "abXdef" << 1;
        QTest::newRow("bell and others dropped") << QByteArray("a\x07\x01\x7f"
                                                               "b")
                                                 << "ab" << 1;
        QTest::newRow("escape then newline") << QByteArray("a\x1b\nb") << "a\nb" << 2;
        QTest::newRow("csi cut by newline") << QByteArray("\x1b[31\nx") << "\nx" << 2;
        QTest::newRow("unterminated OSC ends at newline")
            << QByteArray("\x1b]0;title\nvisible") << "\nvisible" << 2;
        QTest::newRow("vertical tab and form feed") << QByteArray("a\vb\fc") << "a\nb\nc" << 3;
    }

    void controls()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, text);
        QFETCH(int, lines);
        const LogBuffer b = parsed(input);
        QCOMPARE(b.text(), text);
        QCOMPARE(b.lineCount(), lines);
        QCOMPARE(b.text(), parsedBytewise(input).text());
    }

    void overwriteKeepsStylesOfTheRest()
    {
        // "\r" then a shorter coloured text: the overwritten part takes the new style, the rest
        // keeps its own.
        const LogBuffer b = parsed("\x1b[32mgreen text\x1b[0m\r\x1b[31mRED");
        QCOMPARE(b.line(0).text, QStringLiteral("REDen text"));
        QCOMPARE(describe(b.line(0)), QStringLiteral("0+3 fg=p1 | 3+7 fg=p2"));

        // Plain text over the middle of a span splits it.
        const LogBuffer c = parsed("\x1b[44mabcdef\x1b[0m\x1b[4GX");
        QCOMPARE(c.line(0).text, QStringLiteral("abcXef"));
        QCOMPARE(describe(c.line(0)), QStringLiteral("0+3 bg=p4 | 4+2 bg=p4"));

        // The same style written next to a span joins it.
        const LogBuffer e = parsed("\x1b[31mabc\x1b[0mdef\x1b[32mghi\x1b[4G\x1b[31mD");
        QCOMPARE(e.line(0).text, QStringLiteral("abcDefghi"));
        QCOMPARE(describe(e.line(0)), QStringLiteral("0+4 fg=p1 | 6+3 fg=p2"));

        // Erasing to the end trims the span crossing the cursor.
        const LogBuffer d = parsed("\x1b[31mabcdef\x1b[3D\x1b[K");
        QCOMPARE(describe(d.line(0)), QStringLiteral("0+3 fg=p1"));
    }

    void tqdmSingleBar()
    {
        LogBuffer b;
        b.append("Training\n");
        for (int i = 0; i <= 10; ++i) {
            const QByteArray bar = QByteArray::number(i * 10).rightJustified(3) + "%|" +
                                   QByteArray("\xe2\x96\x88").repeated(i) +
                                   QByteArray(10 - i, ' ') + "| " + QByteArray::number(i) + "/10";
            b.append(QByteArray("\r" + bar));
            QCOMPARE(b.lineCount(), 2); // redrawn in place, never a new line
        }
        b.append("\ndone\n");
        QCOMPARE(b.text(), QString::fromUtf8("Training\n100%|██████████| 10/10\ndone"));
    }

    void tqdmNestedBars()
    {
        // tqdm's nested bars: the inner bar goes one line down ("\n") and comes back with ESC[A.
        LogBuffer b;
        b.append("start\n");
        for (int outer = 1; outer <= 3; ++outer) {
            b.append(QByteArray("\router " + QByteArray::number(outer) + "/3"));
            for (int inner = 1; inner <= 4; ++inner)
                b.append(QByteArray("\n\rinner " + QByteArray::number(inner) + "/4\x1b[A"));
        }
        QCOMPARE(b.text(), QStringLiteral("start\nouter 3/3\ninner 4/4"));
        QCOMPARE(b.lineCount(), 3);
        // Closing the bars: the next output goes below them.
        b.append("\n\n");
        b.append("finished\n");
        QCOMPARE(b.text(), QStringLiteral("start\nouter 3/3\ninner 4/4\nfinished"));
    }

    void utf8SplitAnywhere()
    {
        const LogBuffer whole = parsed(mixedSample);
        QCOMPARE(dump(parsedBytewise(mixedSample)), dump(whole));
        // Random chunk sizes, reproducibly.
        QRandomGenerator rng(42);
        for (int round = 0; round < 50; ++round) {
            LogBuffer b;
            qsizetype pos = 0;
            while (pos < mixedSample.size()) {
                const qsizetype n = rng.bounded(1, 12);
                b.append(
                    QByteArrayView(mixedSample).sliced(pos, std::min(n, mixedSample.size() - pos)));
                pos += n;
            }
            QCOMPARE(dump(b), dump(whole));
        }
    }

    void escapeSplitAcrossChunks()
    {
        const QByteArray input = "a\x1b[38;2;255;0;0mred\x1b[0m\x1b]0;t\x1b\\b";
        const LogBuffer whole = parsed(input);
        QCOMPARE(whole.line(0).text, QStringLiteral("aredb"));
        QCOMPARE(describe(whole.line(0)), QStringLiteral("1+3 fg=#ff0000"));
        for (qsizetype cut = 1; cut < input.size(); ++cut) {
            LogBuffer b;
            b.append(QByteArrayView(input).first(cut));
            b.append(QByteArrayView(input).sliced(cut));
            QCOMPARE(dump(b), dump(whole));
        }
    }

    void invalidUtf8_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("text");
        const QString r = replacement;
        QTest::newRow("lone 0xff") << QByteArray("a\xff"
                                                 "b")
                                   << "a" + r + "b";
        QTest::newRow("stray continuation") << QByteArray("a\x80"
                                                          "b")
                                            << "a" + r + "b";
        QTest::newRow("truncated sequence") << QByteArray("\xe2\x82x") << r + "x";
        QTest::newRow("truncated before escape") << QByteArray("\xe2\x82\x1b[31mx") << r + "x";
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << r + r;
        QTest::newRow("overlong 3-byte") << QByteArray("\xe0\x80\xaf") << r + r + r;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << r + r + r;
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << r + r + r + r;
        QTest::newRow("valid 4-byte") << QByteArray("\xf0\x9f\x98\x80") << QString::fromUtf8("😀");
        QTest::newRow("C1 control dropped") << QByteArray("a\xc2\x9b"
                                                          "b")
                                            << "ab";
        QTest::newRow("latin-1 is not utf-8") << QByteArray("caf\xe9!") << "caf" + r + "!";
    }

    void invalidUtf8()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, text);
        QCOMPARE(parsed(input).text(), text);
        QCOMPARE(parsedBytewise(input).text(), text);
    }

    void plainTextOfMixedSample()
    {
        const LogBuffer b = parsed(mixedSample);
        QCOMPARE(b.text(), QString::fromUtf8("Epoch 1/3 started: café → 日本語 😀\n"
                                             "loss    0.25 up\n"
                                             "100%|██████████| 2/2\n"
                                             "new status\n"
                                             "next\n"
                                             "orange"));
        QCOMPARE(b.text(1, 1), QStringLiteral("loss    0.25 up"));
        QCOMPARE(describe(b.line(0)), QStringLiteral("10+7 fg=p2 B"));
        QCOMPARE(describe(b.line(1)), QStringLiteral("12+3 fg=#ff0000"));
        QCOMPARE(describe(b.line(5)), QStringLiteral("0+6 fg=#ff8700"));
    }

    void boundedMemory()
    {
        LogBuffer b(1000);
        QByteArray chunk;
        for (int i = 0; i < 300000; ++i) {
            chunk += "line " + QByteArray::number(i) + '\n';
            if (chunk.size() > 60000) {
                b.append(chunk);
                chunk.clear();
            }
        }
        b.append(chunk);
        QCOMPARE(b.lineCount(), 1000);
        QCOMPARE(b.firstLineNumber(), qint64(299000));
        QCOMPARE(b.totalLines(), qint64(300000));
        QCOMPARE(b.line(0).text, QStringLiteral("line 299000"));
        QCOMPARE(b.line(999).text, QStringLiteral("line 299999"));
        QCOMPARE(b.text(998, 5), QStringLiteral("line 299998\nline 299999"));

        // The cursor cannot climb into dropped lines.
        b.append("\x1b[5000A\rTOP");
        QCOMPARE(b.line(0).text, QStringLiteral("TOPe 299000"));
        QCOMPARE(b.cursorLine(), qint64(299000));
    }

    void endlessLineWraps()
    {
        LogBuffer b;
        b.append(QByteArray(LogBuffer::MaxLineLength + 100, 'x'));
        QCOMPARE(b.lineCount(), 2);
        QCOMPARE(int(b.line(0).text.size()), LogBuffer::MaxLineLength);
        QCOMPARE(int(b.line(1).text.size()), 100);
        QCOMPARE(b.maxLineLength(), LogBuffer::MaxLineLength);
    }

    void changeTracking()
    {
        LogBuffer b;
        QCOMPARE(b.takeFirstChangedLine(), qint64(-1));
        const qint64 r0 = b.revision();
        b.append("a\nb\nc\n");
        QVERIFY(b.revision() > r0);
        QCOMPARE(b.takeFirstChangedLine(), qint64(0));
        QCOMPARE(b.takeFirstChangedLine(), qint64(-1));

        // A redraw two lines up marks that line, not the last one.
        b.append("\x1b[2A\rB");
        QCOMPARE(b.takeFirstChangedLine(), qint64(1));
        QCOMPARE(b.text(), QStringLiteral("a\nB\nc"));

        // Dropped escape sequences change nothing.
        const qint64 r1 = b.revision();
        b.append("\x1b[?25l\x1b]0;x\x07");
        QCOMPARE(b.revision(), r1);
        QCOMPARE(b.takeFirstChangedLine(), qint64(-1));

        const qint64 r2 = b.revision();
        b.clear();
        QVERIFY(b.revision() > r2);
        QCOMPARE(b.lineCount(), 0);
        QCOMPARE(b.firstLineNumber(), qint64(0));
    }

    void startAtLine()
    {
        LogBuffer b(3);
        b.startAtLine(500);
        b.append("a\nb\nc\nd\n");
        QCOMPARE(b.firstLineNumber(), qint64(501));
        QCOMPARE(b.totalLines(), qint64(504));
        QCOMPARE(b.text(), QStringLiteral("b\nc\nd"));
        b.startAtLine(7); // not empty any more: ignored
        QCOMPARE(b.firstLineNumber(), qint64(501));
    }

    void readsTheTailOfALogFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("output.log");
        QByteArray log;
        for (int i = 0; i < 20000; ++i)
            log +=
                "row " + QByteArray::number(i) + (i % 100 == 0 ? " \x1b[31mred\x1b[0m" : "") + '\n';
        log += "last, unfinished";
        test::writeFile(path, log);

        // The tail starts at a complete line, numbered as in the file.
        auto tail = readLogTail(path, 5000, 1000);
        QVERIFY(tail);
        QCOMPARE(tail->end, qint64(log.size()));
        const LogBuffer &b = tail->buffer;
        const qint64 first = b.firstLineNumber();
        QVERIFY(first > 19000 && first < 20000);
        QVERIFY(b.line(0).text.startsWith("row " + QString::number(first)));
        QCOMPARE(b.line(b.lineCount() - 1).text, QStringLiteral("last, unfinished"));
        QCOMPARE(b.totalLines(), qint64(20001));

        // The whole file, bounded by maxLines: the same numbering.
        auto whole = readLogTail(path, log.size() * 2, 1000);
        QVERIFY(whole);
        QCOMPARE(whole->buffer.firstLineNumber(), qint64(19001));
        QCOMPARE(whole->buffer.text(), [&] {
            LogBuffer reference(1000);
            reference.append(log);
            return reference.text();
        }());
        QCOMPARE(describe(whole->buffer.line(99)), QStringLiteral("10+3 fg=p1")); // row 19100

        // Cancelling through progress, and a missing file (no output yet).
        int calls = 0;
        auto cancelled = readLogTail(path, 100, 1000, [&](qint64 done, qint64 total) {
            ++calls;
            return done < total / 2;
        });
        QVERIFY(!cancelled);
        QVERIFY(calls > 0);
        auto missing = readLogTail(dir.filePath("none.log"), 1000);
        QVERIFY(missing);
        QCOMPARE(missing->buffer.lineCount(), 0);
        QCOMPARE(missing->end, qint64(0));
    }

    void millionLinesSanity()
    {
        // Correctness at a million lines; the speed is measured by tests/bench/bench_logs, not
        // here (a timed bound fails on a loaded machine and proves nothing).
        QByteArray chunk;
        for (int i = 0; i < 10000; ++i)
            chunk += "step " + QByteArray::number(i) + " loss=0.1234\n";
        LogBuffer b;
        for (int i = 0; i < 100; ++i)
            b.append(chunk);
        QCOMPARE(b.totalLines(), qint64(1000000));
        QCOMPARE(b.lineCount(), 100000);
        QCOMPARE(b.line(99999).text, QStringLiteral("step 9999 loss=0.1234"));
    }
};

QTEST_GUILESS_MAIN(TestLogBuffer)
#include "tst_logbuffer.moc"
