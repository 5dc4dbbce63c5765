"""The dashboard (/ui) in a real headless Chromium, driven by Selenium: what a person sees.

Usage: dashboard.py BASE_URL EXPECTATIONS_JSON ARTIFACT_DIR

The daemon behind BASE_URL already has usage in it (the Swift test made it through the
emulator); EXPECTATIONS_JSON says what the page must show: the admin key, each key's spend
figure, the failing provider and model, an error's request id, and a key secret to make one
more request with (to see the page refresh by itself). Screenshots go to ARTIFACT_DIR.
Prints one line per check and "N passed, M failed"; exits non-zero on any failure.
"""

import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE, EXPECT, ARTIFACTS = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
WAIT_SECONDS = 30
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)), flush=True)


def wait_for(driver, what, predicate):
    """Waits until predicate(driver) is truthy (the page refreshes itself); False on timeout."""
    try:
        return WebDriverWait(
            driver, WAIT_SECONDS, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]
        ).until(predicate)
    except TimeoutException:
        print("     (timed out waiting for " + what + ")", flush=True)
        return False


def unstale(read):
    """read() again while the page's refresh replaces the element between finding and reading it
    (the tables are rebuilt every few seconds)."""
    for _ in range(50):
        try:
            return read()
        except StaleElementReferenceException:
            continue
    return read()


def text_of(driver, css):
    def read():
        found = driver.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else None
    return unstale(read)


def class_and_text(driver, css):
    """(class, text) of the first element matching css, read together; None when there is none."""
    def read():
        found = driver.find_elements(By.CSS_SELECTOR, css)
        return (found[0].get_attribute("class") or "", found[0].text) if found else None
    return unstale(read)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    # CI runs as root in a container: Chromium's sandbox needs namespaces it may not have.
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,800", "--no-first-run", "--disable-extensions"]:
        options.add_argument(flag)
    # Debian's driver, named: Selenium then never tries to fetch one.
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver = browser()
    try:
        driver.get(BASE + "/ui")
        check("the page loads with its title", driver.title == "Switchboard", driver.title)
        field = driver.find_element(By.ID, "admin-key")
        check("the admin-key login field is shown", field.is_displayed())
        hint = wait_for(driver, "the sign-in hint", lambda d: "Sign in" in (text_of(d, "#keys tbody") or ""))
        check("without the admin key the keys table asks to sign in", hint, text_of(driver, "#keys tbody"))

        field.send_keys(EXPECT["admin_key"])
        driver.find_element(By.ID, "sign-in").click()
        stored = driver.execute_script("return sessionStorage.getItem('switchboard.adminKey')")
        check("the admin key is kept in sessionStorage", stored == EXPECT["admin_key"])
        for key_id, spend in EXPECT["spend"].items():
            css = f'#keys tr[data-key="{key_id}"] td.spend'
            seen = wait_for(driver, "spend of " + key_id, lambda d: text_of(d, css) == spend)
            check(f"key {key_id} shows its spend {spend}", seen, text_of(driver, css))
        check("the login field is hidden once signed in", not driver.find_element(By.ID, "login").is_displayed())
        check("nothing is in flight when idle (the page's own calls not counted)",
              text_of(driver, "#tile-inflight") == "0", text_of(driver, "#tile-inflight"))
        check("today's spend tile", text_of(driver, "#tile-spend") == EXPECT["spend_today"],
              text_of(driver, "#tile-spend"))

        points = driver.find_elements(By.CSS_SELECTOR, "#chart-key svg circle.point")
        lines = driver.find_elements(By.CSS_SELECTOR, "#chart-key svg polyline")
        check("the spend-by-key chart has a line per key, with points", len(lines) >= 2 and len(points) >= 28,
              f"{len(lines)} lines, {len(points)} points")
        raised = unstale(lambda: [p for p in driver.find_elements(By.CSS_SELECTOR, "#chart-key svg circle.point")
                                  if float(p.get_attribute("r")) > 3])
        check("today's points stand above zero", len(raised) >= 2, len(raised))
        check("the chart's legend names the keys", "alpha" in (text_of(driver, "#chart-key-card .legend") or ""))
        model_points = driver.find_elements(By.CSS_SELECTOR, "#chart-model svg circle.point")
        check("the by-model chart has points", len(model_points) >= 14, len(model_points))

        provider = f'[data-provider="{EXPECT["failing_provider"]}"]'
        chip = class_and_text(driver, provider)
        check("the failing provider is flagged", chip and "bad" in chip[0] and "failing" in chip[1], chip or "no chip")
        healthy = text_of(driver, f'[data-provider="{EXPECT["healthy_provider"]}"]')
        check("a working provider is shown healthy", healthy and "healthy" in healthy)
        row = class_and_text(driver, f'#deployments tr[data-model="{EXPECT["failing_model"]}"]')
        check("the failing model's deployment row is flagged", row and "bad" in row[0] and "failing" in row[1],
              row or "no row")
        error = text_of(driver, f'#errors tr[data-request-id="{EXPECT["error_request_id"]}"]')
        check("the last errors list the failed request by its id", error and EXPECT["error_request_id"] in error,
              text_of(driver, "#errors tbody"))
        driver.save_screenshot(os.path.join(ARTIFACTS, "dashboard-1280x800.png"))

        # One more request: the page shows it without being reloaded.
        css = f'#keys tr[data-key="{EXPECT["refresh_key_id"]}"] td:last-child'
        before = text_of(driver, css)
        request = urllib.request.Request(
            BASE + "/v1/chat", method="POST", data=json.dumps(EXPECT["refresh_request"]).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + EXPECT["refresh_secret"]})
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        grown = wait_for(driver, "the request count to grow", lambda d: text_of(d, css) not in (None, before))
        check("the page refreshes itself (a new request appears)", grown, f"{before} → {text_of(driver, css)}")

        driver.set_window_size(390, 844)
        fits = wait_for(driver, "the phone layout", lambda d: d.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"))
        check("at phone width nothing scrolls sideways (tables scroll in their boxes)", fits,
              driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]"))
        driver.save_screenshot(os.path.join(ARTIFACTS, "dashboard-phone.png"))

        driver.find_element(By.ID, "sign-out").click()
        gone = driver.execute_script("return sessionStorage.getItem('switchboard.adminKey')")
        check("signing out forgets the admin key", gone is None)
        # A refused call before signing in is logged by the browser too: that is expected.
        logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"
                and "the server responded with a status of 401" not in e.get("message", "")]
        check("the browser reported no errors (nothing blocked, nothing failed)", not logs, logs)
    finally:
        driver.quit()
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
