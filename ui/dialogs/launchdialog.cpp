#include "launchdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

LaunchDialog::LaunchDialog(const Project &project, const EntryPoint &entryPoint, QWidget *parent)
    : QDialog(parent)
    , m_project(project)
    , m_entryPoint(entryPoint)
    , m_name(new QLineEdit)
    , m_preview(new QLabel)
    , m_error(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Run %1").arg(entryPoint.name));
    setObjectName(QStringLiteral("launchDialog"));
    auto *layout = new QVBoxLayout(this);
    if (!entryPoint.description.isEmpty()) {
        auto *d = new QLabel(entryPoint.description);
        d->setWordWrap(true);
        layout->addWidget(d);
    }
    auto *form = new QFormLayout;
    m_name->setObjectName(QStringLiteral("runName"));
    m_name->setPlaceholderText(tr("optional"));
    form->addRow(tr("Run name"), m_name);
    for (const Parameter &p : entryPoint.parameters) {
        QWidget *field = nullptr;
        if (p.type == ParamType::Bool) {
            auto *box = new QCheckBox;
            const QString d = p.defaultValue.value_or(QString()).toLower();
            box->setChecked(d == u"true" || d == u"yes" || d == u"1" || d == u"on");
            connect(box, &QCheckBox::toggled, this, &LaunchDialog::validate);
            field = box;
            form->addRow(p.name, box);
        } else {
            auto *edit = new QLineEdit(p.defaultValue.value_or(QString()));
            if (!p.defaultValue)
                edit->setPlaceholderText(tr("required"));
            connect(edit, &QLineEdit::textChanged, this, &LaunchDialog::validate);
            field = edit;
            if (p.type == ParamType::Path) {
                auto *row = new QWidget;
                auto *h = new QHBoxLayout(row);
                h->setContentsMargins(0, 0, 0, 0);
                h->addWidget(edit, 1);
                auto *browse = new QToolButton;
                browse->setText(tr("…"));
                browse->setToolTip(tr("Choose a file"));
                connect(browse, &QToolButton::clicked, this, [this, edit] {
                    const QString f = QFileDialog::getOpenFileName(
                        this, tr("Choose a file"), m_project.absolutePath(edit->text()));
                    if (!f.isEmpty())
                        edit->setText(m_project.relativePath(f).startsWith(QStringLiteral(".."))
                                          ? f
                                          : m_project.relativePath(f));
                });
                h->addWidget(browse);
                form->addRow(p.name, row);
            } else {
                form->addRow(p.name, edit);
            }
        }
        field->setObjectName(QStringLiteral("param_") + p.name);
        QString tip = paramTypeName(p.type);
        if (!p.description.isEmpty())
            tip += QStringLiteral(": ") + p.description;
        field->setToolTip(tip);
        m_fields.insert(p.name, field);
    }
    layout->addLayout(form);
    m_previewTitle = new QLabel(tr("Command"));
    layout->addWidget(m_previewTitle);
    m_preview->setObjectName(QStringLiteral("commandPreview"));
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setMargin(6);
    layout->addWidget(m_preview);
    m_error->setObjectName(QStringLiteral("launchError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    layout->addWidget(m_error);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
    m_buttons->button(QDialogButtonBox::Ok)
        ->setIcon(QIcon(QStringLiteral(":/cairn/icons/run.svg")));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);
    validate();
}

static EntryPoint pipelineAsEntryPoint(const PipelineSpec &pipeline)
{
    EntryPoint e;
    e.name = pipeline.name;
    e.description = pipeline.description;
    e.parameters = pipeline.parameters;
    return e;
}

LaunchDialog::LaunchDialog(const Project &project, const PipelineSpec &pipeline, QWidget *parent)
    : LaunchDialog(project, pipelineAsEntryPoint(pipeline), parent)
{
    m_pipeline = pipeline;
    setWindowTitle(tr("Start pipeline %1").arg(pipeline.name));
    m_name->setEnabled(false);
    m_name->setPlaceholderText(tr("each step's run is named after the pipeline"));
    m_previewTitle->setText(tr("Steps, in order (a failed step stops the chain)"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start Pipeline"));
    validate();
}

ParamValues LaunchDialog::values() const
{
    ParamValues out;
    for (const Parameter &p : m_entryPoint.parameters) {
        QWidget *w = m_fields.value(p.name);
        if (auto *box = qobject_cast<QCheckBox *>(w))
            out.append(
                {p.name, box->isChecked() ? QStringLiteral("true") : QStringLiteral("false")});
        else if (auto *edit = qobject_cast<QLineEdit *>(w); edit && !edit->text().isEmpty())
            out.append({p.name, edit->text()});
    }
    return out;
}

void LaunchDialog::setValues(const ParamValues &values)
{
    for (const auto &[name, value] : values) {
        QWidget *w = m_fields.value(name);
        if (auto *box = qobject_cast<QCheckBox *>(w)) {
            const QString v = value.toLower();
            box->setChecked(v == u"true" || v == u"yes" || v == u"1" || v == u"on");
        } else if (auto *edit = qobject_cast<QLineEdit *>(w)) {
            edit->setText(value);
        }
    }
    validate();
}

QString LaunchDialog::runName() const
{
    return m_name->text().trimmed();
}

void LaunchDialog::validate()
{
    // Each field on its own, so the one that is wrong is marked...
    const ParamValues given = values();
    for (const Parameter &p : m_entryPoint.parameters) {
        auto *edit = qobject_cast<QLineEdit *>(m_fields.value(p.name));
        if (!edit)
            continue;
        const bool bad = edit->text().isEmpty() ? p.isRequired()
                                                : !checkParameterValue(p, edit->text()).has_value();
        edit->setStyleSheet(bad ? QStringLiteral("border: 1px solid #c0392b") : QString());
    }
    if (m_pipeline) {
        // Each value checked as preparePipeline will, and the steps with the values in place.
        QStringList problems;
        QStringList steps;
        for (const Parameter &p : m_pipeline->parameters) {
            const auto it = std::find_if(given.begin(), given.end(),
                                         [&](const auto &v) { return v.first == p.name; });
            if (it == given.end()) {
                if (p.isRequired())
                    problems << tr("\"%1\" needs a value").arg(p.name);
            } else if (auto ok = checkParameterValue(p, it->second); !ok) {
                problems << ok.error().message;
            }
        }
        int n = 0;
        for (const PipelineStep &step : m_pipeline->steps) {
            QString line = step.displayName();
            for (const auto &[k, v] : step.parameters)
                line += u" %1=%2"_s.arg(k, v);
            for (const Parameter &p : m_pipeline->parameters) {
                const auto it = std::find_if(given.begin(), given.end(),
                                             [&](const auto &v) { return v.first == p.name; });
                const QString value =
                    it != given.end() ? it->second : p.defaultValue.value_or(QString());
                line.replace(u"{%1}"_s.arg(p.name), value);
            }
            steps << u"%1. %2"_s.arg(++n).arg(line);
        }
        m_preview->setText(steps.join(QLatin1Char('\n')));
        m_error->setText(problems.join(QLatin1Char('\n')));
        m_error->setVisible(!problems.isEmpty());
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problems.isEmpty());
        return;
    }
    // ...and the whole command exactly as the launcher will build it.
    const auto cmd = buildLaunchCommand(m_project, m_entryPoint.name, given);
    QStringList problems;
    if (!cmd) {
        for (const Error &e : cmd.error())
            problems << e.message + (e.hint.isEmpty() ? QString() : QStringLiteral(". ") + e.hint);
    }
    m_preview->setText(cmd ? cmd->shellCommand : tr("(fix the values above)"));
    m_error->setText(problems.join(QLatin1Char('\n')));
    m_error->setVisible(!problems.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(cmd.has_value());
}

} // namespace cairn::ui
