import Primitives
import EventLog
import ScoreModel

extension Ledger {
    /// Appends a generated data set into an empty log, created if missing:
    /// `produce` hands each event to the function it is given, in order.
    ///
    /// For seeded generators whose output the test suite checks against
    /// the importer (DataGen's national set): the events are encoded and
    /// appended in durable batches without import's validation, so that a
    /// benchmark's log of millions of events is made in seconds. A log that
    /// already holds events is refused before anything is written, since a
    /// generated correction names its target by seq.
    public static func seed(directory: String, batch: Int = 100_000,
                            _ produce: (_ emit: (Event) throws -> Void) throws -> Void) throws -> (count: Int, head: LogHead) {
        if !LogReader.exists(directory: directory) { try LogWriter.create(directory: directory) }
        let writer = try LogWriter(directory: directory)
        defer { writer.close() }
        guard writer.head.seq.rawValue == 0 else {
            throw LedgerError(message: "\(directory) holds \(writer.head.seq.rawValue) events: a generated data set names events by seq, so it goes into an empty log",
                              hint: "choose a new --log directory, or import the data set's JSON Lines (--out FILE) with `parledger import`")
        }
        var pending: [[UInt8]] = []
        pending.reserveCapacity(batch)
        var count = 0
        try produce { event in
            pending.append(EventCodec.encode(event))
            count += 1
            if pending.count == batch { _ = try writer.append(pending); pending.removeAll(keepingCapacity: true) }
        }
        if !pending.isEmpty { _ = try writer.append(pending) }
        return (count, writer.head)
    }
}
