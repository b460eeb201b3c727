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
public struct Manifest: Hashable, Sendable {
    public static let fileName = "manifest.json"
    /// `/2`: codes' `-` escaped in file names, long names shortened, each
    /// file's partition in its entry. `/1` manifests are still read.
    public static let currentFormat = "parledger-snapshot/2"
    public static let readableFormats = ["parledger-snapshot/1", currentFormat]

    /// The (index, year, block) a file belongs to.
    public struct PartitionName: Hashable, Sendable {
        public var index: String
        public var year: Int
        public var block: String
        public init(index: String, year: Int, block: String) { self.index = index; self.year = year; self.block = block }
    }

    public struct LogPoint: Hashable, Sendable {
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
    }
    /// A log point whose hash is not 64 lower-case hex digits.
    struct BadLogPoint: Error {}

    public struct File: Hashable, Sendable {
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
            manifest = try decode(try bytes.withUnsafeBytes { try JSONParser.parse($0) })
        } catch is BadLogPoint {
            throw badPoint
        } catch let error as JSONParser.Failure {
            throw PipelineError(code: .mismatch, place: "\(file):byte \(error.offset)", message: "not a readable snapshot manifest: \(error.message)",
                                hint: "the manifest was edited or truncated; re-run the pipeline")
        } catch let error as Shape {
            throw PipelineError(code: .mismatch, place: file, key: error.key, message: "not a readable snapshot manifest: \(error.message)",
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

extension Manifest {
    /// A member missing or of the wrong kind, and where (`files[3].sha256`).
    struct Shape: Error { var key: String; var message: String }

    /// The manifest a parsed JSON text holds. Read with the project's own
    /// parser, not Foundation's `JSONDecoder`: a national snapshot's manifest
    /// lists thousands of files, and the decoder's generic containers took a
    /// twentieth of an incremental run. Members it does not know are passed
    /// over, as before.
    static func decode(_ json: JSONValue) throws -> Manifest {
        let top = try members(json, "")
        let log = try members(try member(top, "log", ""), "log")
        let hash = try string(try member(log, "hash", "log"), "log.hash")
        guard isHex64(hash), let frameHash = FrameHash(hex: hash), let seq = UInt64(try integer(try member(log, "seq", "log"), "log.seq")) else {
            throw BadLogPoint()
        }
        let point = LogPoint(seq: Seq(seq), hash: frameHash, limit: try string(try member(log, "limit", "log"), "log.limit"),
                             asOf: try log["asOf"].map { try string($0, "log.asOf") })
        guard case .array(let list) = try member(top, "files", "") else { throw Shape(key: "files", message: "expected a list") }
        var files: [File] = []
        files.reserveCapacity(list.count)
        for (i, value) in list.enumerated() {
            let at = "files[\(i)]"
            let entry = try members(value, at)
            guard let bytes = Int(try integer(try member(entry, "bytes", at), at + ".bytes")) else {
                throw Shape(key: at + ".bytes", message: "expected a whole number of bytes")
            }
            var partition: PartitionName?
            if let p = entry["partition"] {
                let part = try members(p, at + ".partition")
                guard let year = Int(try integer(try member(part, "year", at + ".partition"), at + ".partition.year")) else {
                    throw Shape(key: at + ".partition.year", message: "expected a year")
                }
                partition = PartitionName(index: try string(try member(part, "index", at + ".partition"), at + ".partition.index"), year: year,
                                          block: try string(try member(part, "block", at + ".partition"), at + ".partition.block"))
            }
            files.append(File(path: try string(try member(entry, "path", at), at + ".path"), bytes: bytes,
                              sha256: try string(try member(entry, "sha256", at), at + ".sha256"), partition: partition))
        }
        return Manifest(format: try string(try member(top, "format", ""), "format"), pipeline: try string(try member(top, "pipeline", ""), "pipeline"),
                        configHash: try string(try member(top, "configHash", ""), "configHash"), log: point, files: files)
    }

    private static func members(_ value: JSONValue, _ at: String) throws -> [String: JSONValue] {
        guard case .object(let list) = value else { throw Shape(key: at.isEmpty ? "manifest" : at, message: "expected an object, found \(value.kind)") }
        // The parser refuses a key named twice in one object.
        return Dictionary(list, uniquingKeysWith: { first, _ in first })
    }

    private static func member(_ object: [String: JSONValue], _ key: String, _ at: String) throws -> JSONValue {
        guard let value = object[key] else { throw Shape(key: at.isEmpty ? key : at + "." + key, message: "missing") }
        return value
    }

    private static func string(_ value: JSONValue, _ at: String) throws -> String {
        guard case .string(let text) = value else { throw Shape(key: at, message: "expected a string, found \(value.kind)") }
        return text
    }

    /// The digits of a whole number (no sign, fraction or exponent).
    private static func integer(_ value: JSONValue, _ at: String) throws -> String {
        guard case .number(let text) = value, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw Shape(key: at, message: "expected a whole number, found \(value.kind)")
        }
        return text
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
