#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <exception>
#include <memory>
#include <type_traits>

namespace cairn::ui {

namespace detail {
template<typename T>
struct IsResult : std::false_type
{};
template<typename T>
struct IsResult<std::expected<T, Error>> : std::true_type
{};
} // namespace detail

// Runs one kind of background job for a view, the way Hotspot's JobTracker does: starting a new
// job makes the previous one stale (its result is dropped and its cancel flag is set), and a
// result never reaches a view that has gone away. Results come back on the view's thread.
class JobTracker
{
public:
    explicit JobTracker(QObject *context)
        : m_context(context)
    {}
    ~JobTracker()
    {
        *m_alive = false;
        cancel();
    }

    // `job(const std::atomic_bool &cancelled)` runs on the thread pool and returns a value;
    // `then(value)` runs on the context's thread if the job is still the newest.
    template<typename Job, typename Then>
    void run(Job job, Then then)
    {
        cancel();
        const quint64 generation = ++m_generation;
        auto cancelled = std::make_shared<std::atomic_bool>(false);
        m_cancelled = cancelled;
        QPointer<QObject> context = m_context;
        quint64 *current = &m_generation;
        auto alive = m_alive;
        (void)QtConcurrent::run(QThreadPool::globalInstance(), [=]() mutable {
            using R = std::invoke_result_t<Job &, const std::atomic_bool &>;
            auto result = [&]() -> R {
                // A job that throws (out of memory, a bug) must still answer, or its view
                // would wait for ever: a Result job answers with the error.
                if constexpr (detail::IsResult<R>::value) {
                    try {
                        return job(*cancelled);
                    } catch (const std::exception &e) {
                        return std::unexpected(Error(QStringLiteral("the background job failed: %1")
                                                         .arg(QString::fromLocal8Bit(e.what()))));
                    }
                } else {
                    return job(*cancelled);
                }
            }();
            if (*cancelled)
                return;
            // Posted to the application object, which outlives every view: the context is only
            // looked at on the GUI thread, where it cannot be half destroyed.
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [=, result = std::move(result)]() mutable {
                    if (!context || !*alive || *current != generation || *cancelled)
                        return;
                    then(std::move(result));
                },
                Qt::QueuedConnection);
        });
    }

    void cancel()
    {
        if (m_cancelled)
            *m_cancelled = true;
    }

private:
    QPointer<QObject> m_context;
    quint64 m_generation = 0;
    std::shared_ptr<std::atomic_bool> m_cancelled;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);

public:
    JobTracker(const JobTracker &) = delete;
    JobTracker &operator=(const JobTracker &) = delete;
};

} // namespace cairn::ui
