#!/usr/bin/env python3
"""Independent reference values for the PatronModels tests, computed with numpy and scipy.

Run from the repository root:

    python3 scripts/model-reference.py            # prints every reference value
    python3 scripts/model-reference.py --write    # also (re)writes the simulated fixture
    python3 scripts/model-reference.py --rfm FILE [--per-customer OUT] [--at r,alpha,a,b,p,q,gamma]
        # the BG/NBD and Gamma-Gamma MLE, and per-customer p_alive / expected purchases /
        # CLV (12 months, 0.01 monthly discount, margin 1, weeks), of an RFM CSV with columns
        # customer_key,frequency,recency,T,monetary (monetary empty without repeats), e.g. the
        # one Tests/PatronAnalysesTests/Database/Headline/CLVPredictiveTests.swift writes; --at predicts at
        # the given parameters instead of scipy's MLE (to compare the formulas alone)

The Swift tests embed the printed numbers (Tests/PatronModelsTests/ReferenceTests.swift); none of
this code is shared with the Swift implementation. Formulas: BG/NBD from Fader, Hardie & Lee
(2005) "Counting your customers the easy way" (likelihood eq. 6, P(alive), conditional
expectation eq. 10 with scipy.special.hyp2f1); Gamma-Gamma from Fader, Hardie & Lee (2005) "RFM and
CLV: using iso-value curves".
"""
import sys
from pathlib import Path

import numpy as np
from scipy import integrate, optimize
from scipy.special import betaln, gammaln, hyp2f1

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "PatronModelsTests" / "Fixtures"
SIMULATED = FIXTURES / "simulated_bgnbd.csv"
CDNOW = FIXTURES / "cdnow_customers_summary.csv"

# Parameters of the simulated fixture (the "truth" the generator draws from).
TRUE_BGNBD = dict(r=0.5, alpha=6.0, a=0.9, b=3.0)
TRUE_GG = dict(p=4.0, q=3.0, gamma=20.0)


def simulate(n=400, seed=20261130):
    """BG/NBD purchases (no dropout after the first purchase) and Gamma-Gamma mean values."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        T = round(rng.uniform(4.0, 52.0), 4)
        lam = rng.gamma(TRUE_BGNBD["r"], 1.0 / TRUE_BGNBD["alpha"])
        p = rng.beta(TRUE_BGNBD["a"], TRUE_BGNBD["b"])
        t, x, tx = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1.0 / lam)
            if t > T:
                break
            x += 1
            tx = t
            if rng.uniform() < p:
                break
        m = 0.0
        if x > 0:
            nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["gamma"])
            m = float(np.mean(rng.gamma(TRUE_GG["p"], 1.0 / nu, size=x)))
        rows.append((x, round(tx, 4), T, round(m, 4)))
    return rows


def write_fixture(rows):
    with open(SIMULATED, "w") as f:
        f.write("x,t_x,T,m\n")
        for x, tx, T, m in rows:
            f.write(f"{x},{tx:.4f},{T:.4f},{m:.4f}\n")


def read(path, columns):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return [data[:, c] for c in columns]


def bgnbd_ll(params, x, tx, T):
    r, alpha, a, b = params
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = betaln(a, b + x) - betaln(a, b)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


def gg_ll(params, x, m):
    p, q, g = params
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x))


def mle(nll, start):
    """Nelder-Mead to the neighbourhood, then BFGS (numerical gradient) to polish, in log-space."""
    res = optimize.minimize(nll, np.log(start), method="Nelder-Mead",
                            options=dict(xatol=1e-11, fatol=1e-12, maxiter=40000, maxfev=40000))
    res = optimize.minimize(nll, res.x, method="BFGS", options=dict(gtol=1e-10))
    return np.exp(res.x), -res.fun


def p_alive(params, x, tx, T):
    r, alpha, a, b = params
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def conditional_expectation(params, x, tx, T, t):
    """Eq. 10 of Fader, Hardie & Lee (2005) with scipy's hyp2f1."""
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(params, x, tx, T)


