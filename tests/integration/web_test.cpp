// docs/spec/web.md over real HTTP against a started acdd: sessions (cookie flags, one 401 for
// every bad login, the 5-failure lockout, logout, a disabled user's sessions), the listener's
// refusals (401, 403, 404, 405, 413, 415, bad JSON), the security headers, the roles table
// through the same registry as the admin socket (allowed and `forbidden`, audited), `by` taken
// from the session, the users' commands (no password in the audit log), health and readiness.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "acd/commit_histogram.hpp"
#include "admin_client.hpp"
#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";

struct Http {
    int status = 0;
    Json body;
    httplib::Headers headers;
    std::string text;
};

struct WebTest : DaemonTest {
    std::uint16_t web_port = 0;

    void SetUp() override {
        Json config = test_config(daemon->dir());
        config["web"] = {{"listen", "127.0.0.1:0"}};
        daemon->configure(config);
        DaemonTest::SetUp();
        const std::string err = daemon->log();
        const auto at = err.find("web listener on ");
        ASSERT_NE(at, std::string::npos) << err;
        const auto colon = err.rfind(':', err.find('\n', at));
        web_port = static_cast<std::uint16_t>(std::stoi(err.substr(colon + 1)));
    }

    // Adds a user through the admin socket (as admin).
    void add_user(const std::string& user, const std::string& role, const std::string& agent = "") {
        AdminClient admin(socket());
        Json args = {
            {"user", user}, {"name", "Name of " + user}, {"role", role}, {"password", kPassword}};
        if (!agent.empty()) args["agent"] = agent;
        const Json r = admin.call("user-add", args);
        ASSERT_EQ(r.value("result", -1), 0) << r.dump();
    }
    Json admin_call(const std::string& command, const Json& args = Json::object()) {
        AdminClient admin(socket());
        return admin.call(command, args);
    }

    Http request(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& type = "application/json", const std::string& cookie = "") {
        httplib::Client client("127.0.0.1", web_port);
        client.set_read_timeout(20, 0);
        httplib::Headers headers;
        if (!cookie.empty()) headers.emplace("Cookie", cookie);
        httplib::Result r = method == "GET"      ? client.Get(path, headers)
                            : method == "DELETE" ? client.Delete(path, headers)
                            : method == "PUT"    ? client.Put(path, headers, body, type)
                                                 : client.Post(path, headers, body, type);
        Http out;
        if (!r) return out;
        out.status = r->status;
        out.headers = r->headers;
        out.text = r->body;
        out.body = Json::parse(r->body, nullptr, false);
        return out;
    }
    Http login(const std::string& user, const std::string& password = kPassword) {
        return request("POST", "/api/login", Json{{"user", user}, {"password", password}}.dump());
    }
    // The session cookie ("acdd_session=...") of a successful login.
    std::string session(const std::string& user) {
        const Http r = login(user);
        EXPECT_EQ(r.status, 200) << r.text;
        const auto it = r.headers.find("Set-Cookie");
        if (it == r.headers.end()) return "";
        return it->second.substr(0, it->second.find(';'));
    }
    Http command(const std::string& cookie, const std::string& name,
                 const Json& args = Json::object()) {
        return request("POST", "/api/command",
                       Json{{"command", name}, {"arguments", args}, {"id", 7}}.dump(),
                       "application/json", cookie);
    }
    // The bodies of the audit records of `type`, oldest first, once there are at least `count`
    // (records are appended as answers go out and become durable a moment later), or at the
    // deadline.
    std::vector<Json> audited(const std::string& type, std::size_t count = 0) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        std::vector<Json> out = audited_now(type);
        while (out.size() < count && std::chrono::steady_clock::now() < deadline)
            out = audited_now(type);
        return out;
    }
    std::vector<Json> audited_now(const std::string& type) {
        std::vector<Json> out;
        sqlite3* db = nullptr;
        sqlite3_open_v2((daemon->dir() / "acdd.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "SELECT body FROM audit WHERE type = ? ORDER BY id", -1, &st,
                           nullptr);
        sqlite3_bind_text(st, 1, type.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) {
            out.push_back(Json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))));
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return out;
    }
};

// A client of /api/events on a plain socket: what it received so far, read with a deadline.
class EventClient {
  public:
    // `receive_buffer`: the socket's SO_RCVBUF when not 0 (a client that reads slowly).
    EventClient(std::uint16_t port, const std::string& cookie, const std::string& topics,
                int receive_buffer = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receive_buffer > 0) {
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
        const std::string request = "GET /api/events?topics=" + topics +
                                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                                    "\r\n\r\n";
        (void)::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
    }
    ~EventClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    // Reads until `text` has been received; false at the deadline or when the server closed.
    bool wait_for(const std::string& text, std::chrono::milliseconds deadline = 20s) {
        return wait_until([&] { return received.find(text) != std::string::npos; }, deadline);
    }
    // Reads until `done()` holds; false at the deadline or when the server closed.
    bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 20s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!done()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, int(left.count())) <= 0) return false;
            char buf[4096];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) return false;
            received.append(buf, std::size_t(n));
        }
        return true;
    }
    std::string received;

  private:
    int fd_ = -1;
};

