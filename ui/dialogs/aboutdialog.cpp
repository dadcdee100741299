#include "aboutdialog.h"

#include "charts/qcustomplot.h"
#include "common/version.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cairn::ui {

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("About Cairn"));
    setObjectName(QStringLiteral("aboutDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *icon = new QLabel;
    icon->setPixmap(QIcon(QStringLiteral(":/cairn/icons/cairn.svg")).pixmap(64, 64));
    layout->addWidget(icon, 0, Qt::AlignHCenter);
    auto *title = new QLabel(tr("<h2>Cairn %1</h2><p>A desktop studio for the local "
                                "machine-learning lifecycle: runs, metrics, drift, versions and "
                                "promotion, on your own machine.</p>")
                                 .arg(cairnVersion()));
    title->setWordWrap(true);
    title->setAlignment(Qt::AlignHCenter);
    layout->addWidget(title);

    auto versions = coreLibraryVersions();
    versions.append({QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR)});
    auto *table = new QTableWidget(int(versions.size()), 2);
    table->setObjectName(QStringLiteral("libraryVersions"));
    table->setHorizontalHeaderLabels({tr("Library"), tr("Version")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setStretchLastSection(true);
    for (int i = 0; i < versions.size(); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(versions[i].first));
        table->setItem(i, 1, new QTableWidgetItem(versions[i].second));
    }
    table->resizeColumnsToContents();
    layout->addWidget(table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(420, 420);
}

} // namespace cairn::ui
