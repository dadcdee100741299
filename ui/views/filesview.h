#pragma once

#include "jobtracker.h"
#include "project/snapshot.h"

#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace cairn::ui {

// Datasets or models: each declared entry with the files its paths match now, their size,
// modification time and, for tables, the number of rows (counted in the background).
class FilesView : public QWidget
{
    Q_OBJECT
public:
    enum class Kind
    {
        Datasets,
        Models
    };
    explicit FilesView(Kind kind, QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    void selectEntry(const QString &name);
    QTreeWidget *tree() const { return m_tree; }

private:
    Kind m_kind;
    QTreeWidget *m_tree;
    QLabel *m_empty;
    JobTracker m_rows{this};
};

} // namespace cairn::ui