// The events of an /api/events response read so far, whole ones only: each its `event:` name
// ("" for a plain message) and its data (the chunked body decoded, comment lines left out).
struct Sse {
    std::string event;
    Json data;
};
std::vector<Sse> sse_events(const std::string& received) {
    std::string body;
    std::size_t at = received.find("\r\n\r\n");
    if (at == std::string::npos) return {};
    for (at += 4;;) {
        const std::size_t eol = received.find("\r\n", at);
        if (eol == std::string::npos) break;
        const std::size_t size = std::stoul(received.substr(at, eol - at), nullptr, 16);
        if (size == 0 || eol + 2 + size > received.size()) break;
        body += received.substr(eol + 2, size);
        at = eol + 2 + size + 2;
    }
    std::vector<Sse> out;
    for (std::size_t start = 0, end; (end = body.find("\n\n", start)) != std::string::npos;
         start = end + 2) {
        Sse e;
        std::istringstream block(body.substr(start, end - start));
        for (std::string line; std::getline(block, line);) {
            if (line.starts_with("event: ")) e.event = line.substr(7);
            if (line.starts_with("data: ")) e.data = Json::parse(line.substr(6));
        }
        if (!e.data.is_null()) out.push_back(std::move(e));
    }
    return out;
}

std::string code_of(const Http& r) {
    return r.body.is_object() ? r.body["arguments"].value("code", "") : "";
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, LoginAnswersTheUserAndSetsAnHttpOnlySameSiteStrictCookie) {
    add_user("alice", "supervisor");
    const Http r = login("alice");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["user"], "alice");
    EXPECT_EQ(r.body["role"], "supervisor");
    EXPECT_TRUE(r.body["agent"].is_null());
    const std::string cookie = r.headers.find("Set-Cookie")->second;
    EXPECT_EQ(cookie.rfind("acdd_session=", 0), 0u) << cookie;
    const std::string token = cookie.substr(13, cookie.find(';') - 13);
    EXPECT_GE(token.size(), 32u);  // 128 bits at least, as hex
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(cookie.find("Path=/"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP on loopback
    EXPECT_EQ(audited("web-login", 1).size(), 1u);
}

TEST_F(WebTest, WrongPasswordUnknownUserAndDisabledUserGetOneAndTheSame401) {
    add_user("alice", "supervisor");
    add_user("bob", "supervisor");
    ASSERT_EQ(admin_call("user-set", {{"user", "bob"}, {"disabled", true}})["result"], 0);
    const Http wrong = login("alice", "not the password");
    const Http unknown = login("nobody");
    const Http disabled = login("bob");
    for (const Http* r : {&wrong, &unknown, &disabled}) {
        EXPECT_EQ(r->status, 401);
        EXPECT_EQ(r->text, wrong.text);
        EXPECT_EQ(r->headers.count("Set-Cookie"), 0u);
    }
    EXPECT_EQ(audited("web-login-failed", 3).size(), 3u);
}

TEST_F(WebTest, FiveFailuresForOneUserNameLockItsLoginsOutWith429) {
    add_user("alice", "supervisor");
    add_user("bob", "supervisor");
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(login("alice", "wrong password " + std::to_string(i)).status, 401);
    EXPECT_EQ(login("alice").status, 429);  // even with the right password
    EXPECT_EQ(login("bob").status, 200);    // other names are not locked
    EXPECT_EQ(audited("web-lockout", 1).size(), 1u);
}

TEST_F(WebTest, LogoutEndsTheSession) {
    add_user("alice", "supervisor");
    const std::string cookie = session("alice");
    EXPECT_EQ(command(cookie, "version-get").status, 200);
    EXPECT_EQ(request("POST", "/api/logout", "{}", "application/json", cookie).status, 200);
    EXPECT_EQ(command(cookie, "version-get").status, 401);
    EXPECT_EQ(audited("web-logout", 1).size(), 1u);
}

TEST_F(WebTest, ADisabledUsersSessionsEndAtOnce) {
    add_user("alice", "supervisor");
    const std::string cookie = session("alice");
    ASSERT_EQ(admin_call("user-set", {{"user", "alice"}, {"disabled", true}})["result"], 0);
    EXPECT_EQ(command(cookie, "version-get").status, 401);
}

TEST_F(WebTest, NoUserYetMeansEveryLoginFailsAndTheLogSaysHowToAddOne) {
    EXPECT_EQ(login("admin").status, 401);
    EXPECT_NE(daemon->log().find("web.no_users"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The listener's refusals and headers
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, ACommandWithoutSessionIs401) {
    EXPECT_EQ(command("", "version-get").status, 401);
    EXPECT_EQ(command("acdd_session=forged", "version-get").status, 401);
}

TEST_F(WebTest, ABodyThatIsNotApplicationJsonIs415) {
    add_user("alice", "admin");
    const std::string cookie = session("alice");
    const Http r =
        request("POST", "/api/command", R"({"command":"version-get"})", "text/plain", cookie);
    EXPECT_EQ(r.status, 415);
    EXPECT_EQ(request("POST", "/api/login", R"({"user":"alice","password":"x"})",
                      "application/x-www-form-urlencoded")
                  .status,
              415);
}

TEST_F(WebTest, ABodyOver65536BytesIs413) {
    const std::string big =
        R"({"command":"version-get","arguments":{"pad":")" + std::string(70000, 'x') + "\"}}";
    EXPECT_EQ(request("POST", "/api/command", big).status, 413);
}

TEST_F(WebTest, BadJsonIsRefusedWithItsPosition) {
    add_user("alice", "admin");
    const std::string cookie = session("alice");
    const Http r = request("POST", "/api/command", R"({"command": )", "application/json", cookie);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(code_of(r), "bad_json");
    EXPECT_EQ(request("POST", "/api/login", "[1,", "application/json").status, 400);
}

TEST_F(WebTest, AnUnknownPathIs404AndAWrongMethod405) {
    EXPECT_EQ(request("GET", "/api/nothing").status, 404);
    const Http r = request("GET", "/api/command");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers.find("Allow")->second, "POST");
    EXPECT_EQ(request("POST", "/healthz", "{}").status, 405);
    EXPECT_EQ(request("DELETE", "/api/login").status, 405);
}

TEST_F(WebTest, EveryResponseCarriesTheSecurityHeadersAndApiAnswersAreNotCached) {
    for (const Http& r : {request("GET", "/healthz"), request("GET", "/api/nothing"),
                          request("POST", "/api/command", "{}")}) {
        EXPECT_EQ(r.headers.find("Content-Security-Policy")->second, "default-src 'self'");
        EXPECT_EQ(r.headers.find("X-Content-Type-Options")->second, "nosniff");
        EXPECT_EQ(r.headers.find("X-Frame-Options")->second, "DENY");
        EXPECT_EQ(r.headers.find("Referrer-Policy")->second, "no-referrer");
        EXPECT_EQ(r.headers.count("Access-Control-Allow-Origin"), 0u);
    }
    EXPECT_EQ(request("POST", "/api/command", "{}").headers.find("Cache-Control")->second,
              "no-store");
}

TEST_F(WebTest, HealthzIsOkAndReadyzReadyOnceStarted) {
    const Http health = request("GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.text, "ok\n");
    EXPECT_EQ(request("GET", "/readyz").status, 200);
}

// ---------------------------------------------------------------------------------------------
// Commands and roles
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, CommandsAnswerTheAdminEnvelopeWithTheRequestsId) {
    add_user("alice", "agent", "a1");
    const Http r = command(session("alice"), "version-get");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["result"], 0);
    EXPECT_EQ(r.body["id"], 7);
    EXPECT_TRUE(r.body["arguments"].contains("version"));
}