def brute_force_expectation(params, x, tx, T, t):
    """E[X(t) | history] by integrating over λ and p numerically (scipy dblquad): the posterior of
    (λ, p) given the history is ∝ L(λ, p | x, t_x, T)·g(λ)·h(p), and E[X(t) | λ, p, alive at T]
    = (1 − e^{−λpt}) / p, so E[X(t) | ·] = ∫∫ P(alive, data | λ, p) (1 − e^{−λpt}) / p dG dH / ∫∫ L."""
    r, alpha, a, b = params
    lg = gammaln(r)
    lb = betaln(a, b)

    def prior(lam, p):
        return np.exp(r * np.log(alpha) + (r - 1) * np.log(lam) - alpha * lam - lg
                      + (a - 1) * np.log(p) + (b - 1) * np.log1p(-p) - lb)

    def alive_part(lam, p):
        return (1 - p) ** x * lam ** x * np.exp(-lam * T)

    def dead_part(lam, p):
        return p * (1 - p) ** (x - 1) * lam ** x * np.exp(-lam * tx) if x > 0 else 0.0

    lam_max = 60.0 * (r + x) / (alpha + tx)  # far in the posterior's tail
    opts = dict(epsabs=1e-14, epsrel=1e-11)
    numerator = integrate.dblquad(
        lambda lam, p: prior(lam, p) * alive_part(lam, p) * (1 - np.exp(-lam * p * t)) / p,
        0, 1, 0, lam_max, **opts)[0]
    evidence = integrate.dblquad(
        lambda lam, p: prior(lam, p) * (alive_part(lam, p) + dead_part(lam, p)),
        0, 1, 0, lam_max, **opts)[0]
    return numerator / evidence


def clv(params, gg, x, tx, T, m, months=12, discount=0.01, margin=1.0, month=365.25 / 12 / 7):
    p, q, g = gg
    value = p * (g + m * x) / (p * x + q - 1) if x > 0 and m > 0 else p * g / (q - 1)
    total, previous = 0.0, 0.0
    for i in range(1, months + 1):
        current = conditional_expectation(params, x, tx, T, i * month)
        total += (current - previous) / (1 + discount) ** i
        previous = current
    return total * value * margin, value


def fit_rfm(path, out=None, at=None):
    """MLE of both models on an RFM CSV (see the module docstring)."""
    np.set_printoptions(legacy="1.25")
    keys, x, tx, T, m = [], [], [], [], []
    with open(path) as f:
        next(f)
        for line in f:
            k, fx, fr, fT, fm = line.rstrip("\n").split(",")
            keys.append(k); x.append(float(fx)); tx.append(float(fr)); T.append(float(fT))
            m.append(float(fm) if fm else np.nan)
    x, tx, T, m = map(np.array, (x, tx, T, m))
    bg, bg_llv = mle(lambda lp: -bgnbd_ll(np.exp(lp), x, tx, T).sum(), (1.0, 1.0, 1.0, 1.0))
    print(f"customers = {len(x)}, repeat buyers = {int((x > 0).sum())}")
    print("bgnbd r, alpha, a, b =", ", ".join(repr(v) for v in bg), f"\nbgnbd log_likelihood = {bg_llv!r}")
    rep = (x > 0) & (m > 0)
    # Started at γ = mean(m), as for the simulated fixture: from γ = 1 Nelder-Mead stalls on the
    # p → ∞, γ → 0 ridge (LL −4023.9 instead of −4009.7 on the demo RFM).
    gg, gg_llv = mle(lambda lp: -gg_ll(np.exp(lp), x[rep], m[rep]).sum(), (1.0, 1.0, float(np.mean(m[rep]))))
    print(f"gamma_gamma customers = {int(rep.sum())}, excluded (monetary <= 0) = {int(((x > 0) & ~(m > 0)).sum())}")
    print("gamma_gamma p, q, gamma =", ", ".join(repr(v) for v in gg), f"\ngamma_gamma log_likelihood = {gg_llv!r}")
    if at:
        # Predict at given parameters (e.g. Patron's own fit), to compare the formulas alone.
        bg, gg = at[:4], at[4:]
        print("predicting at r, alpha, a, b =", bg, "p, q, gamma =", gg)
    if out:
        with open(out, "w") as f:
            f.write("customer_key,p_alive,expected_purchases,expected_avg_value,clv\n")
            for i, k in enumerate(keys):
                mi = m[i] if rep[i] else 0.0
                value, avg = clv(bg, gg, x[i], tx[i], T[i], mi)
                expected = conditional_expectation(bg, x[i], tx[i], T[i], 12 * 365.25 / 12 / 7)
                f.write(f"{k},{float(p_alive(bg, x[i], tx[i], T[i]))!r},{float(expected)!r},{float(avg)!r},{float(value)!r}\n")


