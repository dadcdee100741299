// AnsiLogView and LogPanes: the live log panes, driven like a user would.

#include "logpanes.h"
#include "logview.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

using namespace cairn;
using namespace cairn::ui;

namespace {

// "line N ...\n" for N in [from, to), with "marker" on the lines in `markers`.
QByteArray numberedLines(int from, int to, const QList<int> &markers = {})
{
    QByteArray out;
    for (int i = from; i < to; ++i) {
        out += "line " + QByteArray::number(i) + " step=" + QByteArray::number(i * 3) +
               (markers.contains(i) ? " marker" : "") + '\n';
    }
    return out;
}

// Appends lines [0, total) in chunks of `perChunk` lines, letting the event loop run between
// chunks the way it does between reads of a pipe.
void appendInChunks(AnsiLogView &view, int total, int perChunk, const QList<int> &markers = {})
{
    for (int i = 0; i < total; i += perChunk) {
        view.appendBytes(numberedLines(i, std::min(total, i + perChunk), markers));
        QCoreApplication::processEvents();
    }
}

// Waits until the view has caught up with its buffer (the repaint timer fired).
void settle()
{
    QTest::qWait(100);
}

void wheel(QWidget *target, int delta)
{
    const QPointF pos(target->width() / 2.0, target->height() / 2.0);
    QWheelEvent event(pos, target->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &event);
}

int countPixels(const QImage &image, const std::function<bool(QColor)> &predicate)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += predicate(image.pixelColor(x, y)) ? 1 : 0;
    return n;
}

bool isRed(QColor c)
{
    return c.red() > 150 && c.green() < 110 && c.blue() < 110;
}

QWidget *currentPage(LogPanes &panes)
{
    return panes.findChild<QTabWidget *>(QStringLiteral("logTabs"))->currentWidget();
}

} // namespace

