// The web listener. See web_server.hpp.
#include "web_server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "acd/log.hpp"
#include "events.hpp"
#include "sessions.hpp"

namespace acd::web {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxBody = 65536;
constexpr const char* kCookie = "acdd_session";
constexpr const char* kJson = "application/json";
// A request the io thread has not answered by then gets 503 (acdd stopping or overloaded).
constexpr auto kAnswerWithin = 30s;
constexpr std::size_t kWorkers = 256;

// The commands whose `by` the web fills with the user's name when the request leaves it out.
const std::set<std::string, std::less<>> kTakesBy = {
    "appointment-book", "appointment-cancel", "appointment-move", "waitlist-add",
    "message-create",   "message-ack",        "patient-erase",    "quality-evaluate"};

// The admin response envelope of a refusal made by the listener itself.
std::string refusal(ErrorCode code, std::string_view text) {
    return Json{{"result", 1}, {"text", text}, {"arguments", {{"code", to_string(code)}}}}.dump();
}

void refuse(httplib::Response& res, int status, ErrorCode code, std::string_view text) {
    res.status = status;
    res.set_content(refusal(code, text), kJson);
}

std::string cookie_token(const httplib::Request& req) {
    const std::string cookies = req.get_header_value("Cookie");
    std::string_view rest = cookies;
    while (!rest.empty()) {
        const auto end = rest.find(';');
        std::string_view item = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        const std::string_view name = std::string_view(kCookie);
        if (item.size() > name.size() && item.substr(0, name.size()) == name &&
            item[name.size()] == '=') {
            return std::string(item.substr(name.size() + 1));
        }
    }
    return {};
}

bool is_json(const httplib::Request& req) {
    std::string type = req.get_header_value("Content-Type");
    const auto semi = type.find(';');
    if (semi != std::string::npos) type.resize(semi);
    while (!type.empty() && type.back() == ' ')
        type.pop_back();
    for (char& c : type)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return type == kJson;
}

}  // namespace

struct WebServer::Impl {
    Impl(const WebConfig& config, Context context)
        : config(config),
          ctx(std::move(context)),
          sessions(config.session_idle, config.session_max) {
        fanout = std::make_shared<EventFanout>(
            ctx.subscribe, ctx.unsubscribe, ctx.screen_pop,
            [&io = ctx.io](std::function<void()> work) { asio::post(io, std::move(work)); });
    }

    WebConfig config;
    Context ctx;
    std::unique_ptr<httplib::Server> server;
    std::thread listener;
    int port = 0;
    std::atomic<bool> closing{false};
    // Every /api/events client, behind one subscription of the hub (io thread).
    std::shared_ptr<EventFanout> fanout;
    std::string dummy_hash;  // checked for unknown users, so that they take as long as others
    // On the io thread:
    Sessions sessions;
    Lockout lockout;

    // Runs `work` on the io thread and waits for the value it hands to its callback; nullopt when
    // acdd stops or does not answer in time.
    template <typename T>
    std::optional<T> on_io(std::function<void(std::function<void(T)>)> work) {
        auto promise = std::make_shared<std::promise<T>>();
        auto once = std::make_shared<std::atomic<bool>>(false);
        std::future<T> future = promise->get_future();
        asio::post(ctx.io, [work = std::move(work), promise, once] {
            work([promise, once](T value) {
                if (!once->exchange(true)) promise->set_value(std::move(value));
            });
        });
        const auto deadline = std::chrono::steady_clock::now() + kAnswerWithin;
        while (future.wait_for(100ms) != std::future_status::ready) {
            if (closing || std::chrono::steady_clock::now() > deadline) return std::nullopt;
        }
        return future.get();
    }

    void audit(const std::string& type, const std::string& user, const std::string& address) {
        AuditRecord r;
        r.at = ctx.now();
        r.kind = RecordKind::action;
        r.type = type;
        r.body = Json{{"user", user}, {"address", address}}.dump();
        ctx.audit(std::move(r));
    }

    std::string cookie(const std::string& token, bool expire) const {
        std::string c = fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", kCookie, token);
        if (config.tls) c += "; Secure";
        if (expire) c += "; Max-Age=0";
        return c;
    }