TEST_F(WebTest, EveryRoleRunsExactlyItsRowsOfTheRolesTable) {
    add_user("ag", "agent", "a1");
    add_user("sup", "supervisor");
    add_user("adm", "admin");
    const std::string agent = session("ag");
    const std::string supervisor = session("sup");
    const std::string admin = session("adm");
    // Everyone.
    for (const std::string& c : {agent, supervisor, admin}) {
        for (const char* name : {"list-commands", "version-get", "status-get", "queue-list"})
            EXPECT_EQ(command(c, name).status, 200) << name;
    }
    // Supervisors and admins.
    for (const char* name : {"agent-list", "call-list", "stats-get", "overflow-get"}) {
        const Http refused = command(agent, name);
        EXPECT_EQ(refused.status, 403) << name;
        EXPECT_EQ(code_of(refused), "forbidden") << name;
        EXPECT_EQ(refused.body["result"], 1);
        EXPECT_EQ(command(supervisor, name).status, 200) << name;
        EXPECT_EQ(command(admin, name).status, 200) << name;
    }
    // Admins only.
    for (const char* name : {"user-list", "audit-verify"}) {
        EXPECT_EQ(command(agent, name).status, 403) << name;
        EXPECT_EQ(command(supervisor, name).status, 403) << name;
        EXPECT_EQ(command(admin, name).status, 200) << name;
    }
    // The admin socket only.
    for (const std::string& c : {agent, supervisor, admin})
        EXPECT_EQ(command(c, "subscribe").status, 403);
}

TEST_F(WebTest, AnAgentChangesOnlyItsOwnAgentsState) {
    add_user("ag", "agent", "a1");
    const std::string agent = session("ag");
    EXPECT_EQ(command(agent, "agent-login", {{"agent", "a1"}}).body["result"], 0);
    EXPECT_EQ(command(agent, "agent-login", {{"agent", "a2"}}).status, 403);
    EXPECT_EQ(command(agent, "agent-logout", {{"agent", "a2"}}).status, 403);
    add_user("sup", "supervisor");
    EXPECT_EQ(command(session("sup"), "agent-login", {{"agent", "a2"}}).body["result"], 0);
}

TEST_F(WebTest, AnAgentReadsCallerDataOnlyOfTheCallRoutedToItsAgent) {
    add_user("one", "agent", "a1");
    add_user("two", "agent", "a2");
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    auto g = gateway();
    offer(*g, "c1");  // cardiology: a1 is the only ready agent
    const Http mine = command(session("one"), "caller-history", {{"call_id", "c1"}});
    EXPECT_EQ(mine.status, 200) << mine.text;
    const Http other = command(session("two"), "caller-history", {{"call_id", "c1"}});
    EXPECT_EQ(other.status, 403);
    EXPECT_EQ(command(session("one"), "caller-history", {{"phone", "+352621000001"}}).status, 403);
}

TEST_F(WebTest, RefusalsAreAuditedWithTheUserName) {
    add_user("ag", "agent", "a1");
    ASSERT_EQ(command(session("ag"), "shutdown").status, 403);
    const std::vector<Json> records = audited("shutdown", 1);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0]["user"], "ag");
}

