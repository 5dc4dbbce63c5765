import Glibc

/// Whether libcurl would find a proxy in the environment, read once per process.
///
/// Unless told otherwise, libcurl looks for a proxy on every transfer: five `getenv` scans
/// of the environment and a formatted variable name (~3,000 instructions a request). The
/// daemon never changes its environment, so the answer cannot change while it runs: when no
/// variable names a proxy, each transfer tells curl "no proxy" outright; when one does, curl
/// keeps reading the environment itself, exactly as before (its rules stay the only ones).
enum ProxyEnvironment {
    /// The variables libcurl reads for an http or https URL (it ignores upper-case
    /// `HTTP_PROXY` on purpose: a CGI program's environment carries the client's `Proxy:`
    /// header under that name).
    static let proxyVariables = ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]

    /// True when none of `proxyVariables` has a value (curl treats an empty one as unset).
    static func namesNoProxy(_ lookup: (String) -> String?) -> Bool {
        proxyVariables.allSatisfy { (lookup($0) ?? "").isEmpty }
    }

    /// This process's answer, read on first use.
    static let noneConfigured: Bool = namesNoProxy { name in getenv(name).map { String(cString: $0) } }
}
