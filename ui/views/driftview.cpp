#include "driftview.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::ui {

QStringList resolveDriftFiles(const Project &project, const QString &setting)
{
    if (const DatasetSpec *d = project.dataset(setting))
        return project.resolveFiles(d->paths);
    return project.resolveFiles({setting});
}

DriftView::DriftView(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_files(new QTreeWidget)
{
    auto *layout = new QVBoxLayout(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_files->setObjectName(QStringLiteral("driftFiles"));
    m_files->setHeaderLabels({tr("Role / file"), tr("Size"), tr("Modified")});
    m_files->header()->setStretchLastSection(true);
    layout->addWidget(m_summary);
    layout->addWidget(m_files, 1);
}

void DriftView::setSnapshot(const ProjectSnapshot &snapshot)
{
    m_files->clear();
    if (!snapshot.project) {
        m_summary->setText(tr("The project file has errors; see Problems."));
        return;
    }
    const Project &p = *snapshot.project;
    if (!p.drift) {
        m_summary->setText(
            tr("<p>No drift settings. Name the data the model was trained on and "
               "the batches of new data in <code>cairn.yaml</code>:</p>"
               "<pre>drift:\n  reference: train\n  current: data/incoming/*.csv</pre>"));
        return;
    }
    const QStringList reference = resolveDriftFiles(p, p.drift->reference);
    const QStringList current = resolveDriftFiles(p, p.drift->current);
    m_summary->setText(tr("<p>Each batch of <b>%1</b> (%2 files) is compared with the reference "
                          "<b>%3</b>. The per-feature drift statistics and the drift chart are not "
                          "computed by this version of Cairn yet.</p>")
                           .arg(p.drift->current.toHtmlEscaped())
                           .arg(current.size())
                           .arg(p.drift->reference.toHtmlEscaped()));
    const QLocale locale;
    auto group = [&](const QString &title, const QStringList &files) {
        auto *top = new QTreeWidgetItem(m_files, {title});
        for (const QString &f : files) {
            const QFileInfo fi(f);
            new QTreeWidgetItem(top, {p.relativePath(f), locale.formattedDataSize(fi.size()),
                                      locale.toString(fi.lastModified(), QLocale::ShortFormat)});
        }
        if (files.isEmpty())
            new QTreeWidgetItem(top, {tr("no file matches yet")});
        top->setExpanded(true);
    };
    group(tr("Reference: %1").arg(p.drift->reference), reference);
    group(tr("Current batches: %1").arg(p.drift->current), current);
    m_files->resizeColumnToContents(0);
}

} // namespace cairn::ui