TEST_F(WebTest, ByIsTheUsersNameAndAnotherByIsForbidden) {
    add_user("sup", "supervisor");
    const std::string c = session("sup");
    const Json args = {{"specialty", "cardiology"},
                       {"patient", {{"phone", "+352621000009"}, {"name", "Patient"}}},
                       {"reason", "follow-up"}};
    Json other = args;
    other["by"] = "someone-else";
    const Http refused = command(c, "waitlist-add", other);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(code_of(refused), "forbidden");
    const Http added = command(c, "waitlist-add", args);
    ASSERT_EQ(added.status, 200) << added.text;
    EXPECT_EQ(added.body["result"], 0) << added.text;
    const std::vector<Json> records = audited("waitlist-add", 1);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.back()["arguments"]["by"], "sup");
}

TEST_F(WebTest, AnAnswerShowingPersonalDataIsTracedAsAnAccessByWhoAskedAndWhichPatients) {
    add_user("sup", "supervisor");
    const std::string c = session("sup");
    const Json entry = {{"specialty", "cardiology"},
                        {"patient", {{"phone", "+352621000009"}, {"name", "Patient"}}},
                        {"reason", "follow-up"}};
    ASSERT_EQ(command(c, "waitlist-add", entry).body["result"], 0);
    EXPECT_TRUE(audited("access").empty());  // a change shows nothing back
    const Http listed = command(c, "waitlist-list", {{"specialty", "cardiology"}});
    ASSERT_EQ(listed.body["result"], 0) << listed.text;
    const std::vector<Json> accesses = audited("access", 1);
    ASSERT_EQ(accesses.size(), 1u);
    EXPECT_EQ(accesses[0]["user"], "sup");
    EXPECT_EQ(accesses[0]["command"], "waitlist-list");
    ASSERT_EQ(accesses[0]["patients"].size(), 1u);
    EXPECT_EQ(accesses[0]["patients"][0].get<std::string>().find("352621000009"),
              std::string::npos);  // a pseudonym, not the number
}

TEST_F(WebTest, AccessListAnswersWhoLookedAtAPatientAndASupervisorSeesOnlyItsOwn) {
    add_user("sup", "supervisor");
    add_user("adm", "admin");
    add_user("ag", "agent", "a1");
    const std::string sup = session("sup");
    const std::string adm = session("adm");
    const Json entry = {{"specialty", "cardiology"},
                        {"patient", {{"phone", "+352621000009"}, {"name", "Patient"}}},
                        {"reason", "follow-up"}};
    ASSERT_EQ(command(sup, "waitlist-add", entry).body["result"], 0);
    ASSERT_EQ(command(sup, "waitlist-list", {{"specialty", "cardiology"}}).body["result"], 0);
    ASSERT_EQ(command(adm, "waitlist-list", {{"specialty", "cardiology"}}).body["result"], 0);
    ASSERT_EQ(audited("access", 2).size(), 2u);
    const std::string since = "2000-01-01T00:00:00Z";

    const Http all = command(adm, "access-list", {{"since", since}, {"phone", "+352621000009"}});
    ASSERT_EQ(all.status, 200) << all.text;
    const Json& accesses = all.body["arguments"]["accesses"];
    ASSERT_EQ(accesses.size(), 2u) << all.text;
    EXPECT_EQ(accesses[0]["who"], "sup");
    EXPECT_EQ(accesses[0]["command"], "waitlist-list");
    EXPECT_EQ(accesses[1]["who"], "adm");
    EXPECT_EQ(
        command(adm, "access-list", {{"since", since}, {"phone", "+352621000008"}}).body["result"],
        3);  // nobody looked at that one

    const Http own = command(sup, "access-list", {{"since", since}});
    ASSERT_EQ(own.body["arguments"]["accesses"].size(), 1u) << own.text;
    EXPECT_EQ(own.body["arguments"]["accesses"][0]["who"], "sup");
    EXPECT_EQ(command(sup, "access-list", {{"since", since}, {"user", "adm"}}).status, 403);
    EXPECT_EQ(command(session("ag"), "access-list", {{"since", since}}).status, 403);
    EXPECT_EQ(command(adm, "access-list", Json::object()).body["arguments"]["code"], "bad_request");
}

