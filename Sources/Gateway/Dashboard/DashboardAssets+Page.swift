// The page's markup, as it is served (no build step: edit it here).
extension DashboardAssets {
    /// `GET /ui`: the markup; the style and the script are beside it (`/ui/app.css`, `/ui/app.js`).
    static let page = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Switchboard</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/ui/app.css">
        <script src="/ui/app.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <h1>Switchboard</h1>
          <span id="updated" class="muted">loading…</span>
          <form id="login" class="login" autocomplete="off">
            <label for="admin-key" class="muted">Admin key</label>
            <input id="admin-key" type="password" placeholder="admin key" spellcheck="false">
            <button id="sign-in" type="submit">Sign in</button>
          </form>
          <div id="signed-in" class="login" hidden>
            <span class="muted">Signed in as admin</span>
            <button id="sign-out" type="button">Sign out</button>
          </div>
        </header>
        <p id="notice" class="notice" hidden></p>
        <main>
          <section class="tiles">
            <div class="tile"><h2>Spend today</h2><p id="tile-spend" class="big">–</p></div>
            <div class="tile"><h2>Tokens today</h2><p id="tile-tokens" class="big">–</p></div>
            <div class="tile"><h2>Requests today</h2><p id="tile-requests" class="big">–</p></div>
            <div class="tile"><h2>In flight</h2><p id="tile-inflight" class="big">–</p>
              <p id="tile-streams" class="muted"></p></div>
            <div class="tile"><h2>Errors</h2><p id="tile-errors" class="big">–</p>
              <p class="muted">recent, up to 100</p></div>
          </section>
          <section class="charts">
            <figure class="card" id="chart-key-card">
              <figcaption>
                <span>By key, per day (UTC)</span>
                <span class="toggle" data-chart="key">
                  <button type="button" data-metric="cost" class="on">Spend</button><button type="button"
                    data-metric="tokens">Tokens</button>
                </span>
              </figcaption>
              <div id="chart-key" class="chart"></div>
            </figure>
            <figure class="card" id="chart-model-card">
              <figcaption>
                <span>By model, per day (UTC)</span>
                <span class="toggle" data-chart="model">
                  <button type="button" data-metric="cost" class="on">Spend</button><button type="button"
                    data-metric="tokens">Tokens</button>
                </span>
              </figcaption>
              <div id="chart-model" class="chart"></div>
            </figure>
          </section>
          <section class="card">
            <h2>Providers</h2>
            <div id="providers" class="chips"></div>
            <h2>Models and deployments</h2>
            <div class="scroll"><table id="deployments">
              <thead><tr><th>Model</th><th>Routes to</th><th>Health</th><th class="num">In flight</th>
                <th class="num">Latency</th></tr></thead>
              <tbody></tbody>
            </table></div>
          </section>
          <section class="card">
            <h2>Keys</h2>
            <div class="scroll"><table id="keys">
              <thead><tr><th>Key</th><th>Models</th><th>Limits</th><th>Budget</th><th class="num">Spend</th>
                <th class="num">Tokens</th><th class="num">Requests</th></tr></thead>
              <tbody></tbody>
            </table></div>
          </section>
          <section class="card">
            <h2>Last errors</h2>
            <div class="scroll"><table id="errors">
              <thead><tr><th>Time</th><th>Request id</th><th>Key</th><th>Model</th><th>Status</th>
                <th>Message</th></tr></thead>
              <tbody></tbody>
            </table></div>
          </section>
        </main>
        </body>
        </html>
        """#
}
