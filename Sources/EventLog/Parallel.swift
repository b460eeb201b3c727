import Dispatch
import Foundation

/// Work split over every core: the one place that starts threads, for the
/// log (checksums, deflate), replay, import and snapshot rendering.
///
/// The compiler checks what crosses threads: `body` is `@Sendable` (it can
/// capture only values that are safe to share) and its results are
/// `Sendable`; each result goes into its own slot under a lock. Shared
/// mutable state is therefore impossible to reach from a task without a
/// lock of its own, the kind of race that once let two rendering threads
/// write one unprotected snapshot set.
public enum Parallel {
    /// The cores this process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `body(0)`, …, `body(count - 1)` on the pool's threads; the results
    /// in index order. Each index runs once. When several fail, the error
    /// of the lowest index is thrown, so put what must win first.
    ///
    /// ```swift
    /// let sums = Parallel.map(chunks.count) { i in chunks[i].reduce(0, +) }
    /// ```
    public static func map<T: Sendable, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        if count <= 1 {
            var out: [T] = []
            for i in 0..<count { out.append(try body(i)) }
            return out
        }
        let slots = Slots<T, E>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.run(i, body) }
        return try slots.results()
    }

    /// ``map(_:_:)`` on the pool's threads while `alongside` runs on the
    /// calling thread (the one place non-`Sendable` work such as a fold may
    /// go on during the parallel part). An error of `alongside` wins over
    /// the tasks' errors; either way every task has finished on return.
    public static func map<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T,
                                        alongside: () throws -> Void) throws -> [T] {
        let slots = Slots<T, any Error>(count)
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: count) { i in slots.run(i, body) }
            group.leave()
        }
        let local = Result { try alongside() }
        group.wait()
        try local.get()
        return try slots.results()
    }
}

extension Parallel {
    /// `body(0)`, …, `body(count - 1)` started on the pool's threads now,
    /// their results taken later with ``Pending/wait()``: work that goes on
    /// while the calling thread does something else (a staged append
    /// deflates frames while the import validates the next events).
    public static func start<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> Pending<T> {
        Pending(count, body)
    }

    /// Work begun with ``start(_:_:)``.
    public final class Pending<T: Sendable>: Sendable {
        private let slots: Slots<T, Never>
        private let group = DispatchGroup()

        fileprivate init(_ count: Int, _ body: @escaping @Sendable (Int) -> T) {
            let slots = Slots<T, Never>(count)
            self.slots = slots
            group.enter()
            DispatchQueue.global().async { [group] in
                DispatchQueue.concurrentPerform(iterations: count) { i in slots.run(i, body) }
                group.leave()
            }
        }

        /// The results in index order, once every task has finished.
        public func wait() -> [T] {
            group.wait()
            return slots.results()
        }

        /// The results moved out, once every task has finished: the caller
        /// holds the only copy (it can hand them to another thread to be
        /// destroyed). A later ``wait()`` or ``take()`` finds none.
        public func take() -> [T] {
            group.wait()
            return slots.results(taking: true)
        }
    }
}

/// One result slot per index, under a lock: each task writes its own.
private final class Slots<T: Sendable, E: Error>: Sendable {
    private let slots: Locked<[Result<T, E>?]>

    init(_ count: Int) { slots = Locked(Array(repeating: nil, count: count)) }

    func run(_ i: Int, _ body: @Sendable (Int) throws(E) -> T) {
        let result: Result<T, E>
        do throws(E) { result = .success(try body(i)) } catch { result = .failure(error) }
        slots.withLock { $0[i] = result }
    }

    /// The results in index order; the error of the lowest failed index.
    func results(taking: Bool = false) throws(E) -> [T] {
        let all = slots.withLock { slots in
            let all = slots
            if taking { slots = [] }
            return all
        }
        var out: [T] = []
        out.reserveCapacity(all.count)
        for result in all { out.append(try result!.get()) }
        return out
    }
}
