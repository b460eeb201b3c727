import Foundation
import Synchronization

/// A value that threads share, behind a lock that both the compiler and
/// ThreadSanitizer understand.
///
/// The compiler checks `Sendable` through the standard library's `Mutex`:
/// the value can only be reached inside ``withLock(_:)``. On Linux that
/// `Mutex` waits on a futex inside the uninstrumented runtime, so
/// ThreadSanitizer cannot see the order it imposes and reports races that are
/// not there; the `pthread` mutex held around it (which the sanitizer
/// intercepts) makes the same order visible to it. One lock, both checks.
///
/// ```swift
/// let done = Locked([Int]())
/// Parallel.map(4) { i in done.withLock { $0.append(i) } }
/// ```
public final class Locked<Value>: Sendable {
    private let mutex: Mutex<Value>
    private let visible = NSLock()

    public init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock.
    public func withLock<R, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        visible.lock()
        defer { visible.unlock() }
        return try mutex.withLock(body)
    }
}
