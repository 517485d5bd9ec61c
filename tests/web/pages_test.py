#!/usr/bin/python3
"""The desk and the board (docs/web.md) in headless Chromium against a started acdd.

usage: pages_test.py ACDD WEB_ROOT OUT_DIR

An agent signs in and goes ready; a call offered through the gateway pops up on its desk with the
caller's history and the script, and stays until the wrap-up ends; the agent books a free slot and
takes a message, and both show in the history; it filters the free slots by practitioner and by
dates, adds the caller to the waiting list, moves the appointment, is told in words that a slot
was just taken, and cancels the appointment (told first that a reason is needed); a supervisor's
board shows the queue and the alert of a late urgent call, transfers that call, changes a
specialty's overflow threshold, is told in words that an agent on a call cannot be paused, and
evaluates a call of the quality sample; an agent opening /board is refused; when acdd stops, the
board says the link is down. axe-core finds no serious or critical accessibility violation on the
desk and the board. Screenshots of each page go to OUT_DIR. Every wait is on an element with a
deadline; acdd and chromedriver are stopped by their PIDs. Exits 77 (skipped) when Chromium, its
driver or Selenium is not installed; fails when axe-core is (scripts/setup.sh installs it).
"""
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("skipped: python3-selenium is not installed (scripts/setup.sh installs it)")
    sys.exit(77)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "correct horse battery"
DEADLINE = 15  # seconds: generous for a loaded 2-core machine; waits end as soon as it holds
# axe-core from npm (tests/web/package-lock.json), installed by scripts/setup.sh.
AXE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_modules", "axe-core", "axe.min.js")


class Acdd:
    """acdd in a folder of its own, its stderr collected by a thread."""

    def __init__(self, binary, web_root, folder):
        self.folder = folder
        config = {
            "gateway": {"listen": "127.0.0.1:0"},
            "admin": {"socket": os.path.join(folder, "admin.sock")},
            "store": {"path": os.path.join(folder, "acdd.db"), "synchronous": "normal"},
            "log": {"level": "info"},
            "site": {"timezone": "Europe/Luxembourg"},  # times shown in the site's zone
            "web": {"listen": "127.0.0.1:0"},
            "quality": {"sample_percent": 100},  # every answered call to evaluate
            # Urgent calls late after 3 s (and kept in the queue), for the board's alert.
            "classes": {"appointment": {"script": ["Say hello and give your name."]},
                        "urgent": {"target_s": 3, "overflow": False, "overflow_lead_s": 0}},
            "specialties": [
                {"id": "cardiology", "numbers": ["+1001"], "default_class": "appointment",
                 "script": ["Cardiology: ask for the birth date."]},
                {"id": "neurology", "numbers": ["+1002"]},
            ],
            "agents": [
                {"id": "a1", "uri": "sip:a1@pbx.test", "skills": ["cardiology"], "wrap_up_s": 4},
                {"id": "a2", "uri": "sip:a2@pbx.test", "skills": ["cardiology", "neurology"]},
            ],
            "overflow_teams": [{"id": "ext", "uri": "sip:ext@overflow.test",
                                "max_concurrent": 2, "specialties": ["neurology"]}],
        }
        path = os.path.join(folder, "acdd.json")
        with open(path, "w") as f:
            json.dump(config, f)
        self.log = ""
        self.lock = threading.Lock()
        self.process = subprocess.Popen([binary, "-c", path, "--web-root", web_root],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_log("daemon.ready")
        self.gateway_port = self._port("listening for gateways on ")
        self.web_port = self._port("web listener on ")

    def _read(self):
        for line in self.process.stderr:
            with self.lock:
                self.log += line

    def wait_log(self, text):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            with self.lock:
                if text in self.log:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"acdd never logged {text!r}:\n{self.log}")

    def _port(self, prefix):
        with self.lock:
            line = self.log[self.log.index(prefix):].split("\n", 1)[0]
        return int(line.split(":")[1].split()[0])

    def admin(self, command, arguments):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(DEADLINE)
            s.connect(os.path.join(self.folder, "admin.sock"))
            s.sendall((json.dumps({"command": command, "arguments": arguments}) + "\n").encode())
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(65536)
                assert chunk, "the admin socket closed"
                reply += chunk
        answer = json.loads(reply)
        assert answer["result"] == 0, answer
        return answer["arguments"]

    def stop(self):
        """SIGTERM by PID; SIGKILL if it does not stop."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


class Gateway:
    """A telephony gateway speaking docs/spec/gateway-protocol.md."""

    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.reader = self.socket.makefile("r")
        self.seq = 0
        self.send({"type": "hello", "gateway": "gw1", "protocol": 1})
        welcome = json.loads(self.reader.readline())
        assert welcome["type"] == "welcome", welcome

    def send(self, message):
        self.socket.sendall((json.dumps(message) + "\n").encode())

    def event(self, message):
        self.seq += 1
        message["seq"] = self.seq
        self.send(message)
        while True:  # until its acknowledgement
            line = json.loads(self.reader.readline())
            assert line["type"] != "error", line
            if line["type"] == "ack" and line["seq"] >= self.seq:
                return

    def close(self):
        self.socket.close()


def request(port, method, path, body=None, cookie=None):
    """(status, headers, body) of one request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if cookie:
        headers["Cookie"] = cookie
    connection.request(method, path, body=body, headers=headers)
    r = connection.getresponse()
    out = (r.status, dict(r.getheaders()), r.read().decode())
    connection.close()
    return out


