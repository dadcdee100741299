#include "settingsdialog.h"

#include "settings/settings.h"
#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace cairn::ui {

SettingsDialog::SettingsDialog(QWidget *parent)
    : QDialog(parent)
    , m_python(new QLineEdit(settings::pythonInterpreter.get()))
    , m_detected(new QLabel)
    , m_theme(new QComboBox)
    , m_concurrent(new QSpinBox)
    , m_objectsMaxFile(new QSpinBox)
    , m_objectsMaxTotal(new QSpinBox)
{
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;

    auto *pyRow = new QWidget;
    auto *h = new QHBoxLayout(pyRow);
    h->setContentsMargins(0, 0, 0, 0);
    m_python->setObjectName(QStringLiteral("pythonInterpreter"));
    m_python->setPlaceholderText(tr("automatic (python3 on PATH)"));
    h->addWidget(m_python, 1);
    auto *browse = new QToolButton;
    browse->setText(tr("…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Python interpreter"),
                                                       QStringLiteral("/usr/bin"));
        if (!f.isEmpty())
            m_python->setText(f);
    });
    h->addWidget(browse);
    form->addRow(tr("Python interpreter"), pyRow);
    m_detected->setWordWrap(true);
    form->addRow(QString(), m_detected);
    connect(m_python, &QLineEdit::textChanged, this, &SettingsDialog::updateDetected);

    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("Follow the system"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(settings::theme.get())));
    form->addRow(tr("Theme"), m_theme);

    m_concurrent->setRange(1, 64);
    m_concurrent->setValue(settings::maxConcurrentRuns.get());
    m_concurrent->setToolTip(tr("Runs beyond this number wait in the queue"));
    form->addRow(tr("Runs at the same time"), m_concurrent);

    // The object store (.cairn/objects): old contents of datasets and models, for diffs.
    m_objectsMaxFile->setObjectName(QStringLiteral("objectsMaxFileMB"));
    m_objectsMaxFile->setRange(0, 1 << 20);
    m_objectsMaxFile->setSuffix(tr(" MiB"));
    m_objectsMaxFile->setSpecialValueText(tr("keep nothing"));
    m_objectsMaxFile->setValue(settings::objectsMaxFileMB.get());
    m_objectsMaxFile->setToolTip(tr("Contents of declared datasets and models up to this size "
                                    "are kept in .cairn/objects, so their versions stay "
                                    "diffable after the files change"));
    form->addRow(tr("Keep file contents up to"), m_objectsMaxFile);
    m_objectsMaxTotal->setObjectName(QStringLiteral("objectsMaxTotalMB"));
    m_objectsMaxTotal->setRange(0, 1 << 24);
    m_objectsMaxTotal->setSuffix(tr(" MiB"));
    m_objectsMaxTotal->setSpecialValueText(tr("keep nothing"));
    m_objectsMaxTotal->setValue(settings::objectsMaxTotalMB.get());
    m_objectsMaxTotal->setToolTip(tr("Past this total the oldest kept contents that no declared "
                                     "file holds now are removed"));
    form->addRow(tr("Object store limit"), m_objectsMaxTotal);

    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(480);
    updateDetected();
}

void SettingsDialog::updateDetected()
{
    // Resolve as the launcher will, with the text as typed.
    const auto found = resolvePythonInterpreter(m_python->text());
    m_detected->setText(found ? tr("Runs `python` commands with %1").arg(*found)
                              : QStringLiteral("<span style='color:#c0392b'>%1</span>")
                                    .arg(found.error().toHtmlEscaped()));
}

void SettingsDialog::accept()
{
    settings::pythonInterpreter.set(m_python->text().trimmed());
    const QString theme = m_theme->currentData().toString();
    settings::theme.set(theme);
    settings::maxConcurrentRuns.set(m_concurrent->value());
    settings::objectsMaxFileMB.set(m_objectsMaxFile->value());
    settings::objectsMaxTotalMB.set(m_objectsMaxTotal->value());
    applyTheme(themeFromName(theme));
    QDialog::accept();
}

} // namespace cairn::ui
