#pragma once

#include "project/command.h"
#include "project/project.h"

#include <QDialog>
#include <QHash>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QWidget;

namespace cairn::ui {

// Asks for an entry point's parameter values, one typed field each, and checks every value
// before the run can start: a float parameter given "abc" keeps the dialog open with the reason.
class LaunchDialog : public QDialog
{
    Q_OBJECT
public:
    LaunchDialog(const Project &project, const EntryPoint &entryPoint, QWidget *parent = nullptr);
    // The same for a pipeline's parameters; the preview lists its steps.
    LaunchDialog(const Project &project, const PipelineSpec &pipeline, QWidget *parent = nullptr);

    ParamValues values() const;
    // Fills the fields from `values` (a previous run's); unknown names are ignored.
    void setValues(const ParamValues &values);
    QString runName() const;
    // The value field of a parameter, for tests.
    QWidget *field(const QString &param) const { return m_fields.value(param); }

private:
    void validate();

    const Project &m_project;
    EntryPoint m_entryPoint;
    std::optional<PipelineSpec> m_pipeline;
    QLabel *m_previewTitle = nullptr;
    QHash<QString, QWidget *> m_fields;
    QLineEdit *m_name;
    QLabel *m_preview;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace cairn::ui
