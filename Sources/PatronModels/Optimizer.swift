// Unconstrained minimization for the maximum-likelihood fits. The models optimize their
// log-parameters, so every point is a valid parameter vector. BFGS with an analytic gradient and a
// backtracking (Armijo) line search does the work (Nocedal & Wright, "Numerical Optimization",
// ch. 6 and 3.5); Nelder–Mead with restarts is the fallback when BFGS stalls away from a stationary
// point (Lagarias et al. 1998).

/// f(x) and, written into the second argument, ∇f(x).
typealias Objective = ([Double], inout [Double]) -> Double

struct Minimum {
    var point: [Double]
    var value: Double
    var gradient: [Double]
    var iterations: Int
    var evaluations: Int
    var converged: Bool
    var reason: String

    var gradientNorm: Double { gradient.reduce(0) { max($0, abs($1)) } }
}

enum Optimizer {
    struct Settings {
        /// Stop when every component of the gradient is below this.
        var gradientTolerance = 1e-9
        var maxIterations = 400
        /// The largest move of one log-parameter in one line search (e² ≈ a factor of 7.4).
        var maxStep = 2.0
        /// A coordinate beyond ±bound means the optimum is at infinity: stop there.
        var bound = 30.0
    }

    /// BFGS from `start`, falling back to Nelder–Mead restarts and a second BFGS run when the
    /// first one stalls with a large gradient.
    static func minimize(_ objective: Objective, start: [Double], settings: Settings = Settings()) -> Minimum {
        var first = bfgs(objective, start: start, settings: settings)
        if first.converged || first.reason.hasPrefix("diverged") || !first.value.isFinite { return first }
        var evaluations = first.evaluations
        var point = first.point
        var value = first.value
        for _ in 0..<3 {
            let simplex = nelderMead({ x in var g = [Double](repeating: 0, count: x.count); return objective(x, &g) },
                                     start: point, step: 0.3, maxEvaluations: 2000)
            evaluations += simplex.evaluations
            let improved = simplex.value < value - 1e-12 * max(1, abs(value))
            point = simplex.point
            value = min(value, simplex.value)
            if !improved { break }
        }
        var second = bfgs(objective, start: point, settings: settings)
        second.iterations += first.iterations
        second.evaluations += evaluations
        if !second.converged && first.value < second.value { first.evaluations = second.evaluations; return first }
        second.reason += " (after a Nelder–Mead restart)"
        return second
    }

    static func bfgs(_ objective: Objective, start: [Double], settings: Settings) -> Minimum {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        var evaluations = 1
        func result(_ iterations: Int, _ converged: Bool, _ reason: String) -> Minimum {
            Minimum(point: x, value: f, gradient: g, iterations: iterations, evaluations: evaluations,
                    converged: converged, reason: reason)
        }
        guard f.isFinite, g.allSatisfy(\.isFinite) else {
            return result(0, false, "the log-likelihood is not finite at the starting point")
        }
        var h = identity(n)
        var isIdentity = true
        var firstUpdate = true
        var flatIterations = 0
        var trial = [Double](repeating: 0, count: n)
        var trialGradient = [Double](repeating: 0, count: n)

        for iteration in 1...settings.maxIterations {
            let gradientNorm = g.reduce(0) { max($0, abs($1)) }
            if gradientNorm < settings.gradientTolerance {
                return result(iteration - 1, true, "gradient below \(settings.gradientTolerance)")
            }
            var direction = multiply(h, g).map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) {
                h = identity(n); isIdentity = true; firstUpdate = true
                direction = g.map { -$0 }
                slope = -dot(g, g)
            }
            let longest = direction.reduce(0) { max($0, abs($1)) }
            if longest > settings.maxStep {
                let shrink = settings.maxStep / longest
                for i in 0..<n { direction[i] *= shrink }
                slope *= shrink
            }

            // Backtracking line search with safeguarded quadratic interpolation.
            var step = 1.0
            var accepted = false
            var trialValue = Double.infinity
            for _ in 0..<60 {
                for i in 0..<n { trial[i] = x[i] + step * direction[i] }
                trialValue = objective(trial, &trialGradient)
                evaluations += 1
                if trialValue.isFinite, trialGradient.allSatisfy(\.isFinite), trialValue <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                if trialValue.isFinite {
                    let curvature = trialValue - f - slope * step
                    let next = curvature > 0 ? -slope * step * step / (2 * curvature) : 0.5 * step
                    step = min(max(next, 0.1 * step), 0.5 * step)
                } else {
                    step *= 0.1
                }
            }
            if !accepted {
                if !isIdentity {
                    h = identity(n); isIdentity = true; firstUpdate = true
                    continue
                }
                // No descent is left within floating-point resolution.
                let converged = gradientNorm < 1e-5
                return result(iteration, converged, converged
                    ? "no further decrease within working precision (gradient \(formatNumber(gradientNorm)))"
                    : "line search failed with gradient \(formatNumber(gradientNorm))")
            }

            var s = [Double](repeating: 0, count: n)
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                s[i] = trial[i] - x[i]
                y[i] = trialGradient[i] - g[i]
            }
            let change = f - trialValue
            x = trial
            g = trialGradient
            f = trialValue

