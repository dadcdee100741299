#pragma once

#include "project/snapshot.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace cairn::ui {

// The drift settings: the reference the model was trained on and the batches compared with it.
class DriftView : public QWidget
{
    Q_OBJECT
public:
    explicit DriftView(QWidget *parent = nullptr);
    void setSnapshot(const ProjectSnapshot &snapshot);

private:
    QLabel *m_summary;
    QTreeWidget *m_files;
};

// The files a drift setting names: a dataset's files, or the files a path or glob matches.
QStringList resolveDriftFiles(const Project &project, const QString &setting);

} // namespace cairn::ui