def main():
    if "--rfm" in sys.argv:
        i = sys.argv.index("--rfm")
        out = sys.argv[sys.argv.index("--per-customer") + 1] if "--per-customer" in sys.argv else None
        at = [float(v) for v in sys.argv[sys.argv.index("--at") + 1].split(",")] if "--at" in sys.argv else None
        fit_rfm(sys.argv[i + 1], out, at)
        return
    np.set_printoptions(legacy="1.25")  # plain float reprs, as the Swift tests embed them
    if "--write" in sys.argv or not SIMULATED.exists():
        write_fixture(simulate())
    x, tx, T, m = read(SIMULATED, [0, 1, 2, 3])
    print(f"simulated fixture: {len(x)} customers, {int((x > 0).sum())} repeat buyers, sum x = {int(x.sum())}")

    given = (0.5, 6.0, 0.9, 3.0)
    print("\n# BG/NBD log-likelihood at r=0.5 alpha=6 a=0.9 b=3")
    print(f"total = {bgnbd_ll(given, x, tx, T).sum()!r}")
    for i in (0, 1, 2, 3):
        print(f"customer {i} (x={x[i]:g}, t_x={tx[i]:.4f}, T={T[i]:.4f}): {bgnbd_ll(given, x[i:i+1], tx[i:i+1], T[i:i+1])[0]!r}")

    bg, bg_ll = mle(lambda lp: -bgnbd_ll(np.exp(lp), x, tx, T).sum(), (1.0, 1.0, 1.0, 1.0))
    print("\n# BG/NBD MLE (simulated fixture)")
    print("r, alpha, a, b =", ", ".join(repr(v) for v in bg), f"\nlogLikelihood = {bg_ll!r}")

    rep = x > 0
    gg, gg_llv = mle(lambda lp: -gg_ll(np.exp(lp), x[rep], m[rep]).sum(), (1.0, 1.0, float(np.mean(m[rep]))))
    print("\n# Gamma-Gamma MLE (simulated fixture)")
    print("p, q, gamma =", ", ".join(repr(v) for v in gg), f"\nlogLikelihood = {gg_llv!r}")

    print("\n# P(alive) and E[X(t) | history] at the BG/NBD MLE above")
    cases = [(0, 0.0, 30.0, 10.0), (1, 2.0, 40.0, 10.0), (3, 20.0, 25.0, 4.0), (7, 30.5, 31.0, 52.0),
             (2, 5.0, 50.0, 500.0), (12, 11.0, 12.0, 26.0)]
    for (cx, ctx, cT, t) in cases:
        print(f"x={cx} t_x={ctx} T={cT} t={t}: pAlive = {p_alive(bg, cx, ctx, cT)!r}, "
              f"E = {conditional_expectation(bg, cx, ctx, cT, t)!r}")

    print("\n# E[X(t) | history] at r=0.243 alpha=4.414 a=0.793 b=2.426 (CDNOW-like), closed form vs brute force")
    cd = (0.243, 4.414, 0.793, 2.426)
    for (cx, ctx, cT, t) in [(2, 30.43, 38.86, 39.0), (0, 0.0, 38.86, 39.0), (5, 10.0, 30.0, 52.0)]:
        closed = conditional_expectation(cd, cx, ctx, cT, t)
        brute = brute_force_expectation(cd, cx, ctx, cT, t)
        print(f"x={cx} t_x={ctx} T={cT} t={t}: closed = {closed!r}, brute = {brute!r}, rel diff = {abs(closed-brute)/closed:.2e}")

    print("\n# a = 1 exactly is a removable singularity of eq. 10 (0/0): brute force there, eq. 10 beside it")
    at_one = (0.5, 6.0, 1.0, 3.0)
    print(f"a=1: brute = {brute_force_expectation(at_one, 3, 20.0, 25.0, 10.0)!r}")
    for a1 in (1 - 1e-6, 1 + 1e-6):
        print(f"a={a1!r}: E = {conditional_expectation((0.5, 6.0, a1, 3.0), 3, 20.0, 25.0, 10.0)!r}")

    print("\n# CLV (12 months, monthly discount 0.01, margin 1, weeks) at the two MLEs above")
    for (cx, ctx, cT, cm) in [(0, 0.0, 30.0, 0.0), (3, 20.0, 25.0, 42.5), (7, 30.5, 31.0, 18.0)]:
        value, avg = clv(bg, gg, cx, ctx, cT, cm)
        print(f"x={cx} t_x={ctx} T={cT} m={cm}: E[value] = {avg!r}, clv = {value!r}")

    if CDNOW.exists():
        cx, ctx, cT, cz = read(CDNOW, [1, 2, 3, 4])
        cdbg, cdll = mle(lambda lp: -bgnbd_ll(np.exp(lp), cx, ctx, cT).sum(), (1.0, 1.0, 1.0, 1.0))
        print("\n# CDNOW BG/NBD MLE:", ", ".join(repr(v) for v in cdbg), f"LL = {cdll!r}")
        crep = cx > 0
        cdgg, cdggll = mle(lambda lp: -gg_ll(np.exp(lp), cx[crep], cz[crep]).sum(), (1.0, 1.0, 1.0))
        print("# CDNOW Gamma-Gamma MLE:", ", ".join(repr(v) for v in cdgg), f"LL = {cdggll!r}")


if __name__ == "__main__":
    main()