    // The caller of a live session (its user's current role), or nullopt (no or ended session).
    std::optional<control::Caller> caller_of(const std::string& token, const std::string& address) {
        if (token.empty()) return std::nullopt;
        auto session = sessions.touch(token, ctx.now());
        if (!session) return std::nullopt;
        const users::User* user = ctx.users.find(session->user);
        if (user == nullptr || user->disabled) {
            sessions.close(token);
            return std::nullopt;
        }
        control::Caller c;
        c.channel = control::Caller::Channel::web;
        c.user = user->user;
        c.role = user->role;
        c.agent = user->agent;
        c.address = address;
        return c;
    }

    void routes();
    void login(const httplib::Request& req, httplib::Response& res);
    void logout(const httplib::Request& req, httplib::Response& res);
    void command(const httplib::Request& req, httplib::Response& res);
    void readyz(httplib::Response& res);
    void metrics(httplib::Response& res);
    void events(const httplib::Request& req, httplib::Response& res);
    void session(const httplib::Request& req, httplib::Response& res);
    void page(const httplib::Request& req, httplib::Response& res, const char* file,
              std::optional<std::set<control::Role>> roles);
};

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

void WebServer::Impl::routes() {
    httplib::Server& s = *server;
    // Each /api/events client holds a worker for as long as it follows: room for a wallboard and
    // every desk of a large call center, besides the requests.
    s.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
    // A response goes out in several writes (headers, body): without this, Nagle's algorithm
    // holds the last one for the client's delayed ACK, about 40 ms per request.
    s.set_tcp_nodelay(true);
    s.set_payload_max_length(kMaxBody);
    s.set_read_timeout(10, 0);
    s.set_write_timeout(10, 0);
    s.set_keep_alive_timeout(5);
    s.set_default_headers({{"Content-Security-Policy", "default-src 'self'"},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"}});
    s.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        if (req.path.rfind("/api/", 0) == 0) res.set_header("Cache-Control", "no-store");
    });
    // 404 and 413 (and any other error the library answers itself) in the admin envelope.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) {
            res.set_content(refusal(ErrorCode::bad_request, "no such path: " + req.path), kJson);
        } else if (res.status == 413) {
            res.set_content(refusal(ErrorCode::bad_request,
                                    fmt::format("a body holds at most {} bytes", kMaxBody)),
                            kJson);
        } else {
            res.set_content(refusal(ErrorCode::bad_request, fmt::format("HTTP {}", res.status)),
                            kJson);
        }
        if (req.path.rfind("/api/", 0) == 0) res.set_header("Cache-Control", "no-store");
        return httplib::Server::HandlerResponse::Handled;
    }));

    // Each known path answers its own method; any other method gets 405 with Allow.
    struct Route {
        const char* path;
        const char* method;
        httplib::Server::Handler handler;
    };
    const std::vector<Route> routes = {
        {"/api/login", "POST",
         [this](const httplib::Request& q, httplib::Response& r) { login(q, r); }},
        {"/api/logout", "POST",
         [this](const httplib::Request& q, httplib::Response& r) { logout(q, r); }},
        {"/api/command", "POST",
         [this](const httplib::Request& q, httplib::Response& r) { command(q, r); }},
        {"/healthz", "GET",
         [](const httplib::Request&, httplib::Response& r) {
             r.set_content("ok\n", "text/plain");
         }},
        {"/readyz", "GET", [this](const httplib::Request&, httplib::Response& r) { readyz(r); }},
        {"/metrics", "GET", [this](const httplib::Request&, httplib::Response& r) { metrics(r); }},
        {"/api/events", "GET",
         [this](const httplib::Request& q, httplib::Response& r) { events(q, r); }},
        {"/api/session", "GET",
         [this](const httplib::Request& q, httplib::Response& r) { session(q, r); }},
        {"/", "GET",
         [this](const httplib::Request& q, httplib::Response& r) {
             page(q, r, "index.html", std::nullopt);
         }},
        {"/desk", "GET",
         [this](const httplib::Request& q, httplib::Response& r) {
             page(q, r, "desk.html", std::set{control::Role::agent});
         }},
        {"/board", "GET",
         [this](const httplib::Request& q, httplib::Response& r) {
             page(q, r, "board.html", std::set{control::Role::supervisor, control::Role::admin});
         }},
    };
    // Scripts, style sheets and images of the pages: the same for everyone, no personal data.
    if (!ctx.pages.empty()) s.set_mount_point("/assets", (ctx.pages / "assets").string());
    for (const Route& route : routes) {
        const std::string allow = route.method;
        auto wrong = [allow](const httplib::Request& req, httplib::Response& res) {
            res.set_header("Allow", allow);
            refuse(res, 405, ErrorCode::bad_request,
                   fmt::format("{} takes {}, not {}", req.path, allow, req.method));
        };
        const std::string m = route.method;
        (m == "GET" ? s.Get(route.path, route.handler) : s.Get(route.path, wrong));
        (m == "POST" ? s.Post(route.path, route.handler) : s.Post(route.path, wrong));
        s.Put(route.path, wrong);
        s.Delete(route.path, wrong);
        s.Patch(route.path, wrong);
        s.Options(route.path, wrong);
    }
}

