// The page's script, as it is served (no build step: edit it here). Plain JavaScript, no library.
extension DashboardAssets {
    /// `GET /ui/app.js`.
    static let script = #"""
        "use strict";
        // The Switchboard dashboard: reads the daemon's JSON APIs with the admin key kept in this
        // tab's sessionStorage, and redraws every few seconds. No library, nothing from outside.
        const KEY_STORE = "switchboard.adminKey";
        const REFRESH_MS = 5000;
        const DAYS = 14;
        const COLORS = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#4b5563"];
        const state = { metric: { key: "cost", model: "cost" }, data: null, busy: false };

        const $ = (id) => document.getElementById(id);
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k === "class") node.className = v;
            else if (k === "style") node.style.cssText = v; // CSSOM: allowed by the page's policy
            else node.setAttribute(k, v);
          }
          for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
          return node;
        }
        function svg(tag, attrs) {
          const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
          return node;
        }
        function usd(v) {
          if (!v) return "$0";
          if (v >= 1) return "$" + v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
          if (v >= 0.01) return "$" + v.toFixed(4);
          return "$" + v.toFixed(6);
        }
        function count(n) {
          if (n >= 1e9) return (n / 1e9).toFixed(1) + "G";
          if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
          if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
          return String(n);
        }
        function day(offset) {
          const d = new Date(Date.now() - offset * 86400000);
          return d.toISOString().slice(0, 10);
        }
        function time(seconds) {
          return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + "Z";
        }

        // One GET; the admin key goes with every call. Answers: {status, body}.
        async function get(path) {
          const headers = {};
          const key = sessionStorage.getItem(KEY_STORE);
          if (key) headers["Authorization"] = "Bearer " + key;
          const response = await fetch(path, { headers, cache: "no-store" });
          let body = null;
          try { body = await response.json(); } catch (e) { body = null; }
          return { status: response.status, body };
        }

        async function load() {
          const since = day(DAYS - 1);
          const paths = {
            byKey: "/v1/usage?group_by=day,key&since=" + since,
            byModel: "/v1/usage?group_by=day,model&since=" + since,
            keyTotals: "/v1/usage?group_by=key",
            models: "/v1/models",
            keys: "/admin/keys",
            activity: "/admin/activity",
            errors: "/admin/errors?limit=100",
          };
          const failed = () => ({ status: 0, body: null });
          // Activity first, alone: the page's own calls would otherwise count as requests in flight.
          const activity = await get(paths.activity).catch(failed);
          delete paths.activity;
          const names = Object.keys(paths);
          const answers = await Promise.all(names.map((n) => get(paths[n]).catch(failed)));
          const data = { activity };
          names.forEach((n, i) => { data[n] = answers[i]; });
          return data;
        }

        function notice(text) {
          const p = $("notice");
          p.textContent = text || "";
          p.hidden = !text;
        }

        function signedIn() { return !!sessionStorage.getItem(KEY_STORE); }

        function showLogin() {
          $("login").hidden = signedIn();
          $("signed-in").hidden = !signedIn();
        }

        async function refresh() {
          if (state.busy) return;
          state.busy = true;
          try {
            const data = await load();
            state.data = data;
            const admin = data.keys.status;
            if (admin === 401 && signedIn()) {
              sessionStorage.removeItem(KEY_STORE);
              notice("The admin key was refused: sign in again.");
            } else if (admin === 401) {
              notice("Sign in with the admin key to see keys, activity and errors.");
            } else if (admin === 403) {
              const error = data.keys.body && data.keys.body.error;
              notice((error && error.message) || "The admin API is off.");
            } else if (data.byKey.status === 401) {
              notice("Sign in with the admin key.");
            } else {
              notice("");
            }
            showLogin();
            render(data);
            $("updated").textContent = "updated " + new Date().toLocaleTimeString();
          } catch (e) {
            $("updated").textContent = "cannot reach the daemon: " + e;
          } finally {
            state.busy = false;
          }
        }

        function rows(answer) {
          const ok = answer && answer.status === 200 && answer.body && Array.isArray(answer.body.data);
          return ok ? answer.body.data : [];
        }

        function render(data) {
          const keyNames = {};
          for (const k of rows(data.keys)) keyNames[k.id] = k.name;
          const keyLabel = (id) => (id ? (keyNames[id] ? keyNames[id] + " (" + id + ")" : id) : "no key");
          renderTiles(data);
          drawChart("chart-key", rows(data.byKey), "key", keyLabel, state.metric.key);
          drawChart("chart-model", rows(data.byModel), "model", (m) => m, state.metric.model);
          renderProviders(data);
          renderDeployments(data);
          renderKeys(data, keyNames);
          renderErrors(data, keyLabel);
        }

        function renderTiles(data) {
          const today = day(0);
          let cost = 0, tokens = 0, requests = 0;
          for (const r of rows(data.byKey)) {
            if (r.day !== today) continue;
            cost += r.cost_usd; tokens += r.total_tokens; requests += r.requests;
          }
          $("tile-spend").textContent = usd(cost);
          $("tile-tokens").textContent = count(tokens);
          $("tile-requests").textContent = count(requests);
          const activity = data.activity.status === 200 ? data.activity.body : null;
          $("tile-inflight").textContent = activity ? String(activity.in_flight_requests) : "–";
          $("tile-streams").textContent = activity
            ? activity.in_flight_streams + " upstream streams" : "admin key needed";
          $("tile-errors").textContent = data.errors.status === 200 ? String(rows(data.errors).length) : "–";
        }

        // A line chart per series over the last DAYS days, one point a day; zero-filled.
        function drawChart(id, data, field, label, metric) {
          const box = $(id);
          box.replaceChildren();
          const days = [];
          for (let i = DAYS - 1; i >= 0; i--) days.push(day(i));
          const series = new Map();
          for (const r of data) {
            const name = r[field] || "";
            if (!series.has(name)) series.set(name, new Array(DAYS).fill(0));
            const i = days.indexOf(r.day);
            if (i >= 0) series.get(name)[i] += metric === "cost" ? r.cost_usd : r.total_tokens;
          }
          if (series.size === 0) {
            box.append(el("p", { class: "muted" }, data.length ? "" : "No usage in the last " + DAYS + " days."));
            return;
          }
          const W = 560, H = 220, L = 64, R = 10, T = 10, B = 24;
          let max = 0;
          for (const values of series.values()) for (const v of values) max = Math.max(max, v);
          if (max === 0) max = 1;
          const x = (i) => L + (i * (W - L - R)) / (DAYS - 1);
          const y = (v) => T + (H - T - B) * (1 - v / max);
          const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": id });
          for (let g = 0; g <= 4; g++) {
            const v = (max * g) / 4;
            root.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "axis" }));
            const t = svg("text", { x: L - 6, y: y(v) + 3, "text-anchor": "end" });
            // Axis labels: three significant digits are enough to read a chart by.
            t.textContent = metric === "cost" ? "$" + Number(v.toPrecision(3)) : count(Math.round(v));
            root.append(t);
          }
          for (let i = 0; i < DAYS; i += 3) {
            const t = svg("text", { x: x(i), y: H - 6, "text-anchor": "middle" });
            t.textContent = days[i].slice(5);
            root.append(t);
          }
          const legend = el("div", { class: "legend" });
          [...series.keys()].sort().forEach((name, n) => {
            const color = COLORS[n % COLORS.length];
            const values = series.get(name);
            const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
            root.append(svg("polyline", { points, fill: "none", stroke: color, "stroke-width": 2 }));
            values.forEach((v, i) => {
              const c = svg("circle", { cx: x(i), cy: y(v), r: v > 0 ? 3.5 : 2, fill: color, class: "point" });
              const tip = svg("title", {});
              tip.textContent = `${label(name)} ${days[i]}: ${metric === "cost" ? usd(v) : v + " tokens"}`;
              c.append(tip);
              root.append(c);
            });
            legend.append(el("span", {}, el("i", { style: "background:" + color }), label(name)));
          });
          box.append(root, legend);
        }

        function providerHealth(data) {
          const health = {};
          if (data.activity.status === 200) for (const p of data.activity.body.providers) health[p.provider] = p;
          return health;
        }

        function renderProviders(data) {
          const box = $("providers");
          box.replaceChildren();
          const health = providerHealth(data);
          const listed = data.models.status === 200 ? data.models.body.providers || [] : [];
          for (const p of listed) {
            const h = health[p.name];
            let cls = "idle", text = "no traffic";
            if (!p.enabled) { cls = "idle"; text = "not configured"; }
            else if (h && h.state === "failing") { cls = "bad"; text = "failing"; }
            else if (h && h.last_success) { cls = "ok"; text = "healthy"; }
            const detail = [];
            if (h && h.in_flight) detail.push(h.in_flight + " in flight");
            if (h && h.consecutive_failures) detail.push(h.consecutive_failures + " failed in a row");
            if (h && h.last_failure) detail.push("last failure " + time(h.last_failure));
            if (h && h.limiter_waits) detail.push(h.limiter_waits + " limiter waits");
            box.append(el("div", { class: "chip " + cls, "data-provider": p.name },
              el("strong", {}, p.name), " ", el("span", { class: "badge" }, text),
              detail.length ? el("div", { class: "muted" }, detail.join(" · ")) : ""));
          }
        }

        // A deployment's own state when it is out (cooling | open); else failing when its provider's last
        // attempt failed; else healthy.
        function renderDeployments(data) {
          const body = $("deployments").tBodies[0];
          body.replaceChildren();
          const health = providerHealth(data);
          const models = data.models.status === 200 ? data.models.body.data || [] : [];
          for (const m of models) {
            const deployments = Array.isArray(m.deployments) && m.deployments.length ? m.deployments
              : [{ provider: m.provider, model: m.model }];
            for (const d of deployments) {
              // The routing's deployment entries may name themselves differently: take what is there.
              const provider = d.provider || m.provider;
              const target = d.model ? provider + "/" + d.model : d.id || d.name || m.provider + "/" + m.model;
              const until = typeof d.until === "number" ? time(d.until) : d.until;
              const h = health[provider];
              let cls = "idle", text = "idle";
              if (m.enabled === false) { text = "disabled"; }
              else if (d.state && d.state !== "healthy") {
                cls = d.state === "open" ? "bad" : "warn";
                text = d.state + (until ? " until " + until : "");
              } else if (h && h.state === "failing") {
                // Back in rotation (a cool-down is short), but its provider's last attempt failed.
                cls = "bad"; text = "failing";
              } else if (d.state) { cls = "ok"; text = "healthy"; }
              else if (h && h.last_success) { cls = "ok"; text = "healthy"; }
              const inFlight = d.in_flight !== undefined ? d.in_flight : "";
              const latency = typeof d.latency_ms === "number" ? Math.round(d.latency_ms) + " ms" : "";
              body.append(el("tr", { class: cls, "data-model": m.id },
                el("td", {}, m.id), el("td", {}, el("code", {}, target)),
                el("td", {}, el("span", { class: "badge" }, text)), el("td", { class: "num" }, inFlight),
                el("td", { class: "num" }, latency)));
            }
          }
        }

        function renderKeys(data, keyNames) {
          const body = $("keys").tBodies[0];
          body.replaceChildren();
          const totals = {};
          for (const r of rows(data.keyTotals)) totals[r.key || ""] = r;
          const keys = rows(data.keys);
          if (data.keys.status !== 200) {
            const hint = "Sign in with the admin key to list keys.";
            body.append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, hint)));
            return;
          }
          const ids = keys.map((k) => k.id);
          if (totals[""]) ids.push("");
          for (const id of ids) {
            const k = keys.find((key) => key.id === id);
            const t = totals[id] || { cost_usd: 0, total_tokens: 0, requests: 0 };
            const limits = k ? [k.rpm && k.rpm + " rpm", k.tpm && k.tpm + " tpm",
              k.max_concurrent && k.max_concurrent + " at once"].filter(Boolean).join(", ") || "none" : "";
            const budget = k ? [k.budget_usd ? usd(k.budget_usd) + " " + k.budget_period : "",
              k.token_budget ? count(k.token_budget) + " tokens" : ""].filter(Boolean).join(", ") || "none" : "";
            const name = k ? el("span", {}, el("strong", {}, k.name), " ", el("code", {}, k.id),
              k.revoked ? el("span", { class: "badge bad" }, "revoked") : "")
              : el("span", { class: "muted" }, "no key");
            body.append(el("tr", { "data-key": id },
              el("td", {}, name), el("td", {}, k ? (k.models.length ? k.models.join(", ") : "all") : ""),
              el("td", {}, limits), el("td", {}, budget), el("td", { class: "num spend" }, usd(t.cost_usd)),
              el("td", { class: "num" }, count(t.total_tokens)), el("td", { class: "num" }, String(t.requests))));
          }
        }

        function renderErrors(data, keyLabel) {
          const body = $("errors").tBodies[0];
          body.replaceChildren();
          if (data.errors.status !== 200) {
            const hint = "Sign in with the admin key to see errors.";
            body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, hint)));
            return;
          }
          const list = rows(data.errors);
          if (!list.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No errors.")));
          for (const e of list.slice(0, 20)) {
            body.append(el("tr", { class: "bad", "data-request-id": e.request_id },
              el("td", {}, time(e.time)), el("td", {}, el("code", {}, e.request_id)), el("td", {}, keyLabel(e.key_id)),
              el("td", {}, e.model + (e.provider ? " · " + e.provider : "")),
              el("td", {}, el("span", { class: "badge" }, String(e.status))), el("td", { class: "msg" }, e.message)));
          }
        }

        document.addEventListener("DOMContentLoaded", () => {
          $("login").addEventListener("submit", (event) => {
            event.preventDefault();
            const value = $("admin-key").value.trim();
            if (!value) return;
            sessionStorage.setItem(KEY_STORE, value);
            $("admin-key").value = "";
            refresh();
          });
          $("sign-out").addEventListener("click", () => {
            sessionStorage.removeItem(KEY_STORE);
            refresh();
          });
          for (const toggle of document.querySelectorAll(".toggle")) {
            toggle.addEventListener("click", (event) => {
              const button = event.target.closest("button");
              if (!button) return;
              state.metric[toggle.dataset.chart] = button.dataset.metric;
              for (const b of toggle.querySelectorAll("button")) b.classList.toggle("on", b === button);
              if (state.data) render(state.data);
            });
          }
          showLogin();
          refresh();
          setInterval(refresh, REFRESH_MS);
        });
        """#
}
