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
    // `runs` is the runs table's model; the overview shows its newest rows.
    explicit OverviewView(RunsModel *runs, QWidget *parent = nullptr);
    void setSnapshot(const ProjectSnapshot &snapshot);

signals:
    void runRequested(const QString &entryPoint);
    void sectionRequested(int section, const QString &item);

private:
    QLabel *m_title;
    QLabel *m_details;
    QTreeWidget *m_entryPoints;
    QTreeWidget *m_data;
    QTableView *m_recent;
};

} // namespace cairn::ui
