import Testing
@testable import PatronModels

@Suite("Failures are errors, never garbage")
struct FailureTests {
    static let noRepeats = (0..<50).map { RFM(frequency: 0, recency: 0, T: Double(10 + $0)) }

    @Test("nobody bought twice")
    func noRepeatBuyers() {
        #expect(throws: ModelError.noRepeatBuyers(model: "Gamma-Gamma", customers: 50)) { try GammaGamma.fit(Self.noRepeats) }
        #expect(throws: ModelError.noRepeatBuyers(model: "BG/NBD", customers: 50)) { try BGNBD.fit(Self.noRepeats) }
    }

    @Test("too few customers")
    func tooFew() {
        let three = [RFM(frequency: 1, recency: 2, T: 5, monetary: 10), RFM(frequency: 0, recency: 0, T: 4),
                     RFM(frequency: 2, recency: 3, T: 3, monetary: 12)]
        #expect(throws: ModelError.tooFewCustomers(model: "BG/NBD", found: 3, required: 10)) { try BGNBD.fit(three) }
        #expect(throws: ModelError.tooFewCustomers(model: "Gamma-Gamma", found: 2, required: 5)) { try GammaGamma.fit(three) }
    }

    @Test("rows that break the RFM definitions name the row")
    func invalidInput() {
        var rows = Self.noRepeats
        rows[7] = RFM(frequency: 2, recency: 12, T: 10)
        #expect(throws: ModelError.invalidInput(model: "BG/NBD", index: 7, reason: "recency 12.0 exceeds T 10.0")) { try BGNBD.fit(rows) }
        rows[7] = RFM(frequency: .nan, recency: 1, T: 10)
        #expect { try BGNBD.fit(rows) } throws: { ($0 as? ModelError).map { if case .invalidInput(_, 7, _) = $0 { true } else { false } } ?? false }
        rows[7] = RFM(frequency: 1.5, recency: 1, T: 10)
        #expect { try GammaGamma.fit(rows) } throws: { ($0 as? ModelError).map { if case .invalidInput(_, 7, _) = $0 { true } else { false } } ?? false }
        rows[7] = RFM(frequency: 0, recency: 3, T: 10)
        #expect { try CLV.predict(rows, purchases: BGNBDParameters(r: 1, alpha: 1, a: 1, b: 1), value: GammaGammaParameters(p: 1, q: 2, gamma: 1)) }
            throws: { ($0 as? ModelError).map { if case .invalidInput(_, 7, _) = $0 { true } else { false } } ?? false }
    }

    @Test("repeat buyers without a positive value are excluded and counted")
    func excluded() throws {
        var rows = try Fixtures.cdnow()
        rows[0].monetary = 0      // x = 2
        rows[1].monetary = -3.5   // x = 1
        rows[5].monetary = nil    // x = 7
        let fit = try GammaGamma.fit(rows)
        #expect(fit.customers == 943)
        #expect(fit.excluded == 3)
        let onlyExcluded = rows.enumerated().map { $0.offset < 6 ? $0.element : RFM(frequency: 0, recency: 0, T: 30) }
        #expect(throws: ModelError.tooFewCustomers(model: "Gamma-Gamma", found: 0, required: 5)) { try GammaGamma.fit(onlyExcluded) }
    }

    @Test("a degenerate sample (nobody ever drops out, every value the same) is reported, not fitted")
    func degenerate() {
        // Every customer buys every week up to today: nothing in the data bounds the purchase
        // process (the likelihood grows as r and α grow together and a shrinks).
        let regular = (1...40).map { RFM(frequency: Double($0), recency: Double($0), T: Double($0), monetary: 20) }
        expectUnidentified { try BGNBD.fit(regular) }
        // Identical transaction values: no spread within or across customers, p → ∞.
        expectUnidentified { try GammaGamma.fit(regular) }
    }

    @Test("a small sample whose maximum lies at a, b → ∞ names the ridge")
    func ridge() {
        // 30 simulated customers (seed 13) whose likelihood is highest with the same dropout
        // probability for everyone, i.e. Beta(a, b) collapsed to a point: a, b → ∞ at a fixed ratio.
        let customers = Simulation.customers(count: 30, purchases: BGNBDParameters(r: 0.8, alpha: 10, a: 0.8, b: 2.5),
                                             ages: 4...52, dayGrid: true, seed: 13)
        #expect { try BGNBD.fit(customers) } throws: { error in
            guard case .didNotConverge(_, let reason, _, let last, _)? = error as? ModelError else { return false }
            return reason.hasPrefix("a and b grow without bound together") && last[2].value > 1e4 && last[3].value > 1e4
        }
    }

    @Test("values too large to sum are an error, not NaN")
    func overflow() {
        let huge = (1...20).map { RFM(frequency: 2, recency: 3, T: 5, monetary: 1e308 / 3 * Double($0 % 3 + 1)) }
        #expect { try GammaGamma.fit(huge) } throws: { error in
            guard case .didNotConverge(_, let reason, _, _, _)? = error as? ModelError else { return false }
            return reason.contains("not finite")
        }
    }

    private func expectUnidentified(_ fit: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try fit()
            Issue.record("expected an error, got \(result)", sourceLocation: sourceLocation)
        } catch let ModelError.didNotConverge(_, reason, _, last, _) {
            #expect(reason.contains("the data do not identify the model"), sourceLocation: sourceLocation)
            #expect(last.allSatisfy { !$0.value.isNaN }, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected didNotConverge, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("parameters without a finite expectation, and bad settings")
    func undefined() {
        let heavyTailed = GammaGammaParameters(p: 2, q: 0.8, gamma: 10)
        #expect { try heavyTailed.populationMeanValue() } throws: { ($0 as? ModelError).map { if case .undefined = $0 { true } else { false } } ?? false }
        // For a repeat buyer the expectation exists as long as p·x + q − 1 > 0: 2·1 + 0.8 − 1 = 1.8.
        #expect(throws: Never.self) { try heavyTailed.expectedAverageValue(frequency: 1, monetary: 10) }
        let purchases = BGNBDParameters(r: 1, alpha: 1, a: 2, b: 2)
        #expect(throws: ModelError.invalidSetting("the horizon must be at least 1 month (got 0)")) {
            try CLV.predict([], purchases: purchases, value: GammaGammaParameters(p: 1, q: 2, gamma: 1), settings: CLVSettings(horizonMonths: 0))
        }
        #expect { try purchases.expectedPurchases(RFM(frequency: 0, recency: 0, T: 1), t: -1) } throws: { _ in true }
    }
}