class TestLogView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::failOnQtWarnings(); }

    void followsTheTailThroughHalfAMillionLines()
    {
        AnsiLogView view;
        view.resize(700, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.followTail());

        QScrollBar *bar = view.verticalScrollBar();
        for (int i = 0; i < 500000; i += 5000) {
            view.appendBytes(numberedLines(i, i + 5000));
            QCoreApplication::processEvents();
            QCOMPARE(bar->value(), bar->maximum()); // never left behind while following
        }
        settle();
        QCOMPARE(view.buffer().totalLines(), qint64(500000));
        QCOMPARE(view.buffer().lineCount(), 100000); // the default bound
        QVERIFY(bar->maximum() > 99000);
        QCOMPARE(bar->value(), bar->maximum());
        QVERIFY(view.followTail());
        // The newest line is on screen.
        const int page = view.viewport()->height() / QFontMetrics(view.font()).lineSpacing();
        QVERIFY(view.firstVisibleLine() + page >= 499999);
        QVERIFY(view.firstVisibleLine() < 499999);
        QCOMPARE(view.droppedLinesNote().remove(QRegularExpression("[^0-9]")),
                 QStringLiteral("400000"));
    }

    void repaintsAreCoalesced()
    {
        AnsiLogView view;
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        int paints = 0;
        struct Counter : QObject
        {
            int *count;
            explicit Counter(int *c)
                : count(c)
            {}
            bool eventFilter(QObject *, QEvent *e) override
            {
                if (e->type() == QEvent::Paint)
                    ++*count;
                return false;
            }
        } counter(&paints);
        view.viewport()->installEventFilter(&counter);

        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 2000; ++i) {
            view.appendBytes(numberedLines(i, i + 1));
            QCoreApplication::processEvents(); // would paint here if every chunk asked to
        }
        const qint64 elapsed = timer.elapsed();
        settle();
        QVERIFY(paints >= 1);
        QVERIFY2(paints <= elapsed / 30 + 3,
                 qPrintable(QStringLiteral("%1 paints in %2 ms").arg(paints).arg(elapsed)));
    }

    void scrollingUpStopsFollowing()
    {
        AnsiLogView view(nullptr, 1000);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        appendInChunks(view, 3000, 500);
        settle();
        QSignalSpy spy(&view, &AnsiLogView::followTailChanged);
        QScrollBar *bar = view.verticalScrollBar();
        QCOMPARE(bar->value(), bar->maximum());

        wheel(view.viewport(), 120 * 5); // scroll up
        QVERIFY(bar->value() < bar->maximum());
        QVERIFY(!view.followTail());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toBool(), false);

        // New output (dropping old lines) does not move what the user is reading.
        const qint64 top = view.firstVisibleLine();
        view.appendBytes(numberedLines(3000, 3300));
        settle();
        QCOMPARE(view.buffer().firstLineNumber(), qint64(2300));
        QCOMPARE(view.firstVisibleLine(), top);
        QVERIFY(bar->value() < bar->maximum());

        // Back at the bottom, following resumes.
        for (int i = 0; i < 100 && bar->value() < bar->maximum(); ++i)
            wheel(view.viewport(), -120 * 5);
        QCOMPARE(bar->value(), bar->maximum());
        QVERIFY(view.followTail());
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toBool(), true);

        // Turned off explicitly, it stays off as lines arrive.
        view.setFollowTail(false);
        view.appendBytes(numberedLines(3300, 3400));
        settle();
        QVERIFY(bar->value() < bar->maximum());
        QVERIFY(!view.followTail());
        QTest::keyClick(&view, Qt::Key_End);
        QVERIFY(view.followTail());
        QCOMPARE(bar->value(), bar->maximum());
    }

    void findScrollsToALineFarAbove()
    {
        AnsiLogView view;
        view.resize(700, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        appendInChunks(view, 500000, 10000, {400123, 450000});
        settle();
        QVERIFY(view.firstVisibleLine() > 499900);

        // From the top of the view, forward wraps round to the first marker.
        QVERIFY(view.find(QStringLiteral("MARKER"), true, Qt::CaseInsensitive));
        QCOMPARE(view.selectedText(), QStringLiteral("marker"));
        const auto showing = [&view](qint64 line) {
            const qint64 top = view.firstVisibleLine();
            const int page = view.viewport()->height() / QFontMetrics(view.font()).lineSpacing();
            return top <= line && line < top + page;
        };
        QVERIFY2(showing(400123), qPrintable(QString::number(view.firstVisibleLine())));
        QVERIFY(!view.followTail()); // the user is reading above

        QVERIFY(view.find(QStringLiteral("marker"), true, Qt::CaseInsensitive));
        QVERIFY(showing(450000));
        QVERIFY(view.find(QStringLiteral("marker"), true, Qt::CaseInsensitive));
        QVERIFY(showing(400123)); // wrapped
        QVERIFY(view.find(QStringLiteral("marker"), false, Qt::CaseInsensitive));
        QVERIFY(showing(450000)); // backwards, wrapped
        QVERIFY(view.find(QStringLiteral("line 450000 step"), false, Qt::CaseSensitive));
        QVERIFY(showing(450000));
        QCOMPARE(view.selectedText(), QStringLiteral("line 450000 step"));

        QVERIFY(!view.find(QStringLiteral("MARKER"), true, Qt::CaseSensitive));
        QVERIFY(!view.find(QStringLiteral("no such text"), true, Qt::CaseInsensitive));
        QCOMPARE(view.selectedText(), QStringLiteral("line 450000 step")); // unchanged
        // Dropped lines are not searched.
        QVERIFY(!view.find(QStringLiteral("line 123 step"), true, Qt::CaseSensitive));
    }

    void paintsColours()
    {
        const auto render = [](const QByteArray &bytes) {
            AnsiLogView view;
            view.resize(400, 120);
            view.show();
            if (!QTest::qWaitForWindowExposed(&view))
                return QImage();
            view.appendBytes(bytes);
            settle();
            return view.viewport()->grab().toImage();
        };
        const QImage plain = render("plain text WWWWWWWW\nmore text WWWWWWWW\n");
        const QImage fg = render("plain text \x1b[31mWWWWWWWW\x1b[0m\n");
        const QImage bg = render("plain text \x1b[41m        \x1b[0m\n");
        const QImage truecolour = render("\x1b[48;2;0;0;255m          \x1b[0m\n");
        QVERIFY(!plain.isNull() && !fg.isNull() && !bg.isNull());
        QCOMPARE(countPixels(plain, isRed), 0);
        QVERIFY(countPixels(fg, isRed) > 10);
        QVERIFY(countPixels(bg, isRed) > 100);
        QVERIFY(countPixels(truecolour, [](QColor c) {
                    return c.blue() > 200 && c.red() < 50 && c.green() < 50;
                }) > 100);
    }

    void selectsAndCopies()
    {
        AnsiLogView view;
        view.resize(400, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.appendBytes("alpha\n\x1b[32mbeta\x1b[0m\ngamma\n");
        settle();
        const int lineHeight = QFontMetrics(view.font()).lineSpacing();

        // A double click selects a line.
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, QPoint(10, lineHeight + 2));
        QCOMPARE(view.selectedText(), QStringLiteral("beta"));

        // Dragging from the middle of the first line to the middle of the third.
        const qreal cw = QFontMetricsF(view.font()).horizontalAdvance(u'M');
        const QPoint from(int(4 + 1 * cw + 1), 2);
        const QPoint to(int(4 + 3 * cw + 1), 2 * lineHeight + 2);
        QTest::mousePress(view.viewport(), Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, to, view.viewport()->mapToGlobal(to), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view.viewport(), &move);
        QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, to);
        QCOMPARE(view.selectedText(), QStringLiteral("lpha\nbeta\ngam"));

        QApplication::clipboard()->clear();
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("lpha\nbeta\ngam"));
        QTest::keyClick(&view, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("alpha\nbeta\ngamma"));

        view.clear();
        settle();
        QVERIFY(!view.hasSelection());
        QCOMPARE(view.buffer().lineCount(), 0);
    }

    void notesDroppedLines()
    {
        AnsiLogView view(nullptr, 1000);
        view.resize(400, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.droppedLinesNote().isEmpty());
        view.appendBytes(numberedLines(0, 1500));
        settle();
        QVERIFY(view.droppedLinesNote().contains(QStringLiteral("500 earlier lines")));

        LogBuffer tail(1000);
        tail.startAtLine(1234567);
        tail.append("first kept\nsecond\n");
        view.setBuffer(tail);
        QCOMPARE(view.droppedLinesNote().remove(QRegularExpression("[^0-9]")),
                 QStringLiteral("1234567"));
        // At the top, the note's row is shown above the first kept line.
        view.verticalScrollBar()->setValue(0);
        QCOMPARE(view.firstVisibleLine(), qint64(1234567));
        QCOMPARE(view.buffer().text(), QStringLiteral("first kept\nsecond"));
    }

    void panesTabPerRun()
    {
        LogPanes panes;
        panes.resize(800, 400);
        panes.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panes));
        QCOMPARE(panes.currentRun(), qint64(-1));
        QSignalSpy current(&panes, &LogPanes::currentRunChanged);

        panes.showRun(1, QStringLiteral("train #1"), QStringLiteral("/tmp/1/output.log"));
        panes.showRun(2, QStringLiteral("eval #2"), QStringLiteral("/tmp/2/output.log"));
        QCOMPARE(panes.runs(), (QList<qint64>{1, 2}));
        QCOMPARE(panes.currentRun(), qint64(2));
        QCOMPARE(current.last().at(0).toLongLong(), qint64(2));

        panes.appendOutput(1, "one\n");
        panes.appendOutput(2, "two\n");
        panes.appendOutput(3, "nobody's\n"); // no tab: ignored
        panes.appendOutput(1, "\x1b[31mmore\x1b[0m one\n");
        QCOMPARE(panes.view(1)->buffer().text(), QStringLiteral("one\nmore one"));
        QCOMPARE(panes.view(2)->buffer().text(), QStringLiteral("two"));
        QVERIFY(!panes.view(3));

        // Showing a run again brings its tab to the front.
        panes.showRun(1, QStringLiteral("train #1"), QStringLiteral("/tmp/1/output.log"));
        QCOMPARE(panes.runs().size(), 2);
        QCOMPARE(panes.currentRun(), qint64(1));
        QCOMPARE(current.last().at(0).toLongLong(), qint64(1));

        auto *tabs = panes.findChild<QTabWidget *>(QStringLiteral("logTabs"));
        panes.setRunStatus(1, QStringLiteral("failed (exit 3)"), true);
        QVERIFY(tabs->tabText(0).contains(QStringLiteral("train #1")));
        QVERIFY(tabs->tabText(0).contains(QStringLiteral("failed (exit 3)")));
        QVERIFY(tabs->tabToolTip(0).contains(QStringLiteral("/tmp/1/output.log")));

        // The close button closes the tab; later output of that run goes nowhere.
        QWidget *close = tabs->tabBar()->tabButton(0, QTabBar::RightSide);
        QVERIFY(close);
        QTest::mouseClick(close, Qt::LeftButton);
        QCOMPARE(panes.runs(), (QList<qint64>{2}));
        QVERIFY(!panes.view(1));
        QCOMPARE(panes.currentRun(), qint64(2));
        panes.appendOutput(1, "late\n");
    }

    void panesKeepAtMostEightTabs()
    {
        LogPanes panes;
        for (qint64 id = 1; id <= 8; ++id)
            panes.showRun(id, QStringLiteral("run %1").arg(id), {});
        panes.setRunStatus(3, QStringLiteral("finished"), true);
        panes.setRunStatus(1, QStringLiteral("finished"), true);
        panes.setRunStatus(2, QStringLiteral("running"), false);
        QCOMPARE(panes.runs().size(), 8);

        panes.showRun(9, QStringLiteral("run 9"), {});
        QCOMPARE(panes.runs(), (QList<qint64>{2, 3, 4, 5, 6, 7, 8, 9})); // oldest finished: 1
        panes.showRun(10, QStringLiteral("run 10"), {});
        QCOMPARE(panes.runs(), (QList<qint64>{2, 4, 5, 6, 7, 8, 9, 10}));
        // Every tab is a running run now: none is closed for room.
        panes.showRun(11, QStringLiteral("run 11"), {});
        QCOMPARE(panes.runs().size(), 9);
        // As soon as one finishes, the extra tab goes.
        panes.setRunStatus(5, QStringLiteral("finished"), true);
        QCOMPARE(panes.runs(), (QList<qint64>{2, 4, 6, 7, 8, 9, 10, 11}));
    }

    void panesSearchBox()
    {
        LogPanes panes;
        panes.resize(800, 400);
        panes.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panes));
        panes.showRun(5, QStringLiteral("train"), {});
        for (int i = 0; i < 5000; i += 1000)
            panes.appendOutput(5, numberedLines(i, i + 1000, {100, 2000, 3500}));
        settle();
        AnsiLogView *view = panes.view(5);
        QWidget *page = currentPage(panes);
        auto *search = page->findChild<QLineEdit *>(QStringLiteral("logSearch"));
        auto *status = page->findChild<QLabel *>(QStringLiteral("searchStatus"));
        auto *nextButton = page->findChild<QToolButton *>(QStringLiteral("searchNext"));
        auto *previousButton = page->findChild<QToolButton *>(QStringLiteral("searchPrevious"));
        QVERIFY(search && status && nextButton && previousButton);
        const auto showing = [view](qint64 line) {
            const qint64 top = view->firstVisibleLine();
            const int rows = view->viewport()->height() / QFontMetrics(view->font()).lineSpacing();
            return top <= line && line < top + rows;
        };

        QTest::keyClicks(search, QStringLiteral("marker"));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(view->selectedText(), QStringLiteral("marker"));
        QVERIFY(showing(100));
        QVERIFY(status->text().isEmpty());
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(showing(2000));
        QTest::keyClick(search, Qt::Key_Return, Qt::ShiftModifier);
        QVERIFY(showing(100));
        QTest::mouseClick(nextButton, Qt::LeftButton);
        QVERIFY(showing(2000));
        QTest::mouseClick(nextButton, Qt::LeftButton);
        QVERIFY(showing(3500));
        QTest::mouseClick(previousButton, Qt::LeftButton);
        QVERIFY(showing(2000));
        QTest::mouseClick(nextButton, Qt::LeftButton);
        QVERIFY(showing(3500));

        // Capitals make the search case-sensitive.
        search->clear();
        QTest::keyClicks(search, QStringLiteral("Marker"));
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(!status->text().isEmpty());
        QVERIFY(status->isVisible());
        QVERIFY(showing(3500)); // did not move

        search->clear();
        QVERIFY(status->text().isEmpty());
        QTest::keyClicks(search, QStringLiteral("line 4242 step"));
        QTest::keyClick(search, Qt::Key_Enter);
        QVERIFY(showing(4242));
        QCOMPARE(view->selectedText(), QStringLiteral("line 4242 step"));
    }

    void panesFollowButton()
    {
        LogPanes panes;
        panes.resize(800, 300);
        panes.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panes));
        panes.showRun(1, QStringLiteral("train"), {});
        panes.appendOutput(1, numberedLines(0, 2000));
        settle();
        auto *follow = currentPage(panes)->findChild<QToolButton *>(QStringLiteral("followButton"));
        AnsiLogView *view = panes.view(1);
        QVERIFY(follow->isChecked());
        QTest::mouseClick(follow, Qt::LeftButton);
        QVERIFY(!view->followTail());
        // Scrolling the view up and back down is reflected by the button.
        wheel(view->viewport(), 600);
        QVERIFY(!follow->isChecked());
        QTest::keyClick(view, Qt::Key_End);
        QVERIFY(view->followTail());
        QVERIFY(follow->isChecked());
        wheel(view->viewport(), 600);
        QVERIFY(!follow->isChecked());
        QTest::mouseClick(follow, Qt::LeftButton);
        QVERIFY(view->followTail());
        QCOMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    }

    void panesLoadTheTailOfALogFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("output.log"));
        QByteArray log;
        for (int i = 0; i < 10000; ++i)
            log += "row " + QByteArray::number(i) + '\n';
        test::writeFile(path, log);

        LogPanes panes;
        panes.show();
        panes.showRun(7, QStringLiteral("old run"), path);
        panes.setRunStatus(7, QStringLiteral("finished"), true);
        panes.loadLogTail(7, 1000);
        panes.appendOutput(7, "live\n"); // arrives while loading: kept for after the tail
        AnsiLogView *view = panes.view(7);
        QTRY_VERIFY(view->buffer().lineCount() > 10);
        const LogBuffer &b = view->buffer();
        // The tail starts at a complete line, numbered as in the file.
        QCOMPARE(b.line(0).text, QString("row " + QString::number(b.firstLineNumber())));
        QVERIFY(b.firstLineNumber() > 9800);
        QCOMPARE(b.line(b.lineCount() - 2).text, QStringLiteral("row 9999"));
        QCOMPARE(b.line(b.lineCount() - 1).text, QStringLiteral("live"));
        QVERIFY(!view->droppedLinesNote().isEmpty());

        // A missing file leaves the tab empty and quiet.
        panes.showRun(8, QStringLiteral("no output"), dir.filePath(QStringLiteral("none.log")));
        panes.loadLogTail(8);
        panes.appendOutput(8, "after\n");
        QTRY_COMPARE(panes.view(8)->buffer().text(), QStringLiteral("after"));
    }
};

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
