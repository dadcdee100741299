#pragma once

// Special functions and distributions the drift tests need, to scipy 1.10's accuracy.
// Hand-written (no numerical library); each is checked against scipy in tst_numerictests.

#include <cstdint>

namespace cairn::drift {

// scipy.special.ndtr (normal CDF) and scipy.stats.norm.sf.
double normalCdf(double x);
double normalSf(double x);
// Regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P (scipy.special.gammainc/gammaincc).
double gammaP(double a, double x);
double gammaQ(double a, double x);
// Chi-square survival function with k degrees of freedom (scipy.stats.chi2.sf).
double chi2Sf(double x, double k);
// Regularized incomplete beta I_x(a, b) (scipy.special.betainc).
double betaInc(double a, double b, double x);
// Student t survival function (scipy.stats.t.sf).
double studentTSf(double t, double df);
// log |Gamma(x)| (scipy.special.gammaln; a port of Cephes' lgam).
double lnGamma(double x);

// Modified Bessel function of the second kind K_nu(x) for x > 0 (scipy.special.kv), by the
// trapezoidal rule on K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt (exponentially
// convergent for this integrand).
double besselK(double nu, double x);
// One-sided Smirnov survival function P(D+_n >= d) (scipy.special.smirnov).
double smirnovSf(std::int64_t n, double d);
// Two-sided one-sample Kolmogorov-Smirnov survival function P(D_n >= d)
// (scipy.stats.kstwo.sf(d, n), i.e. scipy.stats._ksstats.kolmogn(n, d, cdf=False)).
double kolmogorovSmirnovSf(std::int64_t n, double d);
// CDF of the limiting one-sample Cramer-von Mises statistic (scipy.stats._hypotests._cdf_cvm_inf,
// including its stopping rule: terms are added until one is below 1e-7).
double cramerVonMisesInfCdf(double x);

} // namespace cairn::drift