void WebServer::Impl::readyz(httplib::Response& res) {
    auto reason = on_io<std::optional<std::string>>(
        [this](std::function<void(std::optional<std::string>)> done) { done(ctx.not_ready()); });
    if (!reason) {
        res.status = 503;
        res.set_content("stopping\n", "text/plain");
    } else if (*reason) {
        res.status = 503;
        res.set_content(**reason + "\n", "text/plain");
    } else {
        res.set_content("ready\n", "text/plain");
    }
}

void WebServer::Impl::metrics(httplib::Response& res) {
    auto text =
        on_io<std::string>([this](std::function<void(std::string)> done) { done(ctx.metrics()); });
    if (!text) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

void WebServer::Impl::login(const httplib::Request& req, httplib::Response& res) {
    if (!is_json(req)) {
        return refuse(res, 415, ErrorCode::bad_request, "a body must be application/json");
    }
    json::Problems problems;
    const auto body = json::parse_document(req.body, problems);
    if (!body) return refuse(res, 400, ErrorCode::bad_json, problems.front().message);
    auto r = json::Reader::named(*body, "field", problems);
    r.only({"user", "password"}, "unknown field");
    const auto name = r.bytes("user", 64, true);
    const auto password = r.string("password", true);
    if (!problems.empty()) {
        return refuse(res, 400, ErrorCode::bad_request, problems.front().message);
    }
    const std::string address = req.remote_addr;

    // The user's hash, unless the name is locked out.
    struct Found {
        bool locked = false;
        std::optional<std::string> hash;  // usable: known and not disabled
    };
    auto found = on_io<Found>([this, name = *name](std::function<void(Found)> done) {
        Found f;
        f.locked = lockout.locked(name, ctx.now());
        const users::User* u = ctx.users.find(name);
        if (u != nullptr && !u->disabled) f.hash = u->hash;
        done(f);
    });
    if (!found) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (found->locked) {
        on_io<bool>([this, name = *name, address](std::function<void(bool)> done) {
            audit("web-login-locked", name, address);
            done(true);
        });
        return refuse(res, 429, ErrorCode::unauthorized,
                      "too many failed logins for this user: try again in 5 minutes");
    }
    // The slow check, on this worker; an unknown or disabled user costs the same.
    const bool ok = users::verify_password(found->hash.value_or(dummy_hash), *password) &&
                    found->hash.has_value();

    struct Outcome {
        std::string token;
        Json user;
    };
    auto outcome =
        on_io<Outcome>([this, ok, name = *name, address](std::function<void(Outcome)> done) {
            const users::User* u = ctx.users.find(name);
            Outcome out;
            if (ok && u != nullptr && !u->disabled) {
                lockout.succeeded(name);
                out.token = sessions.open(name, ctx.now());
                ctx.users.logged_in(name, ctx.now());
                out.user = {{"user", u->user},
                            {"name", u->name},
                            {"role", to_string(u->role)},
                            {"agent", u->agent.empty() ? Json() : Json(u->agent)}};
                audit("web-login", name, address);
                log_event("web.login", "user {} logged in from {}", name, address);
            } else {
                audit("web-login-failed", name, address);
                log_warning("web.login_failed", "failed login for user {} from {}", name, address);
                if (lockout.failed(name, ctx.now())) {
                    audit("web-lockout", name, address);
                    log_warning("web.lockout", "user {} locked out for 5 minutes", name);
                }
            }
            done(out);
        });
    if (!outcome) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (outcome->token.empty()) {
        return refuse(res, 401, ErrorCode::unauthorized, "wrong user name or password");
    }
    res.set_header("Set-Cookie", cookie(outcome->token, false));
    res.set_content(outcome->user.dump(), kJson);
}

void WebServer::Impl::logout(const httplib::Request& req, httplib::Response& res) {
    const std::string token = cookie_token(req);
    auto user = on_io<std::string>(
        [this, token, address = req.remote_addr](std::function<void(std::string)> done) {
            auto caller = caller_of(token, address);
            if (!caller) return done("");
            sessions.close(token);
            audit("web-logout", caller->user, address);
            done(caller->user);
        });
    if (!user) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (user->empty()) return refuse(res, 401, ErrorCode::unauthorized, "no session: log in");
    res.set_header("Set-Cookie", cookie("", true));
    res.set_content(Json{{"result", 0}, {"text", "logged out"}}.dump(), kJson);
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

void WebServer::Impl::command(const httplib::Request& req, httplib::Response& res) {
    if (!is_json(req)) {
        return refuse(res, 415, ErrorCode::bad_request, "a body must be application/json");
    }
    json::Problems problems;
    auto envelope = json::parse_document(req.body, problems);
    if (!envelope) return refuse(res, 400, ErrorCode::bad_json, problems.front().message);
    const std::string token = cookie_token(req);
    struct Reply {
        bool session = false;
        Json response;
    };
    auto reply =
        on_io<Reply>([this, token, address = req.remote_addr,
                      envelope = std::move(*envelope)](std::function<void(Reply)> done) mutable {
            auto caller = caller_of(token, address);
            if (!caller) return done(Reply{});
            // Every `by` is the user's: filled in when left out, refused (by the roles) when
            // another.
            if (envelope.is_object() && envelope.contains("command") &&
                envelope["command"].is_string() &&
                kTakesBy.contains(envelope["command"].get<std::string>())) {
                Json& args = envelope["arguments"];
                if (args.is_null()) args = Json::object();
                if (args.is_object() && !args.contains("by")) args["by"] = caller->user;
            }
            ctx.registry.execute(envelope, *caller, nullptr, [done](Json response) {
                done(Reply{true, std::move(response)});
            });
        });
    if (!reply) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (!reply->session) return refuse(res, 401, ErrorCode::unauthorized, "no session: log in");
    const Json& args = reply->response["arguments"];
    const bool forbidden = args.is_object() && args.value("code", "") == "forbidden";
    res.status = forbidden ? 403 : 200;
    res.set_content(reply->response.dump(), kJson);
}

// ---------------------------------------------------------------------------------------------
// Live events
// ---------------------------------------------------------------------------------------------

void WebServer::Impl::events(const httplib::Request& req, httplib::Response& res) {
    static const std::set<std::string, std::less<>> kTopics = {"calls", "agents", "queues",
                                                               "alerts", "agenda"};
    std::set<std::string, std::less<>> topics;
    const std::string asked = req.get_param_value("topics");
    for (std::size_t start = 0; start < asked.size();) {
        const std::size_t end = std::min(asked.find(',', start), asked.size());
        std::string topic = asked.substr(start, end - start);
        if (!kTopics.contains(topic)) {
            return refuse(
                res, 400, ErrorCode::bad_request,
                fmt::format("unknown topic '{}' (calls, agents, queues, alerts, agenda)", topic));
        }
        topics.insert(std::move(topic));
        start = end + 1;
    }
    if (topics.empty()) topics = kTopics;
    const std::string token = cookie_token(req);
    using Opened = std::shared_ptr<EventStream>;
    auto stream = on_io<Opened>(
        [this, token, topics, address = req.remote_addr](std::function<void(Opened)> done) mutable {
            auto caller = caller_of(token, address);
            if (!caller) return done(nullptr);
            // An agent sees its own agent, the queues, and the pops of the calls routed to it.
            if (caller->role == control::Role::agent) topics = {"agents", "queues", "calls"};
            auto s = std::make_shared<EventStream>(*caller);
            fanout->add(s, topics);
            log_event("web.events", "user {} follows live events", caller->user);
            done(s);
        });
    if (!stream) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (!*stream) return refuse(res, 401, ErrorCode::unauthorized, "no session: log in");
    Opened s = *stream;
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, s](std::size_t, httplib::DataSink& sink) {
            const auto since = std::chrono::steady_clock::now();
            while (!closing) {
                const std::string* text = s->next(500ms);
                if (text == nullptr) {
                    sink.done();
                    return true;
                }
                if (!text->empty()) return sink.write(text->data(), text->size());
                if (std::chrono::steady_clock::now() - since >= 15s) {
                    static const std::string kComment = ": keep-alive\n\n";
                    return sink.write(kComment.data(), kComment.size());
                }
            }
            return false;
        },
        [this, s](bool) {
            s->close();
            if (!closing) asio::post(ctx.io, [this, s] { fanout->remove(*s); });
        });
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

void WebServer::Impl::session(const httplib::Request& req, httplib::Response& res) {
    auto info = on_io<Json>([this, token = cookie_token(req),
                             address = req.remote_addr](std::function<void(Json)> done) {
        auto caller = caller_of(token, address);
        if (!caller) return done(nullptr);
        const users::User* u = ctx.users.find(caller->user);
        Json out = ctx.session_info(*caller);
        out["user"] = caller->user;
        out["name"] = u != nullptr ? u->name : caller->user;
        out["role"] = to_string(caller->role);
        out["agent"] = caller->agent.empty() ? Json() : Json(caller->agent);
        done(std::move(out));
    });
    if (!info) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
    if (info->is_null()) return refuse(res, 401, ErrorCode::unauthorized, "no session: log in");
    res.set_content(info->dump(), kJson);
}

// `file` of the pages, for a session whose role is among `roles` (any visitor when nullopt).
// Without a session: to the sign-in page. Another role: 403 and forbidden.html, so that nothing
// of the page (nor its scripts' requests) reaches who may not see it.
void WebServer::Impl::page(const httplib::Request& req, httplib::Response& res, const char* file,
                           std::optional<std::set<control::Role>> roles) {
    if (roles) {
        auto role = on_io<std::optional<control::Role>>(
            [this, token = cookie_token(req),
             address = req.remote_addr](std::function<void(std::optional<control::Role>)> done) {
                auto caller = caller_of(token, address);
                done(caller ? std::optional(caller->role) : std::nullopt);
            });
        if (!role) return refuse(res, 503, ErrorCode::internal, "acdd is stopping");
        if (!*role) {
            res.set_redirect("/?next=" + req.path, 303);
            return;
        }
        if (!roles->contains(**role)) {
            res.status = 403;
            file = "forbidden.html";
        }
    }
    std::ifstream in(ctx.pages / file, std::ios::binary);
    if (!in) {
        const int status = res.status == 403 ? 403 : 404;
        return refuse(res, status, ErrorCode::bad_request,
                      fmt::format("the pages are not installed in {}", ctx.pages.string()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    res.set_content(text.str(), "text/html; charset=utf-8");
}

// ---------------------------------------------------------------------------------------------
// Start and stop
// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<WebServer>> WebServer::start(const WebConfig& config, Context context) {
    auto impl = std::make_unique<Impl>(config, std::move(context));
    if (config.tls) {
        const TlsConfig tls = *config.tls;
        std::string problem;
        impl->server = std::make_unique<httplib::SSLServer>([tls, &problem](SSL_CTX& ctx) {
            SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
            if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert.c_str()) != 1) {
                problem = "web.tls.cert: cannot load " + tls.cert.string();
            } else if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
                       SSL_CTX_check_private_key(&ctx) != 1) {
                problem = "web.tls.key: cannot load " + tls.key.string();
            }
            return problem.empty();
        });
        if (!impl->server->is_valid()) {
            return Error{ErrorCode::invalid_config,
                         problem.empty() ? "web.tls: the TLS context does not start" : problem};
        }
    } else {
        impl->server = std::make_unique<httplib::Server>();
    }
    auto dummy = users::hash_password(random_token());
    if (!dummy) return dummy.error();
    impl->dummy_hash = std::move(*dummy);
    impl->routes();
    if (std::error_code e; !std::filesystem::exists(impl->ctx.pages / "index.html", e)) {
        log_warning("web.pages", "no pages in '{}': the listener serves the API only (--web-root)",
                    impl->ctx.pages.string());
    }
    impl->port =
        config.port == 0
            ? impl->server->bind_to_any_port(config.host)
            : (impl->server->bind_to_port(config.host, int(config.port)) ? int(config.port) : -1);
    if (impl->port <= 0) {
        return Error{ErrorCode::io_error,
                     fmt::format("web.listen: cannot listen on {}", config.listen)};
    }
    Impl* raw = impl.get();
    impl->listener = std::thread([raw] { raw->server->listen_after_bind(); });
    return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() {
    stop();
    if (impl_->listener.joinable()) impl_->listener.join();
}

unsigned WebServer::port() const {
    return unsigned(impl_->port);
}

void WebServer::stop() {
    impl_->closing = true;
    impl_->server->stop();
}

}  // namespace acd::web
