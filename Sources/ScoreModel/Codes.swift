/// A code that names something in the domain: a unit, an item, a block.
///
/// Each kind of code is its own type, so a unit code can never be passed
/// where an item code is wanted.
public protocol DomainCode: RawRepresentable, Hashable, Comparable, Sendable,
    CustomStringConvertible, ExpressibleByStringLiteral where RawValue == String {
    init(_ rawValue: String)
}

extension DomainCode {
    public init(rawValue: String) { self.init(rawValue) }
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { utf8Precedes(lhs.rawValue, rhs.rawValue) }
}

/// Whether `a` comes before `b` in the byte order of their UTF-8: stable
/// across platforms and locales. Compares the bytes in place where both
/// strings hold them contiguously (native strings do); the generic
/// `lexicographicallyPrecedes` over two UTF-8 views walks them through
/// their iterators, and sorting the codes of a national book spent a
/// quarter of a nightly increment there.
@inlinable
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    let fast = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y -> Bool in
            let n = Swift.min(x.count, y.count)
            var i = 0
            while i < n {
                let p = x[i], q = y[i]
                if p != q { return p < q }
                i += 1
            }
            return x.count < y.count
        }
    }
    if let fast, let answer = fast { return answer }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// A unit's code: a department, a district, a province (`"SKHDT"`).
public struct UnitCode: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// A leaf of a framework: a sub-criterion with a maximum score (`"1.1.1"`).
public struct ItemCode: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// An area (lĩnh vực) of a framework.
public struct AreaCode: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// A criterion (tiêu chí) of a framework.
public struct CriterionCode: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// A block of units ranked together (`"department"`, `"district"`): free text.
public struct BlockCode: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// An index: `"PAR"` (the default), `"SIPAS"`, `"DGI"`, `"PAPI"`, …
public struct IndexCode: DomainCode {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public static let par = IndexCode("PAR")
}
/// A framework's id (`"PAR-2023-department"`).
public struct FrameworkID: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// An appeal's id.
public struct AppealID: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }
/// An event's idempotency key: 1–128 characters of `A-Za-z0-9._:-`.
public struct EventID: DomainCode {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Whether `text` is a valid idempotency key.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b == UInt8(ascii: "-")
        }
    }
}
/// Who did it: an account or a body (`"council-dt-2023"`).
public struct Actor: DomainCode { public let rawValue: String; public init(_ rawValue: String) { self.rawValue = rawValue } }

