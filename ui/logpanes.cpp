#include "logpanes.h"

#include "jobtracker.h"
#include "logview.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QShortcut>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <memory>

namespace cairn::ui {

namespace {

QIcon statusIcon(bool running, const QPalette &palette)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    if (running) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x2e, 0xa0, 0x43));
    } else {
        p.setPen(QPen(palette.color(QPalette::Disabled, QPalette::WindowText), 1.5));
        p.setBrush(Qt::NoBrush);
    }
    p.drawEllipse(QRectF(2, 2, 8, 8));
    return QIcon(pixmap);
}

} // namespace

// One tab: a toolbar over the run's log view.
class RunLogPage : public QWidget
{
public:
    RunLogPage(qint64 id, quint64 opened)
        : runId(id)
        , order(opened)
        , view(new AnsiLogView)
        , follow(new QToolButton)
        , search(new QLineEdit)
        , previous(new QToolButton)
        , next(new QToolButton)
        , searchStatus(new QLabel)
        , openFile(new QToolButton)
        , loader(this)
    {
        setObjectName(QStringLiteral("runLog%1").arg(id));
        follow->setObjectName(QStringLiteral("followButton"));
        follow->setText(LogPanes::tr("Follow"));
        follow->setToolTip(LogPanes::tr("Keep the newest output in view (End)"));
        follow->setCheckable(true);
        follow->setChecked(view->followTail());
        follow->setToolButtonStyle(Qt::ToolButtonTextOnly);

        search->setObjectName(QStringLiteral("logSearch"));
        search->setPlaceholderText(LogPanes::tr("Search output"));
        search->setToolTip(LogPanes::tr("Enter: next match, Shift+Enter: previous match. "
                                        "Case-sensitive when the text has capitals."));
        search->setClearButtonEnabled(true);
        search->setMaximumWidth(320);
        search->installEventFilter(this);

        previous->setObjectName(QStringLiteral("searchPrevious"));
        previous->setArrowType(Qt::UpArrow);
        previous->setToolTip(LogPanes::tr("Previous match (Shift+Enter)"));
        next->setObjectName(QStringLiteral("searchNext"));
        next->setArrowType(Qt::DownArrow);
        next->setToolTip(LogPanes::tr("Next match (Enter)"));

        searchStatus->setObjectName(QStringLiteral("searchStatus"));
        QPalette warn = searchStatus->palette();
        warn.setColor(QPalette::WindowText, QColor(0xcd, 0x31, 0x31));
        searchStatus->setPalette(warn);

        openFile->setObjectName(QStringLiteral("openLogFile"));
        openFile->setText(LogPanes::tr("Open Log File"));
        openFile->setToolButtonStyle(Qt::ToolButtonTextOnly);

        auto *bar = new QHBoxLayout;
        bar->setContentsMargins(4, 2, 4, 0);
        bar->setSpacing(4);
        bar->addWidget(follow);
        bar->addSpacing(8);
        bar->addWidget(search, 1);
        bar->addWidget(previous);
        bar->addWidget(next);
        bar->addWidget(searchStatus);
        bar->addStretch(1);
        bar->addWidget(openFile);
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        layout->addLayout(bar);
        layout->addWidget(view, 1);

        QObject::connect(follow, &QToolButton::toggled, view, &AnsiLogView::setFollowTail);
        QObject::connect(view, &AnsiLogView::followTailChanged, follow, &QToolButton::setChecked);
        QObject::connect(previous, &QToolButton::clicked, this, [this] { find(false); });
        QObject::connect(next, &QToolButton::clicked, this, [this] { find(true); });
        QObject::connect(search, &QLineEdit::textChanged, searchStatus, &QLabel::clear);
        QObject::connect(openFile, &QToolButton::clicked, this,
                         [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(logPath)); });
    }

    void find(bool forward)
    {
        const QString text = search->text();
        const Qt::CaseSensitivity cs =
            text != text.toLower() ? Qt::CaseSensitive : Qt::CaseInsensitive;
        const bool found = view->find(text, forward, cs);
        searchStatus->setText(found || text.isEmpty() ? QString() : LogPanes::tr("No matches"));
    }

    void append(const QByteArray &chunk)
    {
        if (loading)
            held.append(chunk);
        else
            view->appendBytes(chunk);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == search && event->type() == QEvent::KeyPress) {
            const auto *key = static_cast<QKeyEvent *>(event);
            if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
                find(!(key->modifiers() & Qt::ShiftModifier));
                return true;
            }
        }
        return QWidget::eventFilter(watched, event);
    }

    const qint64 runId;
    const quint64 order;
    QString title;
    QString logPath;
    QString status;
    bool finished = false;
    bool loading = false;
    QList<QByteArray> held; // output that arrived while the tail was loading

    AnsiLogView *view;
    QToolButton *follow;
    QLineEdit *search;
    QToolButton *previous;
    QToolButton *next;
    QLabel *searchStatus;
    QToolButton *openFile;
    JobTracker loader;
};

