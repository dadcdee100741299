#include "stattests.h"

#include <numeric>

namespace cairn::drift {

double CategoricalSample::nRef() const
{
    return std::accumulate(refCounts.begin(), refCounts.end(), 0.0);
}

double CategoricalSample::nCur() const
{
    return std::accumulate(curCounts.begin(), curCounts.end(), 0.0);
}

} // namespace cairn::drift
