#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The provider captures copied into the repository, found relative to this file
/// (Tests/TestSupport → ../Fixtures). Shared by the suites that read them.
public enum FixtureFiles {
    /// The `Tests/Fixtures` folder.
    public static let root: String = {
        // Resolve symlinks first: scratch packages link Tests/TestSupport to the real folder.
        var path = "\(#filePath)"
        if let resolved = realpath(path, nil) {
            path = String(cString: resolved)
            free(resolved)
        }
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return dir + "/../Fixtures"
    }()

    /// Paths of fixture files (recursively) whose names end in one of `extensions`, sorted.
    public static func list(extensions: [String]) -> [String] {
        var result: [String] = []
        walk(root, into: &result)
        return result.filter { path in extensions.contains { path.hasSuffix($0) } }.sorted()
    }

    /// The whole file, or nil when it cannot be opened.
    public static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    private static func walk(_ dir: String, into result: inout [String]) {
        guard let handle = opendir(dir) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = dir + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) {
                walk(path, into: &result)
            } else {
                result.append(path)
            }
        }
    }
}