LogPanes::LogPanes(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget)
    , m_placeholder(new QLabel(
          tr("Run output appears here. Start a run from Entry points, or open one from Runs.")))
    , m_tabs(new QTabWidget)
{
    setObjectName(QStringLiteral("logPanes"));
    m_tabs->setObjectName(QStringLiteral("logTabs"));
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setElideMode(Qt::ElideRight);
    m_tabs->setUsesScrollButtons(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tabs);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &LogPanes::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [this] { emit currentRunChanged(currentRun()); });

    const auto current = [this] { return static_cast<RunLogPage *>(m_tabs->currentWidget()); };
    auto *findShortcut = new QShortcut(QKeySequence::Find, this, [current] {
        if (RunLogPage *p = current()) {
            p->search->setFocus(Qt::ShortcutFocusReason);
            p->search->selectAll();
        }
    });
    findShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    auto *nextShortcut = new QShortcut(QKeySequence::FindNext, this, [current] {
        if (RunLogPage *p = current())
            p->find(true);
    });
    nextShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    auto *previousShortcut = new QShortcut(QKeySequence::FindPrevious, this, [current] {
        if (RunLogPage *p = current())
            p->find(false);
    });
    previousShortcut->setContext(Qt::WidgetWithChildrenShortcut);
}

LogPanes::~LogPanes() = default;

RunLogPage *LogPanes::page(qint64 runId) const
{
    return m_pages.value(runId);
}

AnsiLogView *LogPanes::view(qint64 runId) const
{
    RunLogPage *p = page(runId);
    return p ? p->view : nullptr;
}

qint64 LogPanes::currentRun() const
{
    const auto *p = static_cast<RunLogPage *>(m_tabs->currentWidget());
    return p ? p->runId : -1;
}

QList<qint64> LogPanes::runs() const
{
    QList<qint64> ids;
    for (int i = 0; i < m_tabs->count(); ++i)
        ids.append(static_cast<RunLogPage *>(m_tabs->widget(i))->runId);
    return ids;
}

void LogPanes::showRun(qint64 runId, const QString &title, const QString &logPath)
{
    RunLogPage *p = page(runId);
    if (!p) {
        p = new RunLogPage(runId, ++m_opened);
        m_pages.insert(runId, p);
        m_tabs->addTab(p, QString());
        m_stack->setCurrentWidget(m_tabs);
    }
    p->title = title;
    p->logPath = logPath;
    p->openFile->setEnabled(!logPath.isEmpty());
    updateTab(p);
    m_tabs->setCurrentWidget(p);
    makeRoom();
}

void LogPanes::loadLogTail(qint64 runId, qint64 maxBytes)
{
    RunLogPage *p = page(runId);
    if (!p)
        return;
    p->loading = true;
    p->held.clear();
    const QString path = p->logPath;
    const int maxLines = p->view->buffer().maxLines();
    p->loader.run(
        [path, maxBytes, maxLines](const std::atomic_bool &cancelled) {
            return std::make_shared<Result<LogFileTail>>(
                readLogTail(path, maxBytes, maxLines, [&](qint64, qint64) { return !cancelled; }));
        },
        [p](std::shared_ptr<Result<LogFileTail>> tail) {
            p->loading = false;
            if (*tail)
                p->view->setBuffer(std::move((*tail)->buffer));
            else
                p->searchStatus->setText(tail->error().toString());
            for (const QByteArray &chunk : std::as_const(p->held))
                p->view->appendBytes(chunk);
            p->held.clear();
        });
}

void LogPanes::appendOutput(qint64 runId, const QByteArray &chunk)
{
    if (RunLogPage *p = page(runId))
        p->append(chunk);
}

void LogPanes::setRunStatus(qint64 runId, const QString &statusText, bool finished)
{
    RunLogPage *p = page(runId);
    if (!p)
        return;
    p->status = statusText;
    p->finished = finished;
    updateTab(p);
    makeRoom();
}

void LogPanes::updateTab(RunLogPage *p)
{
    const int index = m_tabs->indexOf(p);
    if (index < 0)
        return;
    const QString text = p->status.isEmpty() ? p->title : tr("%1 · %2").arg(p->title, p->status);
    m_tabs->setTabText(index, text);
    QString tip = p->title;
    if (!p->status.isEmpty())
        tip += u'\n' + p->status;
    if (!p->logPath.isEmpty())
        tip += u'\n' + p->logPath;
    m_tabs->setTabToolTip(index, tip);
    m_tabs->setTabIcon(index, statusIcon(!p->finished, palette()));
}

void LogPanes::makeRoom()
{
    while (m_tabs->count() > MaxTabs) {
        // The oldest finished run goes first; running runs stay.
        RunLogPage *oldest = nullptr;
        for (RunLogPage *p : std::as_const(m_pages)) {
            if (p->finished && p != m_tabs->currentWidget() &&
                (!oldest || p->order < oldest->order))
                oldest = p;
        }
        if (!oldest)
            return;
        closeTab(m_tabs->indexOf(oldest));
    }
}

void LogPanes::closeTab(int index)
{
    auto *p = static_cast<RunLogPage *>(m_tabs->widget(index));
    if (!p)
        return;
    m_pages.remove(p->runId);
    m_tabs->removeTab(index);
    p->loader.cancel();
    p->deleteLater();
    if (m_tabs->count() == 0)
        m_stack->setCurrentWidget(m_placeholder);
}

} // namespace cairn::ui
