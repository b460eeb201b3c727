extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws one type of error: the
    /// standard library's rethrows an untyped error, which a caller with
    /// typed throws cannot pass on.
    public func withBytes<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        var failure: E?
        withUnsafeBytes { raw in
            do throws(E) { try body(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
