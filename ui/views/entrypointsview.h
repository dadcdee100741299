#pragma once

#include "project/snapshot.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace cairn::ui {

// The project's entry points: each one's command and typed parameters, and a Run button.
class EntryPointsView : public QWidget
{
    Q_OBJECT
public:
    explicit EntryPointsView(QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    void selectEntryPoint(const QString &name);
    QString currentEntryPoint() const;

signals:
    void runRequested(const QString &entryPoint);

private:
    void showCurrent();

    std::optional<Project> m_project;
    QListWidget *m_list;
    QLabel *m_title;
    QLabel *m_description;
    QLabel *m_command;
    QTableWidget *m_params;
    QPushButton *m_run;
    QLabel *m_empty;
};

} // namespace cairn::ui