def check_routes(port):
    """Pages without a session go to the sign-in; a role's wrong page is 403 and shows nothing."""
    status, headers, _ = request(port, "GET", "/board")
    assert status == 303 and headers["Location"] == "/?next=/board", (status, headers)
    status, _, _ = request(port, "GET", "/api/session")
    assert status == 401, status
    status, headers, _ = request(port, "POST", "/api/login",
                              json.dumps({"user": "marie", "password": PASSWORD}))
    assert status == 200, status
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, body = request(port, "GET", "/board", cookie=cookie)
    assert status == 403 and 'id="forbidden"' in body and "board.js" not in body, (status, body)
    status, headers, body = request(port, "GET", "/desk", cookie=cookie)
    assert status == 200 and "desk.js" in body, status
    assert headers["Content-Security-Policy"] == "default-src 'self'", headers
    status, _, body = request(port, "GET", "/api/session", cookie=cookie)
    me = json.loads(body)
    assert status == 200 and me["agent"] == "a1" and me["agent_state"]["state"] == "logged_out", body
    assert "break" in me["pause_reasons"] and me["targets"]["urgent"] == 3 and me["timezone"] == "Europe/Luxembourg", body
    status, headers, _ = request(port, "GET", "/assets/desk.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript"), headers
    request(port, "POST", "/api/logout", "{}", cookie=cookie)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=en-US"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def quit_browser(driver):
    """Ends the browser, then its chromedriver by PID should it still run."""
    pid = driver.service.process.pid if driver.service.process else None
    driver.quit()
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def sign_in(driver, base, user):
    driver.get(base + "/")
    wait = WebDriverWait(driver, DEADLINE)
    wait.until(EC.element_to_be_clickable((By.ID, "signin")))
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "signin").click()


def fill(driver, element_id, text):
    e = driver.find_element(By.ID, element_id)
    e.clear()
    e.send_keys(text)


def text_in(locator, text):
    return EC.text_to_be_present_in_element(locator, text)


def check_accessibility(driver, page):
    """axe-core run in the page (injected by WebDriver, which the page's CSP does not restrict):
    no violation of serious or critical impact."""
    with open(AXE) as f:
        driver.execute_script(f.read())
    driver.set_script_timeout(60)
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                                      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))))
          .catch((e) => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
    """)
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page}: accessibility violations:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in bad)


def slot_texts(driver):
    """The free slots listed, read at once (the list is replaced when it is read again)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#slots li')].map((e) => e.innerText);")


def set_value(driver, element_id, value):
    """Sets an input (a date: typing one depends on the browser's locale) as the user would."""
    driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));", element_id, value)


