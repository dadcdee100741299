#pragma once

// numpy's legacy global random generator (numpy.random.RandomState, what np.random.seed() and
// np.random.permutation() use) on MT19937, reproduced bit for bit for numpy 1.24, so that
// Evidently's permutation tests give the very same p-values. Also numpy's float64 summation,
// which the drift tests need to reproduce scipy's rounding.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace cairn::drift {

class NumpyRandomState
{
public:
    // np.random.seed(seed) for an integer seed: MT19937's init_genrand (numpy's mt19937_seed).
    explicit NumpyRandomState(std::uint32_t seed);

    // One tempered MT19937 output (numpy's next_uint32).
    std::uint32_t nextUInt32()
    {
        if (m_pos == StateSize)
            generate();
        std::uint32_t y = m_key[static_cast<std::size_t>(m_pos++)];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    // numpy's mt19937_next64: the first 32-bit draw is the high word.
    std::uint64_t nextUInt64()
    {
        const std::uint64_t high = nextUInt32();
        return (high << 32) | nextUInt32();
    }

    // numpy's random_interval: a uniform integer in [0, max] by masking and rejection, from
    // 32-bit draws when max fits in 32 bits, else from 64-bit draws.
    std::uint64_t randomInterval(std::uint64_t max);

    // np.random.permutation(n): the legacy shuffle of arange(n).
    std::vector<std::int64_t> permutation(std::int64_t n);

    // np.random.shuffle on a one-dimensional array: for i = n-1 .. 1, swap element i with
    // element randomInterval(i). Shuffling data directly gives data[permutation(n)] from the
    // same stream position.
    template<typename T>
    void shuffle(std::span<T> values)
    {
        for (std::size_t i = values.size(); i > 1;) {
            --i;
            const auto j = static_cast<std::size_t>(randomInterval(i));
            std::swap(values[i], values[j]);
        }
    }

private:
    static constexpr int StateSize = 624;
    void generate();

    std::array<std::uint32_t, StateSize> m_key{};
    int m_pos = StateSize;
};

// np.sum / np.add.reduce over a float64 array: numpy's pairwise summation (blocks of up to 128
// values summed with eight accumulators) over each 8192-value buffer, buffers added in order,
// so results round exactly as numpy's.
double numpySum(std::span<const double> values);

} // namespace cairn::drift