// ---------------------------------------------------------------------------------------------
// Live events
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, AnAgentsEventStreamHoldsOnlyItsOwnAgentAndTheScreenPopsOfItsCalls) {
    Json config = test_config(daemon->dir());
    config["web"] = {{"listen", "127.0.0.1:0"}};
    config["classes"] = {{"appointment", {{"script", {"Say hello."}}}}};
    config["specialties"][0]["script"] = {"Cardiology: ask for the birth date."};
    daemon->configure(config);
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const std::string err = daemon->log();
    const auto at = err.rfind("web listener on ");
    web_port =
        static_cast<std::uint16_t>(std::stoi(err.substr(err.rfind(':', err.find('\n', at)) + 1)));
    add_user("one", "agent", "a1");
    add_user("two", "agent", "a2");
    add_user("sup", "supervisor");
    EventClient one(web_port, session("one"), "calls,agents,queues,agenda");
    EventClient two(web_port, session("two"), "calls,agents,queues,agenda");
    EventClient sup(web_port, session("sup"), "calls,agents");
    for (EventClient* c : {&one, &two, &sup})
        ASSERT_TRUE(c->wait_for("text/event-stream")) << c->received;
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    auto g = gateway();
    offer(*g, "c1");  // to a1, the only ready agent
    ASSERT_TRUE(one.wait_for("event: screen_pop\n")) << one.received;
    ASSERT_TRUE(one.wait_for("Cardiology: ask for the birth date.")) << one.received;
    EXPECT_NE(one.received.find("Say hello."), std::string::npos);
    EXPECT_NE(one.received.find("\"call_id\":\"c1\""), std::string::npos);
    ASSERT_TRUE(sup.wait_for("\"call_id\":\"c1\"")) << sup.received;
    // a2's login comes after everything about a1 and c1: once two has it, it had the rest too.
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a2"}})["result"], 0);
    ASSERT_TRUE(two.wait_for("\"agent\":\"a2\"")) << two.received;
    EXPECT_EQ(two.received.find("\"a1\""), std::string::npos) << two.received;
    EXPECT_EQ(two.received.find("c1"), std::string::npos) << two.received;
    EXPECT_EQ(two.received.find("screen_pop"), std::string::npos);
    // The pop showed a caller's data: an access by the agent's user.
    const std::vector<Json> accesses = audited("access", 1);
    ASSERT_EQ(accesses.size(), 1u);
    EXPECT_EQ(accesses[0]["user"], "one");
    EXPECT_EQ(accesses[0]["command"], "screen_pop");
    EXPECT_EQ(accesses[0]["patients"].size(), 1u);
    EXPECT_EQ(daemon->stop(), 0);  // followers do not hold a stop up
}

TEST_F(WebTest, EveryMessageAClientTakesArrivesOnceInTheOrderOfTheSubscribeStream) {
    // Each change is one `data:` line (docs/spec/web.md): a queue summary is not replaced by a
    // later one of the same specialty, even within one gathering of the client's writer, and
    // the calls, agents and queues of a stream keep the subscribe stream's order.
    add_user("one", "agent", "a1");
    add_user("sup", "supervisor");
    AdminClient sub(socket());
    ASSERT_EQ(sub.call("subscribe", {{"topics", {"calls", "agents", "queues"}}})["result"], 0);
    // Two desks of one agent (the user signed in twice) and a board.
    EventClient desk(web_port, session("one"), "calls,agents,queues");
    EventClient again(web_port, session("one"), "calls,agents,queues");
    EventClient board(web_port, session("sup"), "calls,agents,queues");
    for (EventClient* c : {&desk, &again, &board})
        ASSERT_TRUE(c->wait_for("text/event-stream")) << c->received;
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a2"}})["result"], 0);
    // Calls in quick succession, to both specialties: each step sends cardiology's summary, most
    // within one 25 ms gathering.
    auto g = gateway();
    for (int i = 0; i < 8; ++i) {
        const std::string id = "c" + std::to_string(i);
        offer(*g, id, i % 2 == 0 ? "+1001" : "+1002");
        event(*g, {{"type", "call.answered"}, {"call_id", id}});
        event(*g, {{"type", "call.ended"}, {"call_id", id}});
    }
    // The end: a1's logout, after everything above on every stream.
    ASSERT_EQ(admin_call("agent-logout", {{"agent", "a1"}})["result"], 0);
    std::vector<Json> published;
    const auto is_end = [](const Json& m) {
        return m.value("topic", "") == "agents" && m["agent"].value("agent", "") == "a1" &&
               m["agent"].value("state", "") == "logged_out";
    };
    while (published.empty() || !is_end(published.back())) {
        const auto m = sub.receive(20s);
        ASSERT_TRUE(m.has_value()) << published.size();
        published.push_back(*m);
    }
    published.pop_back();  // what follows the end in its step may not have come yet
    // A desk takes a1's changes, every queue summary, and a pop for each call routed to a1 where
    // the subscribe stream has its call.routed.
    std::vector<Sse> for_desk, for_board;
    std::size_t cardiology = 0, pops = 0;
    for (const Json& m : published) {
        for_board.push_back({"", m});
        if (m["topic"] == "queues" ||
            (m["topic"] == "agents" && m["agent"].value("agent", "") == "a1")) {
            for_desk.push_back({"", m});
        }
        if (m["topic"] == "queues" && m["queue"]["specialty"] == "cardiology") ++cardiology;
        if (m.value("event", "") == "call.routed" && m["call"].value("agent", "") == "a1") {
            for_desk.push_back({"screen_pop", m["call"]["call_id"]});
            ++pops;
        }
    }
    ASSERT_GE(cardiology, 16u);  // the scenario did send summaries in bursts
    ASSERT_GE(pops, 1u);

    // Each client's first events are exactly what it takes of the subscribe stream; the end
    // comes after them.
    const auto check = [&](EventClient& c, const std::vector<Sse>& expected) {
        ASSERT_TRUE(c.wait_until([&] { return sse_events(c.received).size() > expected.size(); }))
            << sse_events(c.received).size() << " of " << expected.size();
        const std::vector<Sse> got = sse_events(c.received);
        for (std::size_t i = 0; i < expected.size(); ++i) {
            ASSERT_EQ(got[i].event, expected[i].event) << i;
            if (got[i].event.empty()) {
                ASSERT_EQ(got[i].data, expected[i].data) << i;
            } else {
                ASSERT_EQ(got[i].data["call_id"], expected[i].data) << i;
            }
        }
        EXPECT_TRUE(is_end(got[expected.size()].data)) << got[expected.size()].data.dump();
    };
    check(desk, for_desk);
    check(again, for_desk);
    check(board, for_board);
}

