import Foundation
import Testing
@testable import PatronModels

/// The published fits on the CDNOW sample: Fader, Hardie & Lee (2005) "Counting your customers the
/// easy way" (BG/NBD: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4) and "RFM and CLV"
/// (Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44). The fixture is the
/// 2357-customer summary distributed with the lifetimes package (1411 customers without a repeat
/// purchase, 2457 repeat purchases in all, as in the paper).
@Suite("CDNOW published results")
struct CDNOWTests {
    @Test("the fixture is the paper's sample")
    func fixture() throws {
        let customers = try Fixtures.cdnow()
        #expect(customers.count == 2357)
        #expect(customers.filter { $0.frequency == 0 }.count == 1411)
        #expect(customers.reduce(0) { $0 + $1.frequency } == 2457)
    }

    @Test("BG/NBD reproduces r, α, a, b and the log-likelihood")
    func bgnbd() throws {
        let fit = try BGNBD.fit(try Fixtures.cdnow())
        // Published to 3 decimals; the maximum itself, from scripts/model-reference.py (scipy), is
        // r = 0.2425929056, α = 4.413531547, a = 0.7928861014, b = 2.42575363, LL = −9582.425560567.
        #expect(abs(fit.r - 0.243) < 0.0005)
        #expect(abs(fit.alpha - 4.414) < 0.0005)
        #expect(abs(fit.a - 0.793) < 0.0005)
        #expect(abs(fit.b - 2.426) < 0.0005)
        #expect(abs(fit.logLikelihood - (-9582.4)) < 0.05)
        #expect(relativeDifference(fit.r, 0.2425929056165802) < 1e-6)
        #expect(relativeDifference(fit.alpha, 4.413531546984167) < 1e-6)
        #expect(relativeDifference(fit.a, 0.792886101361486) < 1e-6)
        #expect(relativeDifference(fit.b, 2.425753630020347) < 1e-6)
        #expect(relativeDifference(fit.logLikelihood, -9582.425560567362) < 1e-10)
        #expect(fit.customers == 2357)
        #expect(fit.fit!.gradientNorm < 1e-6)
    }

    @Test("Gamma-Gamma reproduces p, q, γ on the 946 repeat buyers")
    func gammaGamma() throws {
        let fit = try GammaGamma.fit(try Fixtures.cdnow())
        #expect(fit.customers == 946)
        #expect(fit.excluded == 0)
        // Published p = 6.25, q = 3.74, γ = 15.44 (to 3–4 significant digits); scipy's maximum on the
        // same file: p = 6.248803137, q = 3.744588394, γ = 15.44774630, LL = −4055.923243503.
        #expect(relativeDifference(fit.p, 6.25) < 1e-3)
        #expect(relativeDifference(fit.q, 3.74) < 2e-3)
        #expect(relativeDifference(fit.gamma, 15.44) < 1e-3)
        #expect(relativeDifference(fit.p, 6.248803137454335) < 1e-6)
        #expect(relativeDifference(fit.q, 3.7445883943368363) < 1e-6)
        #expect(relativeDifference(fit.gamma, 15.447746296427946) < 1e-6)
        #expect(relativeDifference(fit.logLikelihood, -4055.9232435028584) < 1e-10)
    }
}

/// The fit starts from the data, so the scale of time and money must not matter.
@Suite("Units")
struct UnitTests {
    @Test("CDNOW in days: α × 7, the other parameters unchanged, LL − Σx·ln 7")
    func days() throws {
        let weeks = try Fixtures.cdnow()
        let days = weeks.map { RFM(frequency: $0.frequency, recency: $0.recency * 7, T: $0.T * 7, monetary: $0.monetary) }
        let inWeeks = try BGNBD.fit(weeks)
        let inDays = try BGNBD.fit(days)
        #expect(relativeDifference(inDays.r, inWeeks.r) < 1e-6)
        #expect(relativeDifference(inDays.alpha, inWeeks.alpha * 7) < 1e-6)
        #expect(relativeDifference(inDays.a, inWeeks.a) < 1e-6)
        #expect(relativeDifference(inDays.b, inWeeks.b) < 1e-6)
        // Each repeat purchase contributes a rate density, which scales by 1/7: Σx = 2457.
        #expect(abs(inDays.logLikelihood - (inWeeks.logLikelihood - 2457 * log(7.0))) < 1e-6)
    }

    @Test("values in cents: γ × 100, p and q unchanged, LL − n·ln 100")
    func cents() throws {
        let dollars = try Fixtures.cdnow()
        let cents = dollars.map { RFM(frequency: $0.frequency, recency: $0.recency, T: $0.T, monetary: $0.monetary.map { $0 * 100 }) }
        let inDollars = try GammaGamma.fit(dollars)
        let inCents = try GammaGamma.fit(cents)
        #expect(relativeDifference(inCents.p, inDollars.p) < 1e-6)
        #expect(relativeDifference(inCents.q, inDollars.q) < 1e-6)
        #expect(relativeDifference(inCents.gamma, inDollars.gamma * 100) < 1e-6)
        #expect(abs(inCents.logLikelihood - (inDollars.logLikelihood - 946 * log(100.0))) < 1e-6)
    }
}
