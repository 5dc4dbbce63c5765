import HTTPTypes

/// Routes by method and path pattern (`/v1/loops/{id}`); unknown paths get 404, known paths
/// with another method 405 with `Allow`, both as SPEC §5 JSON errors.
public final class Router: HTTPHandler, @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest, [String: String], ResponseWriter) -> Void

    private struct Route {
        var method: String
        var segments: [Substring]
        var handler: Handler
    }

    private var routes: [Route] = []
    /// Routes without parameters by "METHOD path": the common case found with one hash.
    private var exact: [String: Handler] = [:]

    public init() {}

    /// Adds a route. Call before serving.
    public func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), handler: handler))
        if !pattern.contains("{") { exact[method + " " + pattern] = handler }
    }

    public func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if let handler = exact[request.method + " " + request.path] {
            handler(request, [:], writer)
            return
        }
        let segments = request.path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let params = match(route.segments, segments) else { continue }
            if route.method == request.method {
                route.handler(request, params, writer)
                return
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty {
            writer.routeLabel = "unmatched"
            writer.respondJSON(status: 404, body: errorBody(type: "not_found", message: "no route for \(request.path)",
                                                            requestId: writer.requestId))
        } else {
            writer.routeLabel = "method_not_allowed"
            var headers = HTTPHeaders()
            headers.add("Allow", allowed.joined(separator: ", "))
            writer.respondJSON(status: 405, body: errorBody(type: "invalid_request",
                                                            message: "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))",
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
