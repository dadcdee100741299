#pragma once

#include "registry/gate.h"

#include <QTreeWidget>

namespace cairn::ui {

// A gate report as a tree: one row per condition, green or red (grey when it was skipped), with
// the values compared; then one row per dataset the run used, with its failed rules under it.
class GateReportView : public QTreeWidget
{
    Q_OBJECT
public:
    explicit GateReportView(QWidget *parent = nullptr);
    void setReport(const registry::GateReport &report);
    void showMessage(const QString &text);
};

} // namespace cairn::ui