            if let coordinate = x.firstIndex(where: { abs($0) > settings.bound }) {
                return result(iteration, false, "diverged: coordinate \(coordinate) passed ±\(settings.bound)")
            }
            flatIterations = change <= 1e-15 * max(1, abs(f)) ? flatIterations + 1 : 0
            if flatIterations >= 3 {
                let norm = g.reduce(0) { max($0, abs($1)) }
                if norm < 1e-6 {
                    return result(iteration, true, "no further decrease within working precision (gradient \(formatNumber(norm)))")
                }
            }

            let sy = dot(s, y)
            if sy > 1e-12 * (dot(s, s).squareRoot() * dot(y, y).squareRoot()) {
                if firstUpdate {
                    // Scale the initial inverse Hessian to the observed curvature.
                    let scale = sy / dot(y, y)
                    h = identity(n).map { $0 * scale }
                    firstUpdate = false
                }
                let rho = 1 / sy
                let hy = multiply(h, y)
                let yhy = dot(y, hy)
                // H ← H − ρ(s·(Hy)ᵀ + (Hy)·sᵀ) + (ρ²·yᵀHy + ρ)·s·sᵀ
                for i in 0..<n {
                    for j in 0..<n {
                        h[i * n + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
                isIdentity = false
            }
        }
        return result(settings.maxIterations, false, "iteration limit \(settings.maxIterations) reached")
    }

    /// Nelder–Mead simplex search; returns the best vertex.
    static func nelderMead(_ f: ([Double]) -> Double, start: [Double], step: Double, maxEvaluations: Int,
                           tolerance: Double = 1e-12) -> (point: [Double], value: Double, evaluations: Int) {
        let n = start.count
        var evaluations = 0
        func value(_ x: [Double]) -> Double {
            evaluations += 1
            let v = f(x)
            return v.isFinite ? v : .infinity
        }
        var simplex = [start]
        for i in 0..<n {
            var vertex = start
            vertex[i] += step
            simplex.append(vertex)
        }
        var values = simplex.map(value)
        while evaluations < maxEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = values[n] - values[0]
            let size = (1...n).map { i in zip(simplex[i], simplex[0]).reduce(0) { max($0, abs($1.0 - $1.1)) } }.max() ?? 0
            if spread <= tolerance * max(1, abs(values[0])) && size < 1e-9 { break }
            var centroid = [Double](repeating: 0, count: n)
            for vertex in simplex[0..<n] { for i in 0..<n { centroid[i] += vertex[i] / Double(n) } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1)
            let reflectedValue = value(reflected)
            if reflectedValue < values[0] {
                let expanded = along(-2)
                let expandedValue = value(expanded)
                if expandedValue < reflectedValue {
                    simplex[n] = expanded; values[n] = expandedValue
                } else {
                    simplex[n] = reflected; values[n] = reflectedValue
                }
            } else if reflectedValue < values[n - 1] {
                simplex[n] = reflected; values[n] = reflectedValue
            } else {
                let contracted = reflectedValue < values[n] ? along(-0.5) : along(0.5)
                let contractedValue = value(contracted)
                if contractedValue < min(reflectedValue, values[n]) {
                    simplex[n] = contracted; values[n] = contractedValue
                } else {
                    for k in 1...n {
                        simplex[k] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[k][$0] - simplex[0][$0]) }
                        values[k] = value(simplex[k])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return (simplex[best], values[best], evaluations)
    }

    private static func identity(_ n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }

    private static func multiply(_ m: [Double], _ v: [Double]) -> [Double] {
        let n = v.count
        return (0..<n).map { i in (0..<n).reduce(0) { $0 + m[i * n + $1] * v[$1] } }
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