def main():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        print("skipped: chromium and chromium-driver are not installed (scripts/setup.sh installs them)")
        return 77
    acdd_binary, web_root, out = sys.argv[1], sys.argv[2], sys.argv[3]
    if not os.path.isfile(AXE):
        print(f"{AXE} is missing: run scripts/setup.sh (npm ci in tests/web)")
        return 1
    os.makedirs(out, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="acdd-pages-")
    acdd = Acdd(acdd_binary, web_root, folder)
    drivers = []
    gateway = None
    try:
        base = f"http://127.0.0.1:{acdd.web_port}"
        for user, role, agent in (("marie", "agent", "a1"), ("paul", "supervisor", None)):
            args = {"user": user, "name": user.capitalize(), "role": role, "password": PASSWORD}
            if agent:
                args["agent"] = agent
            acdd.admin("user-add", args)
        check_routes(acdd.web_port)
        caller = "+352621000009"
        # The caller has called before (and hung up waiting) and left a message.
        gateway = Gateway(acdd.gateway_port)
        gateway.event({"type": "call.offered", "call_id": "c0", "caller": caller, "dialed": "+1001"})
        gateway.event({"type": "call.ended", "call_id": "c0", "cause": "caller_hangup"})
        acdd.admin("message-create", {"specialty": "cardiology", "patient": {"phone": caller, "name": "Jean Dupont"},
                                      "urgency": "normal", "reason": "results", "body": "Wants the results",
                                      "action": "call_back", "by": "paul"})

        tomorrow = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
        acdd.admin("slot-open", {"specialty": "cardiology", "practitioner": "Dr Martin",
                                 "start": f"{tomorrow.isoformat()}T09:00:00Z", "duration_min": 20, "count": 2})
        later = tomorrow + datetime.timedelta(days=1)
        acdd.admin("slot-open", {"specialty": "cardiology", "practitioner": "Dr Weber",
                                 "start": f"{later.isoformat()}T10:00:00Z", "duration_min": 20, "count": 2})

        # The agent signs in and goes ready.
        desk = browser()
        drivers.append(desk)
        wait = WebDriverWait(desk, DEADLINE)
        sign_in(desk, base, "marie")
        wait.until(EC.url_to_be(base + "/desk"))
        wait.until(lambda d: d.find_element(By.ID, "agent-state").get_attribute("data-state") == "logged_out")
        wait.until(text_in((By.ID, "link"), "Live"))
        desk.find_element(By.ID, "ready").click()
        wait.until(lambda d: d.find_element(By.ID, "agent-state").get_attribute("data-state") == "ready")

        # A call offered through the gateway pops up with the history and the script.
        gateway.event({"type": "call.offered", "call_id": "c1", "caller": caller, "dialed": "+1001"})
        wait.until(EC.visibility_of_element_located((By.ID, "call-card")))
        assert desk.find_element(By.ID, "call-card").get_attribute("data-call-id") == "c1"
        wait.until(text_in((By.ID, "script"), "Say hello and give your name."))
        wait.until(text_in((By.ID, "script"), "Cardiology: ask for the birth date."))
        assert desk.find_element(By.ID, "call-specialty").text == "cardiology"
        assert desk.find_element(By.ID, "call-class").text == "appointment"
        assert desk.find_element(By.ID, "call-past").text == "1"
        wait.until(lambda d: d.find_element(By.ID, "history").get_attribute("data-loaded") == "1")
        history = desk.find_element(By.ID, "history").text
        assert "1 call(s)" in history, history
        assert "results" in history, history  # the open message
        wait.until(lambda d: d.find_element(By.ID, "agent-state").get_attribute("data-state") == "reserved")
        # The agent answers (the card stays while the call is talked).
        gateway.event({"type": "call.answered", "call_id": "c1", "agent": "a1"})
        wait.until(lambda d: d.find_element(By.ID, "agent-state").get_attribute("data-state") == "busy")

        # The agent books a free slot for the caller and takes a message; both show in the history.
        fill(desk, "book-name", "Jean Dupont")
        fill(desk, "book-reason", "check-up")
        desk.find_element(By.ID, "find-slots").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#slots button.book"))).click()
        wait.until(text_in((By.ID, "book-result"), "Appointment booked"))
        wait.until(text_in((By.ID, "history"), "Dr Martin"))
        fill(desk, "msg-name", "Jean Dupont")
        fill(desk, "msg-reason", "prescription")
        fill(desk, "msg-body", "Needs a renewal")
        desk.find_element(By.ID, "msg-send").click()
        wait.until(text_in((By.ID, "msg-result"), "Message recorded"))
        wait.until(text_in((By.ID, "history"), "prescription"))

        # The free slots of one practitioner; then of one day (the site's), any practitioner.
        fill(desk, "slot-practitioner", "weber")
        set_value(desk, "slot-to", later.isoformat())
        desk.find_element(By.ID, "find-slots").click()
        wait.until(lambda d: len(slot_texts(d)) == 2 and all("Dr Weber" in x for x in slot_texts(d)))
        desk.find_element(By.ID, "slot-practitioner").clear()
        set_value(desk, "slot-to", tomorrow.isoformat())
        desk.find_element(By.ID, "find-slots").click()
        wait.until(lambda d: len(slot_texts(d)) == 1 and "Dr Martin" in slot_texts(d)[0])  # 9:00 is booked

        # The caller goes on the waiting list.
        desk.find_element(By.ID, "waitlist-add").click()
        wait.until(text_in((By.ID, "waitlist-result"), "Added to the waiting list"))
        entries = acdd.admin("waitlist-list", {"specialty": "cardiology"})["entries"]
        assert len(entries) == 1 and entries[0]["patient"]["name"] == "Jean Dupont", entries

        # The agent moves the appointment to Dr Weber's first slot.
        fill(desk, "slot-practitioner", "weber")
        set_value(desk, "slot-to", later.isoformat())
        desk.find_element(By.ID, "appointment-move").click()
        wait.until(text_in((By.ID, "moving"), "choose a new slot"))
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slots button.move")) == 2)
        desk.find_elements(By.CSS_SELECTOR, "#slots button.move")[0].click()
        wait.until(text_in((By.ID, "appointment-result"), "moved to"))
        wait.until(text_in((By.ID, "history"), "Dr Weber"))
        assert "Dr Martin" not in desk.find_element(By.ID, "history").text

        # Moving it again to a slot someone else books meanwhile: refused in words.
        desk.find_element(By.ID, "appointment-move").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slots button.move")) == 1)
        button = desk.find_element(By.CSS_SELECTOR, "#slots button.move")
        acdd.admin("appointment-book", {"slot_id": int(button.get_attribute("data-slot-id")),
                                        "patient": {"phone": "+352621000077", "name": "Anne Klein"},
                                        "reason": "check-up", "by": "paul"})
        button.click()
        wait.until(text_in((By.ID, "appointment-result"), "Refused: the slot was just taken"))

        # Cancelling asks for a reason, then frees the slot and names the waiting list's match.
        desk.find_element(By.ID, "cancel-reason").clear()
        desk.find_element(By.ID, "appointment-cancel").click()
        wait.until(text_in((By.ID, "appointment-result"), "Give the reason for cancelling."))
        fill(desk, "cancel-reason", "feels better")
        desk.find_element(By.ID, "appointment-cancel").click()
        wait.until(text_in((By.ID, "appointment-result"), "cancelled"))
        assert "1 patient(s) on the waiting list" in desk.find_element(By.ID, "appointment-result").text
        wait.until(lambda d: "Dr Weber" not in d.find_element(By.ID, "history").text)
        wait.until(text_in((By.ID, "appointment-select"), "no upcoming appointment"))
        check_accessibility(desk, "/desk")
        desk.set_window_size(1280, 2300)
        desk.execute_script("window.scrollTo(0, 0)")
        desk.save_screenshot(os.path.join(out, "desk.png"))

        # A second call waits in the queue: the supervisor's board shows it against its target.
        gateway.event({"type": "call.offered", "call_id": "c2", "caller": "+352621000010", "dialed": "+1001"})
        board = browser()
        drivers.append(board)
        bwait = WebDriverWait(board, DEADLINE)
        sign_in(board, base, "paul")
        bwait.until(EC.url_to_be(base + "/board"))
        bwait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#queues [data-specialty="cardiology"] [data-call-id="c2"]')))
        bwait.until(text_in((By.CSS_SELECTOR, '#queues [data-specialty="cardiology"] .count'), "1"))
        bwait.until(text_in((By.ID, "agents"), "a1"))
        row = board.find_element(By.CSS_SELECTOR, '[data-call-id="c2"]').text
        assert "appointment" in row and "target 2:00" in row, row
        # An urgent call waits past its target: the alert shows at the top.
        gateway.event({"type": "call.offered", "call_id": "c3", "caller": "+352621000011",
                       "dialed": "+1002", "class": "urgent"})
        bwait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#queues [data-specialty="neurology"] [data-call-id="c3"]')))
        bwait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#alerts .alert.call_late")))
        assert "neurology" in board.find_element(By.CSS_SELECTOR, "#alerts .alert.call_late").text
        board.find_element(By.ID, "large").click()  # large type for a wall screen, and back
        bwait.until(lambda d: "large" in d.find_element(By.TAG_NAME, "body").get_attribute("class"))
        board.save_screenshot(os.path.join(out, "board-large.png"))
        board.find_element(By.ID, "large").click()
        check_accessibility(board, "/board")

        # The supervisor changes neurology's overflow threshold; an empty one is refused in words.
        Select(board.find_element(By.ID, "threshold-specialty")).select_by_value("neurology")
        board.find_element(By.ID, "threshold-value").clear()
        board.find_element(By.ID, "threshold-set").click()
        bwait.until(text_in((By.ID, "control-result"), "Refused"))
        fill(board, "threshold-value", "5")
        board.find_element(By.ID, "threshold-set").click()
        bwait.until(text_in((By.ID, "control-result"), "Threshold of neurology: 5 calls."))
        bwait.until(text_in((By.CSS_SELECTOR, '#queues [data-specialty="neurology"] .threshold'), "threshold 5"))
        settings = acdd.admin("overflow-get", {})["specialties"]
        assert [s["threshold"] for s in settings if s["specialty"] == "neurology"] == [5], settings
        board.set_window_size(1280, 1400)
        board.save_screenshot(os.path.join(out, "board.png"))

        # The supervisor transfers the late call to cardiology; a pause of an agent on a call is
        # refused, in words.
        board.find_element(By.CSS_SELECTOR, '#queues [data-call-id="c3"]').click()
        bwait.until(text_in((By.ID, "sel-call"), "c3"))
        Select(board.find_element(By.ID, "transfer-to")).select_by_value("cardiology")
        board.find_element(By.ID, "transfer").click()
        bwait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#queues [data-specialty="cardiology"] [data-call-id="c3"]')))
        bwait.until(text_in((By.ID, "control-result"), "Done"))
        board.find_element(By.CSS_SELECTOR, '#agents [data-agent="a1"]').click()
        bwait.until(text_in((By.ID, "sel-agent"), "a1"))
        board.find_element(By.ID, "agent-pause").click()
        bwait.until(text_in((By.ID, "control-result"), "Refused"))

        # The card stays through the call and its wrap-up, which the desk counts down; then the
        # agent is ready again and the next call's card replaces it.
        gateway.event({"type": "call.ended", "call_id": "c1"})
        wait.until(lambda d: d.find_element(By.ID, "agent-state").get_attribute("data-state") == "wrap_up")
        assert desk.find_element(By.ID, "call-card").get_attribute("data-call-id") == "c1"
        assert desk.find_element(By.ID, "call-card").is_displayed()
        wait.until(text_in((By.ID, "agent-since"), "left"))

        # The answered call is in the quality sample: the supervisor evaluates it.
        bwait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#quality-call option[value="c1"]')))
        Select(board.find_element(By.ID, "quality-call")).select_by_value("c1")
        Select(board.find_element(By.ID, "quality-score")).select_by_value("4")
        fill(board, "quality-comment", "Clear and kind")
        board.find_element(By.ID, "quality-evaluate").click()
        bwait.until(text_in((By.ID, "quality-result"), "Call c1 evaluated: 4/5."))
        bwait.until(text_in((By.CSS_SELECTOR, '#quality-calls tr[data-call-id="c1"]'), "4/5 · Clear and kind"))
        evaluated = acdd.admin("quality-list", {})["calls"]
        assert [c["evaluation"]["by"] for c in evaluated if c["call_id"] == "c1"] == ["paul"], evaluated
        # The urgent call (transferred to cardiology) goes first.
        wait.until(lambda d: d.find_element(By.ID, "call-card").get_attribute("data-call-id") == "c3")

        # An agent opening /board is refused and sees nothing of the queues.
        desk.get(base + "/board")
        wait.until(EC.presence_of_element_located((By.ID, "forbidden")))
        assert not desk.find_elements(By.ID, "queues")
        assert "c2" not in desk.page_source
        desk.find_element(By.ID, "lang").click()  # the switch: French
        wait.until(text_in((By.TAG_NAME, "h2"), "Accès refusé"))
        desk.save_screenshot(os.path.join(out, "forbidden.png"))
        quit_browser(desk)
        drivers.remove(desk)

        # The link goes down: the board says so, and its numbers are shown as stale.
        gateway.close()
        gateway = None
        assert acdd.stop() == 0, acdd.log
        bwait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#link.down")))
        assert "stale" in board.find_element(By.TAG_NAME, "body").get_attribute("class")
        board.save_screenshot(os.path.join(out, "board-link-down.png"))
        print("ok: desk, board, refusal and link-down shown; screenshots in", out)
        return 0
    except Exception:
        # What the pages said: their console (errors of the scripts), and what acdd logged.
        for d in drivers:
            for entry in d.get_log("browser"):
                print("browser:", entry.get("level"), entry.get("message"))
            d.save_screenshot(os.path.join(out, f"failed-{drivers.index(d)}.png"))
        print(acdd.log[-4000:])
        raise
    finally:
        if gateway:
            gateway.close()
        for d in drivers:
            quit_browser(d)
        acdd.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