TEST_F(WebTest, EachDeskOfAnAgentGetsTheScreenPopOfItsCallAndTheOtherDesksNone) {
    add_user("one", "agent", "a1");
    add_user("two", "agent", "a2");
    EventClient desk(web_port, session("one"), "calls");
    EventClient again(web_port, session("one"), "calls");
    EventClient other(web_port, session("two"), "calls");
    for (EventClient* c : {&desk, &again, &other})
        ASSERT_TRUE(c->wait_for("text/event-stream")) << c->received;
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    auto g = gateway();
    offer(*g, "c1");  // to a1, the only ready agent
    for (EventClient* c : {&desk, &again})
        ASSERT_TRUE(c->wait_for("event: screen_pop\n")) << c->received;
    // Each pop is an access by the user.
    EXPECT_EQ(audited("access", 2).size(), 2u);
    // a2's login comes after c1's pop on every stream: once `other` has it, it had the rest.
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a2"}})["result"], 0);
    ASSERT_TRUE(other.wait_for("\"agent\":\"a2\"")) << other.received;
    EXPECT_EQ(other.received.find("screen_pop"), std::string::npos) << other.received;
    for (EventClient* c : {&desk, &again}) {
        std::size_t pops = 0;
        for (const Sse& e : sse_events(c->received)) {
            if (e.event != "screen_pop") continue;
            ++pops;
            EXPECT_EQ(e.data["call_id"], "c1");
        }
        EXPECT_EQ(pops, 1u);
    }
}

TEST_F(WebTest, AnEventsClientThatFallsBehindIsDroppedAndTheOthersAreStillServed) {
    // Every call message carries its specialty's script: 64 lines of 1000 bytes make each one
    // about 64 KiB, so a few dozen calls are more than the 1 MiB a client may fall behind.
    Json config = test_config(daemon->dir());
    config["web"] = {{"listen", "127.0.0.1:0"}};
    config["specialties"][0]["script"] = Json::array();
    for (int i = 0; i < 64; ++i)
        config["specialties"][0]["script"].push_back(std::string(1000, char('a' + i % 26)));
    daemon->configure(config);
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const std::string err = daemon->log();
    const auto at = err.rfind("web listener on ");
    web_port =
        static_cast<std::uint16_t>(std::stoi(err.substr(err.rfind(':', err.find('\n', at)) + 1)));
    add_user("slow", "supervisor");
    add_user("fast", "supervisor");
    // `slow` never reads while the calls come (and its socket holds little); `fast` follows the
    // agents only.
    EventClient slow(web_port, session("slow"), "calls", 4096);
    EventClient fast(web_port, session("fast"), "agents");
    ASSERT_TRUE(slow.wait_for("text/event-stream")) << slow.received;
    ASSERT_TRUE(fast.wait_for("text/event-stream")) << fast.received;
    auto g = gateway();
    int offered = 0;
    // Offers calls until acdd drops the slow client: each one acknowledged, so the gateway is
    // served all along. The socket buffers take some of it, never 256 calls (16 MiB).
    while (!daemon->process().wait_for_stderr("web.events_dropped", 0ms) && offered < 256) {
        offer(*g, "flood-" + std::to_string(++offered));
        ASSERT_FALSE(HasFatalFailure());
    }
    ASSERT_TRUE(daemon->process().wait_for_stderr("web.events_dropped", 20s)) << daemon->log();
    EXPECT_NE(daemon->log().find("user slow fell more than 1048576 bytes behind: dropped"),
              std::string::npos);
    // The others are still served: the gateway's next call, the other follower's events.
    offer(*g, "after-drop");
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    ASSERT_TRUE(fast.wait_for("\"agent\":\"a1\"")) << fast.received;
    EXPECT_EQ(fast.received.find("\"topic\":\"calls\""), std::string::npos);  // its topics only
    // The dropped client, reading at last, finds its stream ended (the last chunk) and nothing of
    // what came after the drop.
    ASSERT_TRUE(slow.wait_for("\r\n0\r\n\r\n")) << slow.received.size();
    EXPECT_EQ(slow.received.find("after-drop"), std::string::npos);
    EXPECT_EQ(slow.received.find("\"agent\":\"a1\""), std::string::npos);
}

