@testable import Profile
import XCTest

/// Tests for ``ProfileViewModel``.
///
/// - Note: `@testable import` exposes internal symbols to the test target.
@MainActor
final class ProfileViewModelTests: XCTestCase {
    private final class MemoryStore: ProfileStore {
        var saved: [String] = []

        func write(name: String, completion: @escaping (Result<Void, Error>) -> Void) {
            saved.append(name)
            completion(.success(()))
        }
    }

    /// - Returns: A model backed by a fresh in-memory store.
    private func makeModel() -> (ProfileViewModel, MemoryStore) {
        let store = MemoryStore()
        return (ProfileViewModel(store: store), store)
    }

    func testSaveWritesTheName() {
        let (model, store) = makeModel()
        model.name = "alice"
        let done = expectation(description: "@escaping completion runs")
        model.save { _ in done.fulfill() }
        wait(for: [done], timeout: 1)
        XCTAssertEqual(store.saved, ["alice"])
    }

    // @test-style names are not a thing in XCTest: methods must start with `test`.
    func testResetClearsTheName() {
        let (model, _) = makeModel()
        model.name = "bob"
        model.reset()
        XCTAssertEqual(model.name, "")
    }
}
