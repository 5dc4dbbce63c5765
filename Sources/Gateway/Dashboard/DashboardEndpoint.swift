import HTTPServer
import HTTPTypes

/// The page's three files, embedded in the binary as text (see the `DashboardAssets+…` files).
enum DashboardAssets {}

/// `GET /ui`, `/ui/app.css`, `/ui/app.js` (issue 18): the dashboard. The files hold no data
/// and are served to anyone; everything the page shows comes from the JSON APIs, called with
/// the admin key the person signs in with (kept in the tab's sessionStorage).
struct DashboardEndpoint: Sendable {
    private static let page = Array(DashboardAssets.page.utf8)
    private static let style = Array(DashboardAssets.style.utf8)
    private static let script = Array(DashboardAssets.script.utf8)
    /// Only this daemon is ever contacted: the page loads nothing from elsewhere, and the browser
    /// is told to refuse it if anything tried.
    private static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func page(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(Self.page, type: "text/html; charset=utf-8", writer)
    }

    func style(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(Self.style, type: "text/css; charset=utf-8", writer)
    }

    func script(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(Self.script, type: "text/javascript; charset=utf-8", writer)
    }

    private func serve(_ body: [UInt8], type: String, _ writer: ResponseWriter) {
        var headers = HTTPHeaders()
        headers.add("Content-Type", type)
        headers.add("Cache-Control", "no-cache")
        headers.add("Content-Security-Policy", Self.policy)
        headers.add("X-Content-Type-Options", "nosniff")
        headers.add("Referrer-Policy", "no-referrer")
        writer.respond(status: 200, headers: headers, body: body)
    }
}
