import Dispatch
import Foundation

/// Work split over every core: the one place that starts threads, for the
/// log (checksums, deflate), replay, import and snapshot rendering.
public enum Parallel {
    /// The cores this process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `body(0)`, …, `body(count - 1)` on the pool's threads; the results
    /// in index order. Each index runs once; `body` must touch only what
    /// its index owns. When several fail, the error of the lowest index is
    /// thrown, so put what must win first.
    public static func map<T, E: Error>(_ count: Int, _ body: (Int) throws(E) -> T) throws(E) -> [T] {
        if count <= 1 {
            var out: [T] = []
            for i in 0..<count { out.append(try body(i)) }
            return out
        }
        let results: [Result<T, E>] = withoutActuallyEscaping(body) { body in
            let slots = Slots<T, E>(count, body)
            DispatchQueue.concurrentPerform(iterations: count) { i in slots.run(i) }
            return slots.results()
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for result in results { out.append(try result.get()) }
        return out
    }
}

/// One result per index, each written by its own iteration only.
private final class Slots<T, E: Error>: @unchecked Sendable {
    let each: UnsafeMutableBufferPointer<Result<T, E>?>
    let body: (Int) throws(E) -> T

    init(_ count: Int, _ body: @escaping (Int) throws(E) -> T) {
        each = .allocate(capacity: count)
        each.initialize(repeating: nil)
        self.body = body
    }

    deinit { _ = each.deinitialize(); each.deallocate() }

    func run(_ i: Int) {
        do throws(E) { each[i] = .success(try body(i)) } catch { each[i] = .failure(error) }
    }

    func results() -> [Result<T, E>] { each.map { $0! } }
}
