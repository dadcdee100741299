#pragma once

#include "pipeline/pipeline.h"

#include <QWidget>

namespace cairn::ui {

// A pipeline run's progress as a strip of steps: one chip per step, in order, coloured by its
// status (grey pending, blue running, green finished, red failed, light grey skipped), with
// its run number under the name. Clicking a step that has a run asks to open it.
class PipelineStrip : public QWidget
{
    Q_OBJECT
public:
    explicit PipelineStrip(QWidget *parent = nullptr);

    void setSteps(const QList<pipeline::StepRecord> &steps);
    const QList<pipeline::StepRecord> &steps() const { return m_steps; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void stepClicked(int position, qint64 runId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QList<QRect> chipRects() const;
    int stepAt(const QPoint &pos) const;

    QList<pipeline::StepRecord> m_steps;
};

} // namespace cairn::ui
