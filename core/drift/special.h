#pragma once

// Special functions and distributions the drift tests need, to scipy 1.10's accuracy.

namespace cairn::drift {

double normalCdf(double x);
double normalSf(double x);
// Regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P.
double gammaP(double a, double x);
double gammaQ(double a, double x);
// Chi-square survival function with k degrees of freedom (scipy.stats.chi2.sf).
double chi2Sf(double x, double k);
// Regularized incomplete beta I_x(a, b).
double betaInc(double a, double b, double x);
// Student t survival function (scipy.stats.t.sf).
double studentTSf(double t, double df);
// log Gamma.
double lnGamma(double x);

} // namespace cairn::drift
