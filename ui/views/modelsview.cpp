#include "modelsview.h"

#include "filesview.h"
#include "gatereportview.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "theme.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

enum VersionColumn
{
    VersionCol,
    AliasesCol,
    RunCol,
    CreatedCol,
    GateCol,
    MetricsCol,
    VersionColumns
};
constexpr int kAliasesRole = Qt::UserRole + 10;
constexpr int kVersionRole = Qt::UserRole + 11;

QColor aliasColor(const QString &alias)
{
    if (alias == registry::kProduction)
        return verdictColor(Verdict::Pass);
    if (alias == registry::kStaging)
        return verdictColor(Verdict::Running);
    if (alias == registry::kArchived)
        return verdictColor(Verdict::Skipped);
    return isDarkPalette() ? QColor(0xb3, 0x8a, 0xf0) : QColor(0x6a, 0x3d, 0xb8);
}

// Alias names drawn as rounded chips in their colour.
class AliasChipDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        const QStringList aliases = index.data(kAliasesRole).toStringList();
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        QFont f = option.font;
        f.setPointSizeF(f.pointSizeF() * 0.9);
        f.setBold(true);
        painter->setFont(f);
        const QFontMetrics fm(f);
        int x = option.rect.left() + 4;
        const int h = fm.height() + 2;
        const int y = option.rect.top() + (option.rect.height() - h) / 2;
        for (const QString &a : aliases) {
            const int w = fm.horizontalAdvance(a) + 12;
            if (x + w > option.rect.right())
                break;
            const QRect chip(x, y, w, h);
            const QColor c = aliasColor(a);
            painter->setPen(Qt::NoPen);
            painter->setBrush(c);
            painter->drawRoundedRect(chip, h / 2.0, h / 2.0);
            painter->setPen(Qt::white);
            painter->drawText(chip, Qt::AlignCenter, a);
            x += w + 4;
        }
        painter->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QSize s = QStyledItemDelegate::sizeHint(option, index);
        const QFontMetrics fm(option.font);
        int w = 8;
        for (const QString &a : index.data(kAliasesRole).toStringList())
            w += fm.horizontalAdvance(a) + 16;
        return {std::max(s.width(), w), std::max(s.height(), fm.height() + 6)};
    }
};

// The metric names a model's gate mentions, in order, for the versions table.
QStringList gateMetricNames(const ModelSpec *spec, const QJsonObject &metrics)
{
    QStringList names;
    if (spec && spec->gate) {
        for (const GateCondition &c : spec->gate->conditions) {
            for (auto it = metrics.begin(); it != metrics.end(); ++it) {
                static const QRegularExpression word(u"[A-Za-z_][A-Za-z0-9_./-]*"_s);
                for (auto m = word.globalMatch(c.text); m.hasNext();) {
                    const QString token = m.next().captured();
                    if (token == it.key() && !names.contains(token))
                        names.append(token);
                }
            }
        }
    }
    for (auto it = metrics.begin(); it != metrics.end() && names.size() < 3; ++it) {
        if (!names.contains(it.key()))
            names.append(it.key());
    }
    return names;
}

} // namespace

