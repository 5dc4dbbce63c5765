import HTTPTypes

/// Routes by method and path pattern (`/v1/loops/{id}`); unknown paths get 404, known paths
/// with another method 405 with `Allow`, both as SPEC §5 JSON errors.
///
/// The router names the metrics route label: a matched request is labelled with its route's
/// pattern (`/v1/loops/{id}`, never the concrete path, so label cardinality stays bounded), an
/// unknown path `unmatched`, a known path with another method `method_not_allowed`.
public final class Router: HTTPHandler, @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest, [String: String], ResponseWriter) -> Void

    private struct Route {
        var method: String
        /// The pattern as added: the route's metrics label.
        var pattern: String
        var segments: [Substring]
        var handler: Handler
    }

    private var routes: [Route] = []
    /// Routes without parameters by "METHOD path": the common case found with one hash.
    /// Routes without parameters, found by their path's length, then path and method: a
    /// "METHOD path" key built and hashed for every request cost ~2,000 instructions (issue 13).
    private var exact: [Route] = []
    /// Each exact route's path length in bytes, by index: the scan reads only these (reading
    /// the routes themselves copied each one, its strings and handler, issue 13).
    private var exactPathBytes: [Int] = []

    public init() {}

    /// Adds a route. Call before serving. Requests it matches carry `pattern` as their route label.
    public func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let route = Route(method: method, pattern: pattern, segments: pattern.split(separator: "/"), handler: handler)
        routes.append(route)
        if !pattern.contains("{") {
            // A route added again for the same method and path replaces the earlier one.
            if let i = exact.firstIndex(where: { $0.method == method && $0.pattern == pattern }) {
                exact[i] = route
            } else {
                exact.append(route)
                exactPathBytes.append(pattern.utf8.count)
            }
        }
    }

    public func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let pathBytes = request.path.utf8.count
        for i in exactPathBytes.indices where exactPathBytes[i] == pathBytes {
            guard exact[i].pattern == request.path, exact[i].method == request.method else { continue }
            writer.routeLabel = exact[i].pattern
            exact[i].handler(request, [:], writer)
            return
        }
        let segments = request.path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let params = match(route.segments, segments) else { continue }
            if route.method == request.method {
                writer.routeLabel = route.pattern
                route.handler(request, params, writer)
                return
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty {
            writer.routeLabel = "unmatched"
            writer.respondJSON(
                status: 404,
                body: errorBody(
                    type: "not_found", message: "no route for \(request.path)",
                    requestId: writer.requestId))
        } else {
            writer.routeLabel = "method_not_allowed"
            var headers = HTTPHeaders()
            headers.add("Allow", allowed.joined(separator: ", "))
            writer.respondJSON(
                status: 405,
                body: errorBody(
                    type: "invalid_request",
                    message:
                        "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))",
                    requestId: writer.requestId), headers: headers)
        }
    }

    private func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(pattern, path) {
            if p.hasPrefix("{"), p.hasSuffix("}") {
                params[String(p.dropFirst().dropLast())] = String(s)
            } else if p != s {
                return nil
            }
        }
        return params
    }
}
