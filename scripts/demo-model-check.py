#!/usr/bin/env python3
"""Fits BG/NBD and Gamma-Gamma by maximum likelihood to a demo data set's purchases.csv and
prints the parameters next to the ones the generator drew from — a check that the demo data
really come from those processes (needs python3-numpy and python3-scipy).

    patron demo generate --customers 100000 --out /tmp/demo
    scripts/demo-model-check.py /tmp/demo [--as-of 2025-12-31]

Same conventions as `patron run clv`: purchases on one day are one transaction, durations in
weeks, monetary = mean value of the repeat days. Returns are ignored (the generator's spend is
the order amount). The planted extra churn after bad support moves a and b a little.
"""
import argparse, collections, csv, json, os
from datetime import date
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

parser = argparse.ArgumentParser()
parser.add_argument("directory")
parser.add_argument("--as-of", help="calibration end (default: the day before the manifest's end)")
args = parser.parse_args()
manifest = json.load(open(os.path.join(args.directory, "manifest.json")))
as_of = date.fromisoformat(args.as_of).toordinal() if args.as_of else date.fromisoformat(manifest["end"]).toordinal() - 1

spend = collections.defaultdict(lambda: collections.defaultdict(float))
for row in csv.DictReader(open(os.path.join(args.directory, "purchases.csv"), newline="")):
    if row["status"] != "completed":
        continue
    try:
        day, amount = date.fromisoformat(row["ordered_at"][:10]).toordinal(), float(row["amount"])
    except ValueError:
        continue  # a row broken on purpose
    if amount < 0 or day > as_of:
        continue
    spend[row["customer_id"]][day] += amount

x, tx, T, m = [], [], [], []
for days in spend.values():
    ordered = sorted(days)
    x.append(len(ordered) - 1)
    tx.append((ordered[-1] - ordered[0]) / 7)
    T.append((as_of - ordered[0]) / 7)
    m.append(np.mean([days[d] for d in ordered[1:]]) if len(ordered) > 1 else 0.0)
x, tx, T, m = map(np.array, (x, tx, T, m))


def bgnbd_nll(log_params):
    r, alpha, a, b = np.exp(log_params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    alive = -(r + x) * np.log(alpha + T)
    dead = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + tx), -np.inf)
    return -(common + np.logaddexp(alive, dead)).sum()


repeat = x > 0
xr, mr = x[repeat], m[repeat]


def gamma_gamma_nll(log_params):
    p, q, g = np.exp(log_params)
    return -(gammaln(p * xr + q) - gammaln(p * xr) - gammaln(q) + q * np.log(g)
             + (p * xr - 1) * np.log(mr) + p * xr * np.log(xr) - (p * xr + q) * np.log(g + mr * xr)).sum()


def fit(nll, starts):
    """Nelder-Mead from several starts (a single start can wander off along a ridge); the best wins."""
    options = {"maxiter": 5000, "xatol": 1e-7, "fatol": 1e-7}
    return min((minimize(nll, np.log(start), method="Nelder-Mead", options=options) for start in starts), key=lambda r: r.fun)


bg = fit(bgnbd_nll, [[1, 1, 1, 1], [1, np.mean(T), 1, 1]])
gg = fit(gamma_gamma_nll, [[1, 1, 1], [1, 1, np.mean(mr)], [2, 2, 10]])
print(f"customers {len(x)}, one-time buyers {np.mean(x == 0):.1%}, repeat buyers {repeat.sum()}")
print("BG/NBD      r, alpha, a, b =", np.round(np.exp(bg.x), 3), "(generator: 0.55, 10, 0.9, 3.2)", "converged" if bg.success else "NOT converged")
print("Gamma-Gamma p, q, gamma     =", np.round(np.exp(gg.x), 3), "(generator: 6, 3.5, 25)", "converged" if gg.success else "NOT converged")
