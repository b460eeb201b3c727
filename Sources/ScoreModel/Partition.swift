/// (index, year, block): where a framework, a publication and a ranking live.
public struct Partition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var index: IndexCode
    public var year: Int
    public var block: BlockCode
    public init(index: IndexCode, year: Int, block: BlockCode) { self.index = index; self.year = year; self.block = block }
    public static func < (a: Partition, b: Partition) -> Bool {
        if a.index != b.index { return a.index < b.index }
        if a.year != b.year { return a.year < b.year }
        return a.block < b.block
    }
    /// `PAR 2023 department`
    public var description: String { "\(index) \(year) \(block)" }
    /// The same index and block, another year.
    public func year(_ year: Int) -> Partition { Partition(index: index, year: year, block: block) }
}

extension Sequence where Element == Partition {
    /// The partition of the same index and block with the latest year
    /// before `p`'s: the year a trend compares with.
    public func previous(of p: Partition) -> Partition? {
        filter { $0.index == p.index && $0.block == p.block && $0.year < p.year }.max { $0.year < $1.year }
    }

    /// The partition of the same index and block with the earliest year
    /// after `p`'s: the one whose trend compares with `p`.
    public func next(of p: Partition) -> Partition? {
        filter { $0.index == p.index && $0.block == p.block && $0.year > p.year }.min { $0.year < $1.year }
    }
}
