import Foundation
import Primitives
import EventLog
import ScoreModel

/// `manifest.json`: what a snapshot directory was made from and what it
/// holds, so that anyone can re-derive it and check it
/// (`parledger verify-snapshot`).
///
/// No wall-clock time is in it: the same log prefix and pipeline give the
/// same manifest, byte for byte.
public struct Manifest: Decodable, Hashable, Sendable {
    public static let fileName = "manifest.json"
    /// `/2`: codes' `-` escaped in file names, long names shortened, each
    /// file's partition in its entry. `/1` manifests are still read.
    public static let currentFormat = "parledger-snapshot/2"
    public static let readableFormats = ["parledger-snapshot/1", currentFormat]

    /// The (index, year, block) a file belongs to.
    public struct PartitionName: Codable, Hashable, Sendable {
        public var index: String
        public var year: Int
        public var block: String
        public init(index: String, year: Int, block: String) { self.index = index; self.year = year; self.block = block }
    }

    public struct LogPoint: Decodable, Hashable, Sendable {
        /// The last seq the run read (0 for an empty log).
        public var seq: Seq
        /// The hash of the log frame holding `seq` (the chain up to there);
        /// 64 hex digits in the file.
        public var hash: FrameHash
        /// `head`, `seq` or `as-of`: how the run limited its replay.
        public var limit: String
        /// The `--as-of` time as given (RFC 3339), when `limit` is `as-of`.
        public var asOf: String?
        public init(seq: Seq, hash: FrameHash, limit: String, asOf: String? = nil) {
            self.seq = seq; self.hash = hash; self.limit = limit; self.asOf = asOf
        }

        private enum CodingKeys: String, CodingKey { case seq, hash, limit, asOf }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let text = try c.decode(String.self, forKey: .hash)
            guard isHex64(text), let hash = FrameHash(hex: text) else { throw BadLogPoint() }
            self.init(seq: Seq(try c.decode(UInt64.self, forKey: .seq)), hash: hash,
                      limit: try c.decode(String.self, forKey: .limit), asOf: try c.decodeIfPresent(String.self, forKey: .asOf))
        }
    }
    /// A log point whose hash is not 64 lower-case hex digits.
    struct BadLogPoint: Error {}

    public struct File: Codable, Hashable, Sendable {
        public var path: String
        public var bytes: Int
        public var sha256: String
        /// The partition the file belongs to (format /2): a shortened file
        /// name is understood by this.
        public var partition: PartitionName?
        public init(path: String, bytes: Int, sha256: String, partition: PartitionName? = nil) {
            self.path = path; self.bytes = bytes; self.sha256 = sha256; self.partition = partition
        }
    }

    public var format: String
    public var pipeline: String
    /// Hex SHA-256 of the pipeline's canonical form: two files that mean the
    /// same (comments, key order) have the same hash.
    public var configHash: String
    public var log: LogPoint
    public var files: [File]

    public init(format: String = Manifest.currentFormat, pipeline: String, configHash: String, log: LogPoint, files: [File]) {
        self.format = format; self.pipeline = pipeline; self.configHash = configHash; self.log = log; self.files = files
    }

    /// The canonical bytes written to `manifest.json`.
    public func serialized() -> [UInt8] {
        var logMembers: [(key: String, value: CanonicalJSON)] = [
            ("seq", .number(String(log.seq.rawValue))),
            ("hash", .string(log.hash.hex)),
            ("limit", .string(log.limit)),
        ]
        if let asOf = log.asOf { logMembers.append(("asOf", .string(asOf))) }
        let value: CanonicalJSON = .object([
            ("format", .string(format)),
            ("pipeline", .string(pipeline)),
            ("configHash", .string(configHash)),
            ("log", .object(logMembers)),
            ("files", .array(files.map { file in
                var members: [(key: String, value: CanonicalJSON)] = [
                    ("path", .string(file.path)), ("bytes", .number(String(file.bytes))), ("sha256", .string(file.sha256)),
                ]
                if let p = file.partition {
                    members.append(("partition", .object([("index", .string(p.index)), ("year", .number(String(p.year))),
                                                          ("block", .string(p.block))])))
                }
                return .object(members)
            })),
        ])
        return value.serialized()
    }

    /// Reads a manifest, naming the file in every complaint.
    public static func parse(_ bytes: [UInt8], file: String) throws -> Manifest {
        let edited = "the manifest was edited; re-run the pipeline or restore the snapshot"
        let badPoint = PipelineError(code: .mismatch, place: file, key: "log", message: "the log point is not a seq, a 64-digit hash and a limit", hint: edited)
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
        } catch is BadLogPoint {
            throw badPoint
        } catch {
            throw PipelineError(code: .mismatch, place: file, message: "not a readable snapshot manifest: \(error)",
                                hint: "the manifest was edited or truncated; re-run the pipeline")
        }
        guard readableFormats.contains(manifest.format) else {
            throw PipelineError(code: .mismatch, place: file, message: "unknown manifest format \"\(manifest.format)\"",
                                hint: "this parledger reads \(readableFormats.joined(separator: " and "))")
        }
        // A manifest is input like any other: it may name nothing outside
        // its snapshot and no pipeline file outside pipelines/.
        guard isPlainName(manifest.pipeline) else {
            throw PipelineError(code: .mismatch, place: file, key: "pipeline",
                                message: "\"\(manifest.pipeline)\" is not a pipeline name (lower-case letters, digits, - and _)", hint: edited)
        }
        for (i, entry) in manifest.files.enumerated() {
            guard SnapshotPath.isContained(entry.path), entry.path != fileName else {
                throw PipelineError(code: .mismatch, place: file, key: "files[\(i)].path",
                                    message: "\"\(entry.path)\" leaves the snapshot directory or names the manifest", hint: edited)
            }
            guard isHex64(entry.sha256), entry.bytes >= 0 else {
                throw PipelineError(code: .mismatch, place: file, key: "files[\(i)]", message: "\"\(entry.path)\" has no valid size and SHA-256", hint: edited)
            }
        }
        guard ["head", "seq", "as-of"].contains(manifest.log.limit) else { throw badPoint }
        return manifest
    }
}

/// A pipeline name: lower-case letters, digits, `-` and `_` (it names an
/// output directory and `pipelines/<name>.yaml`).
func isPlainName(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
}

func isHex64(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
}
