import Foundation

/// File-system errors in words: the path and the reason, never
/// `NSCocoaErrorDomain error 512`.
///
/// ```swift
/// FileSystemMessage.describe(error)   // "/srv/out/x: Not a directory"
/// ```
public enum FileSystemMessage {
    /// `path: reason` for a Foundation or POSIX file error; nil for any
    /// other error (which describes itself).
    public static func describe(_ error: any Error) -> String? {
        guard let reason = reason(error) else { return nil }
        if let e = error as? CocoaError, let path = e.filePath ?? e.url?.path { return "\(path): \(reason)" }
        return reason
    }

    /// The reason alone, in words (`Not a directory`); nil for an error
    /// that is not a file-system error.
    public static func reason(_ error: any Error) -> String? {
        if let e = error as? CocoaError {
            var reason: String
            if let underlying = e.underlying as NSError?, underlying.domain == NSPOSIXErrorDomain {
                reason = String(cString: strerror(Int32(underlying.code)))
            } else {
                switch e.code {
                case .fileNoSuchFile, .fileReadNoSuchFile: reason = "No such file or directory"
                case .fileWriteNoPermission, .fileReadNoPermission: reason = "Permission denied"
                case .fileWriteOutOfSpace: reason = "No space left on device"
                case .fileWriteFileExists: reason = "File exists"
                case .fileWriteVolumeReadOnly: reason = "Read-only file system"
                case .fileWriteInvalidFileName, .fileReadInvalidFileName: reason = "Invalid file name"
                default: reason = "file error \(e.code.rawValue)"
                }
            }
            return reason
        }
        if let e = error as? POSIXError { return String(cString: strerror(e.code.rawValue)) }
        return nil
    }

    /// A failed system call on `path`, in words: `cannot replace /srv/x:
    /// Permission denied — check the directory's permissions`.
    public static func error(_ what: String, path: String, errno code: Int32) -> EventLogError {
        EventLogError(.io, "\(what) \(path): \(String(cString: strerror(code)))",
                      hint: hint(POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)))
    }

    /// What a person can do about the error's reason.
    public static func hint(_ error: any Error) -> String? {
        var code: Int32?
        if let e = error as? CocoaError, let u = e.underlying as NSError?, u.domain == NSPOSIXErrorDomain { code = Int32(u.code) }
        if let e = error as? POSIXError { code = e.code.rawValue }
        switch code {
        case EACCES, EPERM: return "check the directory's permissions"
        case ENOSPC, EDQUOT: return "free some space on that file system"
        case ENOTDIR, EEXIST: return "a file is where a directory should be: choose another path"
        case EROFS: return "the file system is read-only: choose another path"
        case ENAMETOOLONG: return "the path is too long: choose a shorter output directory"
        default: return nil
        }
    }
}