ModelsView::ModelsView(QWidget *parent)
    : QWidget(parent)
    , m_files(new FilesView(FilesView::Kind::Models))
    , m_model(new QComboBox)
    , m_versions(new QTreeWidget)
    , m_gate(new GateReportView)
    , m_history(new QTreeWidget)
    , m_status(new QLabel)
    , m_register(new QPushButton(tr("Register Run…")))
    , m_promote(new QToolButton)
    , m_archive(new QPushButton(tr("Archive")))
{
    setObjectName(u"modelsView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical);
    split->setChildrenCollapsible(false);
    split->addWidget(m_files);

    auto *registryPane = new QWidget;
    auto *rl = new QVBoxLayout(registryPane);
    rl->setContentsMargins(4, 4, 4, 0);
    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("Registry"));
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    bar->addWidget(title);
    m_model->setObjectName(u"registryModel"_s);
    m_model->setMinimumContentsLength(16);
    bar->addWidget(m_model);
    bar->addStretch(1);
    m_register->setObjectName(u"registerButton"_s);
    m_register->setToolTip(tr("Record the model files a finished run wrote as a new version, "
                              "with its metrics, datasets and gate report"));
    bar->addWidget(m_register);
    m_promote->setObjectName(u"promoteButton"_s);
    m_promote->setText(tr("Promote to"));
    m_promote->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_promote->setPopupMode(QToolButton::InstantPopup);
    m_promote->setToolTip(tr("Give the selected version an alias; its gate must pass, or you "
                             "give a reason that is recorded"));
    auto *menu = new QMenu(m_promote);
    for (const QString &alias :
         {registry::kStaging.toString(), registry::kProduction.toString(), u"champion"_s}) {
        menu->addAction(alias, this, [this, alias] { promoteSelected(alias); });
    }
    menu->addSeparator();
    menu->addAction(tr("Other alias…"), this, [this] {
        bool ok = false;
        const QString alias = QInputDialog::getText(this, tr("Promote"),
                                                    tr("Alias (lower-case letters, digits, "
                                                       "- and _):"),
                                                    QLineEdit::Normal, {}, &ok)
                                  .trimmed();
        if (ok && !alias.isEmpty())
            promoteSelected(alias);
    });
    m_promote->setMenu(menu);
    bar->addWidget(m_promote);
    m_archive->setObjectName(u"archiveButton"_s);
    m_archive->setToolTip(tr("Archive the selected version: it loses its other aliases"));
    bar->addWidget(m_archive);
    rl->addLayout(bar);

    auto *lower = new QSplitter(Qt::Horizontal);
    m_versions->setObjectName(u"registryVersions"_s);
    m_versions->setColumnCount(VersionColumns);
    m_versions->setHeaderLabels(
        {tr("Version"), tr("Aliases"), tr("Run"), tr("Registered"), tr("Gate"), tr("Metrics")});
    m_versions->setRootIsDecorated(false);
    m_versions->setUniformRowHeights(true);
    m_versions->setAlternatingRowColors(true);
    m_versions->setItemDelegateForColumn(AliasesCol, new AliasChipDelegate(m_versions));
    m_versions->setColumnWidth(VersionCol, 50);
    m_versions->setColumnWidth(AliasesCol, 150);
    m_versions->setColumnWidth(RunCol, 80);
    m_versions->setColumnWidth(CreatedCol, 125);
    m_versions->setColumnWidth(GateCol, 80);
    lower->addWidget(m_versions);
    auto *tabs = new QTabWidget;
    tabs->setObjectName(u"registryTabs"_s);
    tabs->addTab(m_gate, tr("Gate"));
    m_history->setObjectName(u"registryHistory"_s);
    m_history->setColumnCount(5);
    m_history->setHeaderLabels({tr("When"), tr("Change"), tr("Gate"), tr("Reason"), tr("By")});
    m_history->setRootIsDecorated(false);
    m_history->setUniformRowHeights(true);
    m_history->setColumnWidth(0, 130);
    m_history->setColumnWidth(1, 220);
    m_history->setColumnWidth(2, 110);
    tabs->addTab(m_history, tr("History"));
    lower->addWidget(tabs);
    lower->setStretchFactor(0, 1);
    lower->setStretchFactor(1, 1);
    lower->setSizes({560, 600});
    rl->addWidget(lower, 1);
    m_status->setObjectName(u"registryStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rl->addWidget(m_status);
    split->addWidget(registryPane);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    connect(m_model, &QComboBox::currentIndexChanged, this, &ModelsView::showModel);
    connect(m_versions, &QTreeWidget::currentItemChanged, this, &ModelsView::showVersion);
    connect(m_register, &QPushButton::clicked, this, &ModelsView::chooseRunToRegister);
    connect(m_archive, &QPushButton::clicked, this, &ModelsView::archiveSelected);
    connect(m_files->tree(), &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *it) {
        while (it && it->parent())
            it = it->parent();
        if (!it)
            return;
        const int i = m_model->findText(it->data(0, Qt::UserRole).toString());
        if (i >= 0)
            m_model->setCurrentIndex(i);
    });
    setBusy(false);
}

