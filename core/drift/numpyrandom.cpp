#include "numpyrandom.h"

#include <algorithm>
#include <numeric>

namespace cairn::drift {

namespace {

constexpr int MiddleWord = 397;
constexpr std::uint32_t MatrixA = 0x9908b0dfU;
constexpr std::uint32_t UpperMask = 0x80000000U;
constexpr std::uint32_t LowerMask = 0x7fffffffU;

std::uint32_t twist(std::uint32_t current, std::uint32_t next, std::uint32_t shifted)
{
    const std::uint32_t y = (current & UpperMask) | (next & LowerMask);
    return shifted ^ (y >> 1) ^ ((y & 1U) != 0 ? MatrixA : 0U);
}

// numpy/core/src/umath/loops_utils.h.src: pairwise_sum for float64.
double pairwiseSum(const double *a, std::size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (std::size_t i = 0; i < n; ++i)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        std::array<double, 8> r{};
        for (std::size_t j = 0; j < 8; ++j)
            r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j)
                r[j] += a[i + j];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, n2) + pairwiseSum(a + n2, n - n2);
}

} // namespace

NumpyRandomState::NumpyRandomState(std::uint32_t seed)
{
    // numpy/random/src/mt19937/mt19937.c: mt19937_seed (Knuth's init_genrand).
    m_key[0] = seed;
    for (std::size_t i = 1; i < m_key.size(); ++i) {
        const std::uint32_t prev = m_key[i - 1];
        m_key[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(i);
    }
    m_pos = StateSize;
}

void NumpyRandomState::generate()
{
    constexpr int n = StateSize;
    constexpr int m = MiddleWord;
    int i = 0;
    for (; i < n - m; ++i)
        m_key[i] = twist(m_key[i], m_key[i + 1], m_key[i + m]);
    for (; i < n - 1; ++i)
        m_key[i] = twist(m_key[i], m_key[i + 1], m_key[i + m - n]);
    m_key[n - 1] = twist(m_key[n - 1], m_key[0], m_key[m - 1]);
    m_pos = 0;
}

std::uint64_t NumpyRandomState::randomInterval(std::uint64_t max)
{
    if (max == 0)
        return 0;
    std::uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    std::uint64_t value = 0;
    if (max <= 0xffffffffULL) {
        do {
            value = nextUInt32() & mask;
        } while (value > max);
    } else {
        do {
            value = nextUInt64() & mask;
        } while (value > max);
    }
    return value;
}

std::vector<std::int64_t> NumpyRandomState::permutation(std::int64_t n)
{
    std::vector<std::int64_t> values(static_cast<std::size_t>(n > 0 ? n : 0));
    std::iota(values.begin(), values.end(), std::int64_t(0));
    shuffle(std::span<std::int64_t>(values));
    return values;
}

double numpySum(std::span<const double> values)
{
    // np.sum over float64 reduces through the iterator's 8192-element buffers: each buffer is
    // summed pairwise and added to a total that starts at 0 (checked against numpy 1.24 for 1-D
    // arrays and for non-contiguous 2-D blocks, see tst_numerictests).
    constexpr std::size_t kBuffer = 8192;
    double total = 0;
    for (std::size_t start = 0; start < values.size(); start += kBuffer)
        total += pairwiseSum(values.data() + start, std::min(kBuffer, values.size() - start));
    return total;
}

} // namespace cairn::drift
