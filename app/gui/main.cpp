// cairn: the desktop application.

#include "common/memory.h"
#include "common/version.h"
#include "mainwindow.h"
#include "problems.h"
#include "project/command.h"
#include "settings/settings.h"
#include "theme.h"
#include "views/datasetsview.h"
#include "views/diffview.h"
#include "views/driftview.h"
#include "views/rundetailview.h"
#include "views/validationpanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    cairn::returnLargeBuffersOnFree();
    // --screenshot renders without a display when none is available.
    bool screenshot = false;
    for (int i = 1; i < argc; ++i)
        screenshot = screenshot || QByteArrayView(argv[i]) == "--screenshot";
    if (screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    QApplication::setApplicationName(u"cairn"_s);
    QApplication::setOrganizationName(u"cairn"_s);
    QApplication::setApplicationDisplayName(u"Cairn"_s);
    QApplication::setApplicationVersion(cairn::cairnVersion());
    QApplication::setDesktopFileName(u"io.github.cairn_ml.Cairn"_s);
    QApplication::setWindowIcon(QIcon(u":/cairn/icons/cairn.svg"_s));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Cairn: a desktop studio for the local machine-learning lifecycle."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption projectOption(u"project"_s, u"Open the project in DIR."_s, u"DIR"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s, u"Render the main window with the project open to FILE.png and exit."_s,
        u"FILE"_s);
    const QCommandLineOption sizeOption(
        u"size"_s, u"Window size for --screenshot (default 1280x800)."_s, u"WxH"_s, u"1280x800"_s);
    const QCommandLineOption openOption(
        u"open"_s,
        u"What to show once the project is open: overview, runs, datasets[:NAME[:validate]], "
        "models[:NAME], versions[:NAME], diff[:A|B[|rows|schema|statistics]], "
        "drift[:comparison|over-time], entry-points, pipelines, experiments[:REV,REV], or "
        "run:ID[:summary|metrics|output|code|lineage]."_s,
        u"WHAT"_s);
    const QCommandLineOption launchOption(
        u"launch"_s,
        u"Start ENTRY (with NAME=VALUE parameters after colons, e.g. train:epochs=200) once the "
        "project is open; naming it here is your go-ahead to run the project's command."_s,
        u"ENTRY"_s);
    const QCommandLineOption retrainOption(
        u"retrain"_s,
        u"Press Retrain in the drift view once the project is open: runs the project's "
        "drift.retrain entry point on the drift view's current batch; naming it here is your "
        "go-ahead."_s);
    const QCommandLineOption afterOption(
        u"screenshot-after"_s, u"Wait MS milliseconds before --screenshot renders."_s, u"MS"_s);
    parser.addOptions({projectOption, screenshotOption, sizeOption, openOption, launchOption,
                       retrainOption, afterOption});
    parser.addPositionalArgument(u"DIR"_s, u"A project folder to open (same as --project)."_s);
    parser.process(app);

    cairn::ui::applyTheme(cairn::themeFromName(cairn::settings::theme.get()));

    QString project = parser.value(projectOption);
    if (project.isEmpty() && !parser.positionalArguments().isEmpty())
        project = parser.positionalArguments().first();
    if (!project.isEmpty() && !QFileInfo(project).isDir()) {
        std::fprintf(stderr, "cairn: %s is not a folder\n", qPrintable(project));
        return 2;
    }

    cairn::ui::MainWindow::Options options;
    options.restoreLayout = !parser.isSet(screenshotOption);
    cairn::ui::MainWindow window(options);
    // Shows what --open names, once the project has loaded.
    const QString open = parser.value(openOption);
    auto showRequested = [&window, open] {
        using cairn::ui::Section;
        static const QHash<QString, Section> sections = {
            {u"overview"_s, Section::Overview},   {u"runs"_s, Section::Runs},
            {u"datasets"_s, Section::Datasets},   {u"models"_s, Section::Models},
            {u"versions"_s, Section::Versions},   {u"diff"_s, Section::Diff},
            {u"drift"_s, Section::Drift},         {u"entry-points"_s, Section::EntryPoints},
            {u"pipelines"_s, Section::Pipelines}, {u"experiments"_s, Section::Experiments}};
        if (sections.contains(open)) {
            window.openSection(sections.value(open));
        } else if (open.startsWith(u"drift:"_s)) {
            window.openSection(Section::Drift);
            window.driftView()->showTab(open.section(u':', 1));
        } else if (open.startsWith(u"datasets:"_s)) {
            // datasets:NAME[:validate]: selects the dataset (or file) and validates it.
            const QStringList parts = open.split(u':');
            window.openSection(Section::Datasets, parts.value(1));
            if (parts.value(2) == u"validate"_s)
                window.datasetsView()->validation()->validate();
        } else if (open.startsWith(u"experiments:"_s)) {
            // experiments:REV,REV selects those rows (and compares them).
            window.openSection(Section::Experiments, open.mid(12));
        } else if (open.startsWith(u"models:"_s)) {
            window.openSection(Section::Models, open.mid(7));
        } else if (open.startsWith(u"versions:"_s)) {
            window.openSection(Section::Versions, open.mid(9));
        } else if (open.startsWith(u"diff:"_s)) {
            // diff:A|B[|TAB]: compares two versions and shows a tab (rows, schema, statistics).
            const QStringList parts = open.mid(5).split(u'|');
            window.compareVersions(parts.value(0), parts.value(1));
            if (parts.size() > 2)
                window.diffView()->showTab(parts.value(2));
        } else if (open.startsWith(u"run:"_s)) {
            const QStringList parts = open.split(u':');
            if (auto *view = window.openRun(parts.value(1).toLongLong()); view && parts.size() > 2)
                view->showTab(parts.value(2));
        }
    };
    const QStringList launch = parser.value(launchOption).split(u':', Qt::SkipEmptyParts);
    const bool retrain = parser.isSet(retrainOption);
    if (!open.isEmpty() || !launch.isEmpty() || retrain) {
        QObject::connect(
            &window, &cairn::ui::MainWindow::projectLoaded, &window,
            [&window, showRequested, launch, open, retrain](const QString &, bool ok) {
                if (!ok)
                    return;
                if (retrain)
                    window.retrainNow();
                if (!launch.isEmpty()) {
                    if (auto values = cairn::parseParamAssignments(launch.mid(1)))
                        window.launchNow(launch.first(), *values);
                    else
                        std::fprintf(stderr, "cairn: %s\n", qPrintable(values.error().toString()));
                }
                if (!open.isEmpty())
                    showRequested();
            },
            Qt::SingleShotConnection);
    }

    if (parser.isSet(screenshotOption)) {
        const QString out = parser.value(screenshotOption);
        const QStringList size = parser.value(sizeOption).split(u'x');
        const int w = size.value(0).toInt();
        const int h = size.value(1).toInt();
        window.resize(w > 0 ? w : 1280, h > 0 ? h : 800);
        window.show();
        bool loaded = project.isEmpty();
        if (!project.isEmpty()) {
            QEventLoop loop;
            QObject::connect(&window, &cairn::ui::MainWindow::projectLoaded, &loop,
                             [&](const QString &, bool) {
                                 loaded = true;
                                 loop.quit();
                             });
            QTimer::singleShot(30000, &loop, &QEventLoop::quit);
            window.openProject(project);
            loop.exec();
            if (!loaded) {
                std::fprintf(stderr, "cairn: timed out loading %s\n", qPrintable(project));
                return 1;
            }
        }
        // Let background jobs (row counts, runs, charts) land and layouts settle.
        QEventLoop settle;
        const int after = parser.isSet(afterOption) ? parser.value(afterOption).toInt()
                                                    : (open.isEmpty() ? 600 : 1500);
        QTimer::singleShot(after, &settle, &QEventLoop::quit);
        settle.exec();
        // The drift view computes in the background: shoot once its results are shown.
        if (cairn::ui::DriftView *drift = window.driftView(); drift->isBusy()) {
            QEventLoop idle;
            QObject::connect(drift, &cairn::ui::DriftView::busyChanged, &idle, [&idle](bool busy) {
                if (!busy)
                    idle.quit();
            });
            QTimer::singleShot(120000, &idle, &QEventLoop::quit);
            idle.exec();
            QTimer::singleShot(300, &idle, &QEventLoop::quit); // queued replots
            idle.exec();
        }
        if (cairn::ui::ValidationPanel *v = window.datasetsView()->validation(); v->busy()) {
            QEventLoop idle;
            QObject::connect(v, &cairn::ui::ValidationPanel::finished, &idle, &QEventLoop::quit);
            QTimer::singleShot(120000, &idle, &QEventLoop::quit);
            idle.exec();
        }
        // Headless, nobody sees the Problems dock: say what went wrong.
        for (const auto &problem : window.problems()->problems())
            std::fprintf(stderr, "cairn: %s\n", qPrintable(problem.error.toString()));
        const QPixmap shot = window.grab();
        if (!shot.save(out, "PNG")) {
            std::fprintf(stderr, "cairn: cannot write %s\n", qPrintable(out));
            return 1;
        }
        std::printf("Wrote %s (%dx%d)\n", qPrintable(QDir::toNativeSeparators(out)), shot.width(),
                    shot.height());
        return 0;
    }

    window.show();
    if (!project.isEmpty())
        window.openProject(project);
    else if (const QString last = cairn::settings::lastProject.get();
             !last.isEmpty() && QFileInfo(last).isDir())
        window.openProject(last);
    return app.exec();
}
