#pragma once

#include "versioning/versions.h"

#include <QWidget>

namespace cairn::ui {

// The versions of one file as a timeline, oldest on the left: a node per version with its label
// (v1, v2, …) and date above, and its lineage below (the run that made it, the runs that used
// it). The file's content now is a filled node; the selected one is ringed. Nodes are evenly
// spaced, so a burst of versions in a day stays readable; the widget grows wider than its
// viewport when there are many (put it in a scroll area).
class VersionTimeline : public QWidget
{
    Q_OBJECT
public:
    explicit VersionTimeline(QWidget *parent = nullptr);

    void setVersions(const QList<DataVersion> &versions); // one file's, oldest first
    void setSelected(int index);
    int selected() const { return m_selected; }
    // The node under `pos`, or -1.
    int versionAt(QPoint pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void versionClicked(int index);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    QPointF nodeCenter(int index) const;
    int slotWidth() const;

    QList<DataVersion> m_versions;
    int m_selected = -1;
};

// "#12 train" for a run: its id and entry point, and its name when it has one.
QString runLabel(const VersionRun &run);
// The runs as "#12 train, #15 validate", at most `max` of them, then "and N more".
QString runsLabel(const QList<VersionRun> &runs, int max = 3);

} // namespace cairn::ui