TEST_F(WebTest, EventsNeedASessionAndKnownTopics) {
    EventClient none(web_port, "acdd_session=none", "calls");
    EXPECT_TRUE(none.wait_for("HTTP/1.1 401")) << none.received;
    add_user("sup", "supervisor");
    EventClient bad(web_port, session("sup"), "calls,gossip");
    EXPECT_TRUE(bad.wait_for("HTTP/1.1 400")) << bad.received;
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, UnderTlsTheListenerSpeaksOnlyTlsAndTheCookieIsSecure) {
    const auto dir = daemon->dir();
    const ProcessResult made = run_process(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", (dir / "web.key").string(), "-out",
         (dir / "web.crt").string(), "-days", "1", "-subj", "/CN=localhost"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    Json config = test_config(dir);
    config["web"] = {
        {"listen", "127.0.0.1:0"},
        {"tls", {{"cert", (dir / "web.crt").string()}, {"key", (dir / "web.key").string()}}}};
    daemon->configure(config);
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const std::string err = daemon->log();
    const auto at = err.rfind("web listener on ");
    const std::string line = err.substr(at, err.find('\n', at) - at);
    EXPECT_NE(line.find("(TLS)"), std::string::npos) << line;
    web_port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    add_user("alice", "admin");

    httplib::SSLClient client("127.0.0.1", web_port);
    client.set_ca_cert_path((dir / "web.crt").string().c_str());
    client.enable_server_certificate_verification(false);  // a test certificate for localhost
    const auto r = client.Post(
        "/api/login", Json{{"user", "alice"}, {"password", kPassword}}.dump(), "application/json");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
    // Plain HTTP on the TLS port gets no HTTP answer.
    EXPECT_EQ(request("GET", "/healthz").status, 0);
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

// The samples of /metrics as read by Prometheus's own parser (python3-prometheus-client):
// {"samples": {"name{k=v,...}": value}, "types": {family: type}}; null when it does not parse.
Json parsed_metrics(const std::filesystem::path& dir, const std::string& text) {
    const auto file = dir / "metrics.txt";
    std::ofstream(file) << text;
    const ProcessResult r = run_process({"/usr/bin/python3", ACD_PARSE_METRICS, file.string()});
    if (r.exit_code != 0) return Json();
    return Json::parse(r.out);
}

TEST_F(WebTest, MetricsAreThePrometheusTextFormatWithTheScenariosCounts) {
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    auto g = gateway();
    offer(*g, "c1");  // to a1, answered within target, completed
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    offer(*g, "c2");  // to a1 again, abandoned while ringing
    event(*g, {{"type", "call.ended"}, {"call_id", "c2"}});
    offer(*g, "c3", "+9999");  // no specialty: rejected
    // Counters move when the store reports a call finished: wait for the last one.
    Json m;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        const Http r = request("GET", "/metrics");
        ASSERT_EQ(r.status, 200) << daemon->log();
        ASSERT_EQ(r.headers.find("Content-Type")->second,
                  "text/plain; version=0.0.4; charset=utf-8");
        m = parsed_metrics(daemon->dir(), r.text);
        ASSERT_FALSE(m.is_null()) << r.text;
        if (m["samples"].contains("acdd_calls_rejected_total{reason=no_route,specialty=}")) break;
    }
    const Json& s = m["samples"];
    EXPECT_EQ(s["acdd_calls_offered_total{class=appointment,specialty=cardiology}"], 2.0) << s;
    EXPECT_EQ(s["acdd_calls_answered_total{by=agent,class=appointment,specialty=cardiology}"], 1.0);
    EXPECT_EQ(s["acdd_calls_abandoned_total{class=appointment,specialty=cardiology}"], 1.0);
    EXPECT_EQ(s["acdd_calls_rejected_total{reason=no_route,specialty=}"], 1.0);
    EXPECT_EQ(s["acdd_calls_answered_within_target_total{class=appointment,specialty=cardiology}"],
              1.0);
    EXPECT_EQ(s["acdd_queue_calls{specialty=cardiology}"], 0.0);
    EXPECT_EQ(s["acdd_agents{state=ready}"], 1.0);
    EXPECT_EQ(s["acdd_agents{state=logged_out}"], 1.0);
    EXPECT_EQ(s["acdd_team_capacity{team=ext}"], 2.0);
    EXPECT_EQ(s["acdd_gateway_connected{gateway=gw1}"], 1.0);
    EXPECT_EQ(s["acdd_alerts_active{alert=call_late}"], 0.0);
    EXPECT_EQ(m["types"]["acdd_calls_offered"], "counter");
    EXPECT_EQ(m["types"]["acdd_queue_calls"], "gauge");
}

// acdd_store_commit_seconds: its buckets (le -> cumulative count), the count and the sum.
struct CommitHistogramSamples {
    std::map<double, double> buckets;
    double count = -1;
    double sum = -1;
};
CommitHistogramSamples commit_histogram(const Json& m) {
    CommitHistogramSamples h;
    const std::string bucket = "acdd_store_commit_seconds_bucket{le=";
    for (const auto& [name, value] : m["samples"].items()) {
        if (name.rfind(bucket, 0) == 0) {
            const std::string le = name.substr(bucket.size(), name.size() - bucket.size() - 1);
            h.buckets[le == "+Inf" ? HUGE_VAL : std::stod(le)] = value.get<double>();
        }
    }
    h.count = m["samples"].value("acdd_store_commit_seconds_count{}", -1.0);
    h.sum = m["samples"].value("acdd_store_commit_seconds_sum{}", -1.0);
    return h;
}

TEST_F(WebTest, TheStoreCommitHistogramCountsEveryCommitInCumulativeBuckets) {
    const auto scrape = [&] {
        return commit_histogram(parsed_metrics(daemon->dir(), request("GET", "/metrics").text));
    };
    const CommitHistogramSamples before = scrape();
    ASSERT_GE(before.count, 0) << request("GET", "/metrics").text;
    // Three events, each sent once the one before is acknowledged, so each is durable in a
    // commit of its own: three commits at least.
    auto g = gateway();
    offer(*g, "c1");
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    offer(*g, "c2");
    const Json m = parsed_metrics(daemon->dir(), request("GET", "/metrics").text);
    EXPECT_EQ(m["types"]["acdd_store_commit_seconds"], "histogram");
    const CommitHistogramSamples after = commit_histogram(m);
    EXPECT_GE(after.count, before.count + 3);
    EXPECT_GT(after.sum, before.sum);
    ASSERT_EQ(after.buckets.size(), CommitHistogram::kBounds.size() + 1);
    double previous = 0;
    for (const auto& [le, n] : after.buckets) {
        EXPECT_GE(n, previous) << "bucket le=" << le << " holds fewer than the one below it";
        previous = n;
    }
    EXPECT_EQ(after.buckets.rbegin()->second, after.count);  // +Inf holds every commit
}

TEST_F(WebTest, MetricCountersSurviveARestart) {
    ASSERT_EQ(admin_call("agent-login", {{"agent", "a1"}})["result"], 0);
    {
        auto g = gateway();
        offer(*g, "c1");
        event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
        event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    }
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const std::string err = daemon->log();
    const auto at = err.rfind("web listener on ");
    web_port =
        static_cast<std::uint16_t>(std::stoi(err.substr(err.rfind(':', err.find('\n', at)) + 1)));
    const Json m = parsed_metrics(daemon->dir(), request("GET", "/metrics").text);
    EXPECT_EQ(
        m["samples"]["acdd_calls_answered_total{by=agent,class=appointment,specialty=cardiology}"],
        1.0);
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

TEST_F(WebTest, UserCommandsNeverShowNorAuditAPassword) {
    add_user("alice", "agent", "a1");
    const Json list = admin_call("user-list");
    ASSERT_EQ(list["result"], 0);
    const Json& user = list["arguments"]["users"][0];
    EXPECT_EQ(user["user"], "alice");
    EXPECT_EQ(user["agent"], "a1");
    EXPECT_EQ(user["disabled"], false);
    EXPECT_TRUE(user.contains("last_login"));
    EXPECT_EQ(list.dump().find("argon2"), std::string::npos);
    const std::vector<Json> records = audited("user-add", 1);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].dump().find(kPassword), std::string::npos);
}

