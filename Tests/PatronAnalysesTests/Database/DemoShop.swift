import Foundation
import PatronCore
import PatronDemo
import PatronTestSupport
import Testing

extension ScratchWarehouse {
    /// Loads the customers, purchases and returns of a demo shop (`patron demo generate`) of
    /// `customers` customers: enough for the predictive model to fit.
    func loadDemoShop(customers: Int = 1500, seed: UInt64 = 20261130) throws {
        let directory = self.directory.appendingPathComponent("demo")
        let manifest = try DemoGenerator(options: DemoOptions(customers: customers, seed: seed)).generate(into: directory)
        for entity in [Entity.customers, .purchases, .returns] {
            let file = try #require(manifest.files.first { $0.entity == entity.rawValue })
            _ = try load(entity, path: directory.appendingPathComponent(file.file).path, source: file.source)
        }
    }
}
