#pragma once

#include "project/snapshot.h"

#include <QWidget>

class QLabel;
class QTableView;
class QTreeWidget;

namespace cairn::ui {

class RunsModel;

// The first page of a project: what it is, where its code stands, what it can run, what data
// and models it declares.
class OverviewView : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewView(QWidget *parent = nullptr);
    void setSnapshot(const ProjectSnapshot &snapshot);

signals:
    void runRequested(const QString &entryPoint);
    void sectionRequested(int section, const QString &item);
    void runActivated(qint64 id);

private:
    QLabel *m_title;
    QLabel *m_details;
    QTreeWidget *m_entryPoints;
    QTreeWidget *m_data;
    QTableView *m_recent;
    RunsModel *m_recentModel;
};

} // namespace cairn::ui