TEST_F(WebTest, UserAddRefusesShortPasswordsUnknownAgentsAndAnAgentWithoutOne) {
    AdminClient admin(socket());
    Json args = {
        {"user", "x"}, {"name", "X"}, {"role", "agent"}, {"agent", "a1"}, {"password", "short"}};
    EXPECT_EQ(admin.call("user-add", args)["arguments"]["code"], "bad_request");
    args["password"] = kPassword;
    args["agent"] = "nobody";
    EXPECT_EQ(admin.call("user-add", args)["arguments"]["code"], "unknown_agent");
    args.erase("agent");
    EXPECT_EQ(admin.call("user-add", args)["arguments"]["code"], "bad_request");
    args["role"] = "chief";
    EXPECT_EQ(admin.call("user-add", args)["arguments"]["code"], "bad_request");
}

TEST_F(WebTest, UsersChangingTheirOwnPasswordGiveTheOldOne) {
    add_user("alice", "agent", "a1");
    add_user("bob", "agent", "a2");
    const std::string c = session("alice");
    const std::string fresh = "another long password";
    EXPECT_EQ(command(c, "user-passwd", {{"user", "alice"}, {"password", fresh}}).body["result"],
              1);
    EXPECT_EQ(command(c, "user-passwd",
                      {{"user", "alice"}, {"password", fresh}, {"old_password", "wrong one"}})
                  .status,
              403);
    EXPECT_EQ(command(c, "user-passwd", {{"user", "bob"}, {"password", fresh}}).status, 403);
    const Http changed = command(
        c, "user-passwd", {{"user", "alice"}, {"password", fresh}, {"old_password", kPassword}});
    EXPECT_EQ(changed.body["result"], 0) << changed.text;
    EXPECT_EQ(login("alice").status, 401);
    EXPECT_EQ(login("alice", fresh).status, 200);
}

TEST_F(WebTest, AcdctlUserAddReadsThePasswordFromStandardInput) {
    const ProcessResult added =
        run_process({"/bin/sh", "-c",
                     "printf '%s\\n' '" + std::string(kPassword) + "' | " + ACD_ACDCTL_BINARY +
                         " -s " + socket() + " user add carol --name Carol --role supervisor"});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    EXPECT_EQ(login("carol").status, 200);
    const ProcessResult listed = run_process({ACD_ACDCTL_BINARY, "-s", socket(), "user", "list"});
    EXPECT_EQ(listed.exit_code, 0);
    EXPECT_NE(listed.out.find("\"carol\""), std::string::npos) << listed.out;
    const ProcessResult disabled =
        run_process({ACD_ACDCTL_BINARY, "-s", socket(), "user", "set", "carol", "--disable"});
    EXPECT_EQ(disabled.exit_code, 0) << disabled.out << disabled.err;
    EXPECT_EQ(login("carol").status, 401);
}

TEST_F(WebTest, UsersSurviveARestart) {
    add_user("alice", "supervisor");
    ASSERT_EQ(daemon->stop(), 0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const std::string err = daemon->log();
    const auto at = err.rfind("web listener on ");
    const auto colon = err.rfind(':', err.find('\n', at));
    web_port = static_cast<std::uint16_t>(std::stoi(err.substr(colon + 1)));
    EXPECT_EQ(login("alice").status, 200);
}

}  // namespace
}  // namespace acd::test
