#include "entrypointsview.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cairn::ui {

EntryPointsView::EntryPointsView(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget)
    , m_title(new QLabel)
    , m_description(new QLabel)
    , m_command(new QLabel)
    , m_params(new QTableWidget(0, 4))
    , m_run(new QPushButton(QIcon(QStringLiteral(":/cairn/icons/run.svg")), tr("Run…")))
    , m_empty(new QLabel)
{
    m_list->setObjectName(QStringLiteral("entryPointList"));
    m_run->setObjectName(QStringLiteral("runButton"));
    m_params->setObjectName(QStringLiteral("parameterTable"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter;
    outer->addWidget(splitter);
    m_list->setMinimumWidth(140);
    splitter->addWidget(m_list);

    auto *detail = new QWidget;
    auto *layout = new QVBoxLayout(detail);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_title->setFont(big);
    m_description->setWordWrap(true);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_command->setWordWrap(true);
    m_command->setFrameShape(QFrame::StyledPanel);
    m_command->setMargin(6);
    m_params->setHorizontalHeaderLabels(
        {tr("Parameter"), tr("Type"), tr("Default"), tr("Description")});
    m_params->verticalHeader()->hide();
    m_params->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_params->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_params->horizontalHeader()->setStretchLastSection(true);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);

    auto *head = new QHBoxLayout;
    head->addWidget(m_title, 1);
    head->addWidget(m_run);
    layout->addLayout(head);
    layout->addWidget(m_description);
    layout->addWidget(new QLabel(tr("Command")));
    layout->addWidget(m_command);
    layout->addWidget(new QLabel(tr("Parameters")));
    layout->addWidget(m_params, 1);
    layout->addWidget(m_empty);
    splitter->addWidget(detail);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({180, 600});

    connect(m_list, &QListWidget::currentRowChanged, this, &EntryPointsView::showCurrent);
    connect(m_list, &QListWidget::itemDoubleClicked, this, [this] {
        if (m_run->isEnabled())
            emit runRequested(currentEntryPoint());
    });
    connect(m_run, &QPushButton::clicked, this, [this] { emit runRequested(currentEntryPoint()); });
    showCurrent();
}

void EntryPointsView::setSnapshot(const ProjectSnapshot &snapshot)
{
    const QString keep = currentEntryPoint();
    m_project = snapshot.project;
    m_list->clear();
    if (m_project) {
        for (const EntryPoint &ep : m_project->entryPoints) {
            auto *item =
                new QListWidgetItem(QIcon(QStringLiteral(":/cairn/icons/entrypoint.svg")), ep.name);
            item->setToolTip(ep.description);
            m_list->addItem(item);
        }
    }
    if (m_project && m_project->format == ProjectFormat::MlflowStore)
        m_empty->setText(tr("An MLflow store opened read-only has nothing to launch. Its runs "
                            "are under Runs."));
    else if (m_project && m_project->entryPoints.isEmpty())
        m_empty->setText(tr("This project declares no entry points. Add them under "
                            "<code>entry_points:</code> in %1.")
                             .arg(m_project->format == ProjectFormat::None
                                      ? QStringLiteral("cairn.yaml (cairn-cli init writes one)")
                                      : projectFormatName(m_project->format)));
    else if (!m_project)
        m_empty->setText(tr("The project file has errors; see Problems."));
    else
        m_empty->clear();
    m_empty->setVisible(!m_empty->text().isEmpty());
    if (!keep.isEmpty())
        selectEntryPoint(keep);
    if (m_list->currentRow() < 0 && m_list->count() > 0)
        m_list->setCurrentRow(0);
    showCurrent();
}

void EntryPointsView::selectEntryPoint(const QString &name)
{
    const auto items = m_list->findItems(name, Qt::MatchExactly);
    if (!items.isEmpty())
        m_list->setCurrentItem(items.first());
}

QString EntryPointsView::currentEntryPoint() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->text() : QString();
}

void EntryPointsView::showCurrent()
{
    const EntryPoint *ep = m_project ? m_project->entryPoint(currentEntryPoint()) : nullptr;
    m_run->setEnabled(ep != nullptr);
    m_params->setRowCount(0);
    if (!ep) {
        m_title->setText(tr("Entry points"));
        m_description->clear();
        m_command->clear();
        return;
    }
    m_title->setText(ep->name);
    m_description->setText(ep->description.isEmpty() ? tr("No description.") : ep->description);
    m_command->setText(ep->command.simplified());
    m_params->setRowCount(int(ep->parameters.size()));
    for (int i = 0; i < ep->parameters.size(); ++i) {
        const Parameter &p = ep->parameters[i];
        m_params->setItem(i, 0, new QTableWidgetItem(p.name));
        m_params->setItem(i, 1, new QTableWidgetItem(paramTypeName(p.type)));
        m_params->setItem(
            i, 2, new QTableWidgetItem(p.defaultValue ? *p.defaultValue : tr("(required)")));
        m_params->setItem(i, 3, new QTableWidgetItem(p.description));
    }
    m_params->resizeColumnsToContents();
}

} // namespace cairn::ui