void ModelsView::setSnapshot(const ProjectSnapshot &snapshot)
{
    m_files->setSnapshot(snapshot);
    const bool sameRoot = snapshot.root == m_root;
    m_root = snapshot.root;
    m_project = snapshot.project ? std::make_shared<const Project>(*snapshot.project) : nullptr;
    m_readOnly = m_project && m_project->format == ProjectFormat::MlflowStore;
    m_register->setVisible(!m_readOnly);
    m_files->setVisible(!m_readOnly); // the store's model files are MLflow's artifacts
    m_promote->setVisible(!m_readOnly);
    m_archive->setVisible(!m_readOnly);
    const QString keep = sameRoot ? m_model->currentText() : QString();
    {
        const QSignalBlocker block(m_model);
        m_model->clear();
        if (m_project) {
            for (const ModelSpec &m : m_project->models)
                m_model->addItem(QIcon(u":/cairn/icons/model.svg"_s), m.name);
        }
        const int i = m_model->findText(keep);
        m_model->setCurrentIndex(i >= 0 ? i : 0);
    }
    refresh();
}

void ModelsView::selectEntry(const QString &name)
{
    m_files->selectEntry(name);
    const int i = m_model->findText(name);
    if (i >= 0)
        m_model->setCurrentIndex(i);
}

QString ModelsView::currentModel() const
{
    return m_model->currentText();
}

void ModelsView::refresh()
{
    if (m_root.isEmpty())
        return;
    const QString root = m_root;
    m_load.run(
        [root](const std::atomic_bool &) -> Result<Loaded> {
            if (!QFileInfo::exists(projectDatabasePath(root)))
                return Loaded{};
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db)
                return std::unexpected(db.error());
            auto models = registry::listModels(**db);
            if (!models)
                return std::unexpected(models.error());
            auto history = registry::history(**db);
            if (!history)
                return std::unexpected(history.error());
            return Loaded{std::move(*models), std::move(*history)};
        },
        [this](Result<Loaded> loaded) {
            if (!loaded) {
                m_loaded = {};
                m_status->setText(tr("Cannot read the registry: %1")
                                      .arg(loaded.error().toString().toHtmlEscaped()));
            } else {
                m_loaded = std::move(*loaded);
            }
            // Versions registered for a model the project file no longer (or never) declares,
            // as in an MLflow store, are listed too.
            const QSignalBlocker block(m_model);
            const QString current = m_model->currentText();
            for (const registry::RegisteredModel &r : m_loaded.models) {
                if (m_model->findText(r.name) < 0) {
                    m_model->addItem(QIcon(u":/cairn/icons/model.svg"_s), r.name);
                    m_model->setItemData(m_model->count() - 1,
                                         tr("Registered, not declared in the project file"),
                                         Qt::ToolTipRole);
                }
            }
            if (current.isEmpty() && m_model->count() > 0)
                m_model->setCurrentIndex(0);
            showModel();
            emit refreshed();
        });
}

