#pragma once

#include <QByteArray>

namespace cairn::demo {

// The demo project's tables, generated deterministically (the same bytes on every machine):
// customers of a subscription service with numeric, count and categorical features and a churn
// label drawn from a known logistic model.

// The first extract: 3,000 customers, 25 internal test accounts among them, and 120 rows whose
// total_charges were copied from monthly_charges by a faulty export.
QByteArray referenceV1();
// The refreshed extract: test accounts dropped, the faulty cells fixed, 1,000 customers added.
QByteArray referenceV2();
// Monthly batch `k` (1..6) of 1,000 new customers. Batch 1 follows the reference distribution;
// later batches drift progressively (prices, contract mix, support calls, a new payment
// method, missing total_charges from 2% to 30%, and a stronger effect of support calls on churn).
QByteArray incomingBatch(int k);

inline constexpr int BatchCount = 6;

} // namespace cairn::demo
