#include "demodata.h"

#include <QList>
#include <QString>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

using namespace Qt::StringLiterals;

namespace cairn::demo {

namespace {

// xoshiro256** seeded with splitmix64: portable and the same on every platform, unlike the
// <random> distributions, whose output the standard leaves to each library.
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
    {
        for (auto &s : m_s) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }
    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int integer(int lo, int hi) { return lo + int(uniform() * (hi - lo + 1)); } // [lo, hi]
    double normal(double mean, double sd)
    {
        if (m_hasSpare) {
            m_hasSpare = false;
            return mean + sd * m_spare;
        }
        double u = 0, v = 0;
        while (u <= 1e-300)
            u = uniform();
        v = uniform();
        const double r = std::sqrt(-2.0 * std::log(u));
        m_spare = r * std::sin(2 * std::numbers::pi * v);
        m_hasSpare = true;
        return mean + sd * r * std::cos(2 * std::numbers::pi * v);
    }
    int poisson(double lambda)
    {
        const double limit = std::exp(-lambda);
        int k = 0;
        double p = uniform();
        while (p > limit) {
            ++k;
            p *= uniform();
        }
        return k;
    }
    template<std::size_t N>
    int choice(const std::array<double, N> &weights)
    {
        double total = 0;
        for (double w : weights)
            total += w;
        double x = uniform() * total;
        for (std::size_t i = 0; i < N; ++i) {
            if (x < weights[i])
                return int(i);
            x -= weights[i];
        }
        return int(N - 1);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<std::uint64_t, 4> m_s{};
    double m_spare = 0;
    bool m_hasSpare = false;
};

struct Customer
{
    QString id;
    int age = 0;
    int tenure = 0;
    double monthly = 0;
    double total = 0;
    bool totalMissing = false;
    int supportCalls = 0;
    int contract = 0; // index into contracts
    int payment = 0;  // index into payments
    int region = 0;
    bool partner = false;
    int churned = 0;
};

const std::array<QString, 3> contracts = {u"month-to-month"_s, u"one-year"_s, u"two-year"_s};
const std::array<QString, 5> payments = {u"card"_s, u"bank_transfer"_s, u"electronic_check"_s,
                                         u"mailed_check"_s, u"wallet"_s};
const std::array<QString, 4> regions = {u"north"_s, u"south"_s, u"east"_s, u"west"_s};

// `s` in [0, 1] is how far the population has drifted from the reference; `wallet` is the share
// of a payment method the reference never saw.
Customer makeCustomer(Rng &rng, const QString &id, double s, double missingShare, double wallet)
{
    Customer c;
    c.id = id;
    c.age = std::clamp(int(std::lround(rng.normal(44, 14))), 18, 85);
    c.contract =
        rng.choice(std::array<double, 3>{0.48 + 0.25 * s, 0.27 - 0.10 * s, 0.25 - 0.15 * s});
    switch (c.contract) {
    case 0:
        c.tenure = std::clamp(int(-std::log(1 - rng.uniform()) * 14 * (1 - 0.3 * s)), 0, 72);
        break;
    case 1:
        c.tenure = rng.integer(6, 60);
        break;
    default:
        c.tenure = rng.integer(12, 72);
        break;
    }
    c.monthly = std::clamp(rng.normal(64 + 14 * s, 18), 18.25, 125.0);
    c.monthly = std::round(c.monthly * 100) / 100;
    c.total = c.tenure == 0 ? c.monthly : c.tenure * c.monthly * rng.normal(1.0, 0.04);
    c.total = std::round(std::max(c.total, c.monthly) * 100) / 100;
    c.totalMissing = rng.uniform() < missingShare;
    c.supportCalls = std::min(rng.poisson(1.3 + 2.0 * s), 9);
    const double rest = 1.0 - wallet;
    c.payment = rng.choice(std::array<double, 5>{0.30 * rest, 0.25 * rest, (0.30 + 0.05 * s) * rest,
                                                 (0.15 - 0.05 * s) * rest, wallet});
    c.region = rng.choice(std::array<double, 4>{0.30, 0.25, 0.25, 0.20});
    c.partner = rng.uniform() < 0.48;
    // Concept drift as well: support calls and the new payment method matter more, price and
    // tenure less, so a model trained on the reference loses accuracy on later batches.
    const double logit = -1.75 - 1.7 * s + 1.2 * (c.contract == 0) - 0.9 * (c.contract == 2) -
                         0.03 * (1 - 0.7 * s) * (c.tenure - 20) +
                         0.025 * (1 - s) * (c.monthly - 65) + (0.30 + 0.35 * s) * c.supportCalls -
                         0.35 * c.partner + 0.45 * (c.payment == 2) + 1.0 * (c.payment == 4) -
                         0.008 * (c.age - 44);
    c.churned = rng.uniform() < 1.0 / (1.0 + std::exp(-logit)) ? 1 : 0;
    return c;
}

QByteArray toCsv(const QList<Customer> &rows)
{
    QString out = u"customer_id,age,tenure_months,monthly_charges,total_charges,support_calls,"
                  "contract,payment_method,region,has_partner,churned\n"_s;
    out.reserve(rows.size() * 96);
    for (const Customer &c : rows) {
        out += c.id + u',' + QString::number(c.age) + u',' + QString::number(c.tenure) + u',' +
               QString::number(c.monthly, 'f', 2) + u',' +
               (c.totalMissing ? QString() : QString::number(c.total, 'f', 2)) + u',' +
               QString::number(c.supportCalls) + u',' + contracts[c.contract] + u',' +
               payments[c.payment] + u',' + regions[c.region] + u',' +
               (c.partner ? u"true"_s : u"false"_s) + u',' + QString::number(c.churned) + u'\n';
    }
    return out.toUtf8();
}

QString customerId(int n)
{
    return u"C%1"_s.arg(n, 6, 10, QLatin1Char('0'));
}

// The 3,975 real customers of the refreshed extract, in extract order.
QList<Customer> referenceCustomers()
{
    Rng rng(20260101);
    QList<Customer> rows;
    for (int i = 0; i < 3975; ++i)
        rows.append(makeCustomer(rng, customerId(100001 + i), 0.0, 0.02, 0.0));
    return rows;
}

} // namespace

QByteArray referenceV2()
{
    return toCsv(referenceCustomers());
}

QByteArray referenceV1()
{
    QList<Customer> real = referenceCustomers();
    real.resize(2975);
    Rng rng(20251201);
    // The faulty export: total_charges copied from monthly_charges for 120 long-time customers.
    int broken = 0;
    for (Customer &c : real) {
        if (broken < 120 && c.tenure >= 6 && !c.totalMissing && rng.uniform() < 0.06) {
            c.total = c.monthly;
            ++broken;
        }
    }
    // 25 internal test accounts, scattered through the extract.
    QList<Customer> rows = real;
    for (int t = 0; t < 25; ++t) {
        Customer c;
        c.id = u"TEST-%1"_s.arg(t + 1, 4, 10, QLatin1Char('0'));
        c.age = 99;
        c.tenure = 0;
        c.monthly = 0.01;
        c.total = 0.01;
        c.contract = 0;
        c.payment = 0;
        c.region = t % 4;
        rows.insert(rng.integer(0, int(rows.size())), c);
    }
    return toCsv(rows);
}

QByteArray incomingBatch(int k)
{
    k = std::clamp(k, 1, BatchCount);
    const double s = double(k - 1) / (BatchCount - 1);
    const double missing = 0.02 + 0.28 * s;
    const double wallet = k >= 4 ? 0.1 * (k - 3) : 0.0;
    Rng rng(20260200 + std::uint64_t(k));
    QList<Customer> rows;
    for (int i = 0; i < 1000; ++i)
        rows.append(makeCustomer(rng, customerId(200000 + k * 10000 + i + 1), s, missing, wallet));
    return toCsv(rows);
}

} // namespace cairn::demo