void ModelsView::showModel()
{
    const QString model = currentModel();
    const int keepVersion = m_wantVersion ? m_wantVersion : selected() ? selected()->version : 0;
    m_wantVersion = 0;
    m_versions->clear();
    m_history->clear();
    const registry::RegisteredModel *reg = nullptr;
    for (const registry::RegisteredModel &r : m_loaded.models) {
        if (r.name == model)
            reg = &r;
    }
    const ModelSpec *spec = m_project ? m_project->model(model) : nullptr;
    const QLocale locale;
    if (reg) {
        for (const registry::ModelVersion &v : reg->versions) {
            auto *item = new QTreeWidgetItem(m_versions);
            item->setText(VersionCol, tr("v%1").arg(v.version));
            item->setData(VersionCol, kVersionRole, v.version);
            item->setData(AliasesCol, kAliasesRole, v.aliases);
            item->setToolTip(AliasesCol, v.aliases.join(u", "_s));
            item->setText(RunCol, v.runId ? u"#%1 %2"_s.arg(QString::number(*v.runId), v.entryPoint)
                                          : tr("no run"));
            item->setText(CreatedCol, v.created.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s));
            item->setToolTip(CreatedCol, locale.toString(v.created.toLocalTime()));
            const bool passed = v.gate.passed();
            if (!v.gate.declared) {
                item->setIcon(GateCol, verdictIcon(Verdict::Skipped));
                item->setText(GateCol, tr("no gate"));
            } else {
                item->setIcon(GateCol, verdictIcon(passed ? Verdict::Pass : Verdict::Fail));
                item->setText(GateCol, passed ? tr("passed") : tr("failed"));
            }
            item->setToolTip(GateCol, tr("The gate as evaluated at registration"));
            QStringList shown;
            for (const QString &name : gateMetricNames(spec, v.metrics))
                shown.append(u"%1 %2"_s.arg(
                    name, QString::number(v.metrics.value(name).toDouble(), 'g', 4)));
            item->setText(MetricsCol, shown.join(u" · "_s));
            if (v.aliases.contains(registry::kArchived)) {
                for (int c = 0; c < VersionColumns; ++c)
                    item->setForeground(c, palette().color(QPalette::Disabled, QPalette::Text));
            }
        }
    }
    // Room for every alias chip (a version can hold several).
    m_versions->resizeColumnToContents(AliasesCol);
    m_versions->setColumnWidth(AliasesCol, std::max(150, m_versions->columnWidth(AliasesCol)));
    for (const registry::Transition &t : m_loaded.history) {
        if (t.model != model)
            continue;
        auto *item = new QTreeWidgetItem(m_history);
        item->setText(0, locale.toString(t.when.toLocalTime(), QLocale::ShortFormat));
        QString change;
        if (t.action == u"register"_s)
            change = tr("v%1 registered").arg(t.version);
        else if (t.action == u"remove"_s)
            change = tr("%1 taken off v%2").arg(t.alias).arg(t.version);
        else if (t.previousVersion)
            change = tr("%1: v%2 → v%3").arg(t.alias).arg(*t.previousVersion).arg(t.version);
        else
            change = tr("%1 → v%2").arg(t.alias).arg(t.version);
        item->setText(1, change);
        if (t.gatePassed) {
            item->setIcon(2, verdictIcon(*t.gatePassed ? Verdict::Pass : Verdict::Fail));
            item->setText(2, *t.gatePassed ? tr("passed")
                                           : (t.overridden ? tr("overridden") : tr("failed")));
        }
        item->setText(3, t.reason);
        item->setToolTip(3, t.reason);
        item->setText(4, t.user);
    }
    if (m_readOnly) {
        m_status->setText(reg ? tr("%n version(s) registered in MLflow; shown read-only", nullptr,
                                   int(reg->versions.size()))
                              : tr("This MLflow store has no registered models."));
    } else if (!spec && reg) {
        m_status->setText(tr("%1 is registered but not declared in the project file: declare it "
                             "under <code>models:</code> to register and promote versions.")
                              .arg(model.toHtmlEscaped()));
    } else if (!spec) {
        m_status->setText(m_project && m_project->models.isEmpty()
                              ? tr("The project declares no models. Add them under "
                                   "<code>models:</code> in cairn.yaml.")
                              : QString());
    } else if (!reg || reg->versions.isEmpty()) {
        m_status->setText(tr("No version of %1 is registered yet. Press <b>Register Run…</b> to "
                             "record the files a finished run wrote, or run "
                             "<code>cairn-cli register %1 --run ID</code>.")
                              .arg(model.toHtmlEscaped()));
    } else {
        QStringList held;
        for (auto it = reg->aliases.begin(); it != reg->aliases.end(); ++it) {
            if (it.key() == registry::kArchived)
                continue;
            QStringList vs;
            for (int v : it.value())
                vs.append(tr("v%1").arg(v));
            held.append(u"%1 = %2"_s.arg(it.key(), vs.join(u", "_s)));
        }
        m_status->setText(tr("%n version(s)", nullptr, int(reg->versions.size())) +
                          (held.isEmpty() ? QString() : u"; "_s + held.join(u"; "_s)) +
                          (spec->gate
                               ? QString()
                               : tr(". %1 declares no gate: promotion needs nothing.").arg(model)));
    }
    if (!(keepVersion && selectVersion(keepVersion)) && m_versions->topLevelItemCount() > 0)
        m_versions->setCurrentItem(m_versions->topLevelItem(0));
    showVersion();
}

