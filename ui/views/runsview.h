#pragma once

#include "jobtracker.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace cairn::ui {

class RunsModel;

// The project's runs, newest first, refreshed from the store in the background.
class RunsView : public QWidget
{
    Q_OBJECT
public:
    explicit RunsView(QWidget *parent = nullptr);

    void setProjectRoot(const QString &root);
    void refresh();
    RunsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }

signals:
    void runActivated(qint64 id);
    void refreshed();

private:
    QString m_root;
    RunsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_empty;
    JobTracker m_loader{this};
};

} // namespace cairn::ui
