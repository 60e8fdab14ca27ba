import Combine
import SwiftUI
import UIKit

/// Loads and edits the signed-in user's profile.
///
/// Marked `@MainActor` so every published change happens on the main thread.
@available(iOS 13, *)
@MainActor
final class ProfileViewModel: NSObject, ObservableObject {
    /// The display name; `@Published` republishes every change.
    @Published var name: String = ""
    @Published private(set) var isSaving = false

    private let store: ProfileStore

    /// Creates a view model.
    ///
    /// - Parameter store: Where profiles are read and written.
    init(store: ProfileStore) {
        self.store = store
        super.init()
    }

    /// Saves the current name.
    ///
    /// - Parameters:
    ///   - completion: Called on the main actor with the result.
    /// - Returns: The request's identifier, so callers can cancel it.
    @discardableResult
    func save(completion: @escaping (Result<Void, Error>) -> Void) -> UUID {
        let id = UUID()
        isSaving = true
        store.write(name: name) { [weak self] result in
            Task { @MainActor in
                self?.isSaving = false
                completion(result)
            }
        }
        return id
    }

    /// Called from the legacy Objective-C settings screen.
    @objc func reset() {
        name = "" // @objc selectors must stay stable
    }
}

/// Persists profiles.
protocol ProfileStore {
    /// - Parameters:
    ///   - name: The new display name.
    ///   - completion: Called once the write finishes.
    func write(name: String, completion: @escaping (Result<Void, Error>) -> Void)
}

@available(iOS 14, *)
struct ProfileView: View {
    @StateObject var model: ProfileViewModel
    @State private var showAlert = false

    var body: some View {
        Form {
            TextField("Name", text: $model.name)
            Button("Save") {
                model.save { _ in showAlert = true }
            }
            .disabled(model.isSaving)
        }
        .alert(isPresented: $showAlert) {
            Alert(title: Text("Saved as @\(model.name)"))
        }
    }
}

/*
 @available(iOS 13, *) is required because Combine ships with iOS 13.
 @State is for value types owned by the view.
 */