bool ModelsView::selectVersion(int version)
{
    for (int i = 0; i < m_versions->topLevelItemCount(); ++i) {
        QTreeWidgetItem *it = m_versions->topLevelItem(i);
        if (it->data(VersionCol, kVersionRole).toInt() == version) {
            m_versions->setCurrentItem(it);
            return true;
        }
    }
    return false;
}

const registry::ModelVersion *ModelsView::selected() const
{
    const QTreeWidgetItem *it = m_versions->currentItem();
    if (!it)
        return nullptr;
    const int version = it->data(VersionCol, kVersionRole).toInt();
    for (const registry::RegisteredModel &r : m_loaded.models) {
        if (r.name != currentModel())
            continue;
        for (const registry::ModelVersion &v : r.versions) {
            if (v.version == version)
                return &v;
        }
    }
    return nullptr;
}

void ModelsView::showVersion()
{
    const registry::ModelVersion *v = selected();
    if (!v)
        m_gate->showMessage(tr("Select a version to see its gate report"));
    else
        m_gate->setReport(v->gate);
    setBusy(m_busy);
}

void ModelsView::setBusy(bool busy, const QString &message)
{
    m_busy = busy;
    const bool haveVersion = selected() != nullptr;
    m_register->setEnabled(!busy && m_project && !m_readOnly && m_project->model(currentModel()));
    m_promote->setEnabled(!busy && haveVersion);
    m_archive->setEnabled(!busy && haveVersion &&
                          !selected()->aliases.contains(registry::kArchived));
    if (!message.isEmpty())
        m_status->setText(message);
}

void ModelsView::promoteSelected(const QString &alias, const QString &reason)
{
    if (const registry::ModelVersion *v = selected())
        promoteVersion({v->model, v->version, v->runId}, alias, reason);
}

void ModelsView::promoteVersion(const VersionRef &v, const QString &alias, const QString &reason)
{
    if (!m_project || m_busy)
        return;
    if (const QString bad = registry::checkAliasName(alias); !bad.isEmpty()) {
        m_status->setText(bad.toHtmlEscaped());
        return;
    }
    const QString root = m_root;
    auto project = m_project;
    const registry::PromoteRequest request{v.model, v.version, alias, reason};
    const bool needsGate = alias != registry::kArchived && reason.isEmpty();
    setBusy(true, needsGate ? tr("Evaluating the gate of %1 v%2…").arg(v.model).arg(v.version)
                            : tr("Updating the registry…"));
    m_change.run(
        [root, project, request, runId = v.runId, needsGate](const std::atomic_bool &) {
            PromoteOutcome out;
            auto db = openProjectDatabase(root);
            if (!db) {
                out.error = db.error();
                return out;
            }
            // The gate first, so a failure can be shown and overridden with a reason; promote
            // evaluates it again itself (the production version may have moved meanwhile).
            if (needsGate && runId) {
                auto gate = registry::evaluateGate(*project, **db, request.model, *runId);
                if (!gate) {
                    out.error = gate.error();
                    return out;
                }
                out.gate = *gate;
                out.gateEvaluated = true;
                if (!gate->passed())
                    return out;
            }
            auto done = registry::promote(*project, **db, request);
            if (!done)
                out.error = done.error();
            else
                out.done = *done;
            return out;
        },
        [this, v, alias, request](PromoteOutcome out) {
            setBusy(false);
            QStringList failed;
            if (out.gateEvaluated && !out.gate.passed()) {
                m_gate->setReport(out.gate);
                failed = failedLines(out.gate);
            } else if (out.error && registry::isGateRefusal(*out.error)) {
                // Refused by promote itself: no run to evaluate beforehand, or production
                // moved after the first evaluation. Its message lists the failed conditions.
                failed = out.error->message.split(u'\n', Qt::SkipEmptyParts);
            }
            if (!failed.isEmpty()) {
                // Asked once this continuation has returned, not inside it.
                QMetaObject::invokeMethod(
                    this, [this, v, alias, failed] { askReasonAndPromote(v, alias, failed); },
                    Qt::QueuedConnection);
                return;
            }
            if (out.error) {
                m_status->setText(u"<span style='color:%1'>%2</span>"_s.arg(
                    verdictColor(Verdict::Fail).name(), out.error->toString().toHtmlEscaped()));
                return;
            }
            m_wantVersion = request.version;
            finishChange(
                out.done->overridden
                    ? tr("%1 v%2 is now %3, past its failed gate; the reason is recorded.")
                          .arg(request.model)
                          .arg(request.version)
                          .arg(alias)
                    : tr("%1 v%2 is now %3.").arg(request.model).arg(request.version).arg(alias));
        });
}

QStringList ModelsView::failedLines(const registry::GateReport &report)
{
    QStringList failed;
    if (!report.failure.isEmpty())
        failed.append(u"• %1"_s.arg(report.failure));
    for (const registry::ConditionResult &c : report.conditions) {
        if (!c.passed && !c.skipped)
            failed.append(u"• %1 — %2"_s.arg(c.condition, c.message));
    }
    for (const registry::DataCheckResult &d : report.data) {
        if (!d.passed)
            failed.append(u"• %1 — %2"_s.arg(d.dataset, d.message));
    }
    return failed;
}

void ModelsView::askReasonAndPromote(const VersionRef &v, const QString &alias,
                                     const QStringList &failed)
{
    QDialog dialog(this);
    dialog.setObjectName(u"overrideDialog"_s);
    dialog.setWindowTitle(tr("Gate Failed"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *text = new QLabel(tr("<b>%1 v%2 does not pass its gate</b>, so it cannot become "
                               "<b>%3</b>:")
                                .arg(v.model.toHtmlEscaped())
                                .arg(v.version)
                                .arg(alias.toHtmlEscaped()));
    layout->addWidget(text);
    auto *list = new QLabel(failed.join(u"\n"_s));
    list->setObjectName(u"overrideFailures"_s);
    list->setTextInteractionFlags(Qt::TextSelectableByMouse);
    list->setWordWrap(true);
    list->setStyleSheet(u"color: %1"_s.arg(verdictColor(Verdict::Fail).name()));
    layout->addWidget(list);
    layout->addWidget(new QLabel(tr("To promote it anyway, say why. The reason is recorded in "
                                    "the model's history with your name.")));
    auto *reason = new QPlainTextEdit;
    reason->setObjectName(u"overrideReason"_s);
    reason->setPlaceholderText(tr("Reason for the override (required)"));
    reason->setMaximumHeight(90);
    layout->addWidget(reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton *go = buttons->addButton(tr("Promote Anyway"), QDialogButtonBox::AcceptRole);
    go->setObjectName(u"overrideButton"_s);
    go->setEnabled(false);
    connect(reason, &QPlainTextEdit::textChanged, go,
            [reason, go] { go->setEnabled(!reason->toPlainText().trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.setMinimumWidth(520);
    if (dialog.exec() != QDialog::Accepted) {
        m_status->setText(tr("Promotion refused: the gate failed (see the Gate tab)."));
        return;
    }
    // The version the gate was judged on, whatever is selected now.
    promoteVersion(v, alias, reason->toPlainText().trimmed());
}

void ModelsView::archiveSelected()
{
    promoteSelected(registry::kArchived.toString());
}

void ModelsView::chooseRunToRegister()
{
    if (m_root.isEmpty() || !m_project || m_busy)
        return;
    if (!QFileInfo::exists(projectDatabasePath(m_root))) {
        m_status->setText(tr("No run yet: run the entry point that writes the model first."));
        return;
    }
    // The runs that wrote the model's files, read on the thread pool; then the choice.
    struct Candidate
    {
        qint64 id = 0;
        QString label;
    };
    const QString root = m_root;
    const QString model = currentModel();
    auto project = m_project;
    setBusy(true, tr("Looking for the runs that wrote %1…").arg(model));
    m_change.run(
        [root, project, model](const std::atomic_bool &) -> Result<QList<Candidate>> {
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db)
                return std::unexpected(db.error());
            auto ids = registry::runsThatWrote(**db, *project, model, 200);
            if (!ids)
                return std::unexpected(ids.error());
            QList<Candidate> out;
            const QLocale locale;
            RunStore store(**db);
            for (qint64 id : *ids) {
                auto r = store.get(id);
                if (!r)
                    continue;
                out.append({id, u"#%1 %2 · %3"_s.arg(QString::number(id), r->entryPoint,
                                                     locale.toString(r->created.toLocalTime(),
                                                                     QLocale::ShortFormat))});
            }
            return out;
        },
        [this, model](Result<QList<Candidate>> candidates) {
            setBusy(false);
            if (!candidates) {
                m_status->setText(candidates.error().toString().toHtmlEscaped());
                return;
            }
            if (candidates->isEmpty()) {
                m_status->setText(tr("No finished run wrote %1's files yet: run the entry point "
                                     "that trains it first.")
                                      .arg(model.toHtmlEscaped()));
                return;
            }
            QMetaObject::invokeMethod(
                this,
                [this, model, list = *candidates] {
                    QStringList labels;
                    for (const Candidate &c : list)
                        labels.append(c.label);
                    bool ok = false;
                    const QString chosen = QInputDialog::getItem(
                        this, tr("Register %1").arg(model),
                        tr("The run whose %1 files to record:").arg(model), labels, 0, false, &ok);
                    if (ok && labels.contains(chosen))
                        registerRun(list.at(labels.indexOf(chosen)).id);
                },
                Qt::QueuedConnection);
        });
}

void ModelsView::registerRun(qint64 runId)
{
    if (!m_project || m_busy)
        return;
    const QString root = m_root;
    const QString model = currentModel();
    auto project = m_project;
    setBusy(true, tr("Registering run #%1 and evaluating its gate…").arg(runId));
    m_change.run(
        [root, project, model, runId](const std::atomic_bool &) -> Result<registry::ModelVersion> {
            auto db = openProjectDatabase(root);
            if (!db)
                return std::unexpected(db.error());
            return registry::registerVersion(*project, **db, model, runId);
        },
        [this](Result<registry::ModelVersion> v) {
            setBusy(false);
            if (!v) {
                m_status->setText(u"<span style='color:%1'>%2</span>"_s.arg(
                    verdictColor(Verdict::Fail).name(), v.error().toString().toHtmlEscaped()));
                return;
            }
            m_wantVersion = v->version;
            finishChange(tr("Registered %1 v%2 from run #%3; its gate %4.")
                             .arg(v->model)
                             .arg(v->version)
                             .arg(v->runId.value_or(0))
                             .arg(v->gate.passed() ? tr("passed") : tr("failed")));
        });
}

void ModelsView::finishChange(const QString &message)
{
    connect(
        this, &ModelsView::refreshed, this, [this, message] { m_status->setText(message); },
        Qt::SingleShotConnection);
    refresh();
    emit registryChanged();
}

} // namespace cairn::ui
