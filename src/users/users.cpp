// The users' table, passwords and commands. See users.hpp.
#include "users.hpp"

#include <argon2.h>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "acd/log.hpp"
#include "acd/site_time.hpp"
#include "store/module.hpp"

namespace acd::users {
namespace {

using control::Answer;

// OWASP's Argon2id setting for interactive logins: 19 MiB, 2 passes, 1 lane.
constexpr std::uint32_t kTimeCost = 2;
constexpr std::uint32_t kMemoryKiB = 19 * 1024;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMaxPasswordLength = 1024;

bool valid_user_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

std::int64_t ms(Time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Time from_ms(std::int64_t v) {
    return Time(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(v)));
}

// Who ran a command, for the audit record's body (the socket's uid/gid are columns of their own).
Json who(const control::Caller& caller) {
    if (caller.channel == control::Caller::Channel::web) return Json{{"user", caller.user}};
    return Json::object();
}

// The arguments as audited: never a password.
Json redacted(Json arguments) {
    for (const char* key : {"password", "old_password"}) {
        if (arguments.contains(key)) arguments[key] = "(redacted)";
    }
    return arguments;
}

// What a change writes: a new user whole; user-set its profile; user-passwd its hash. Two changes
// to one user on their way to the writer at once then never undo each other.
enum class Part { whole, profile, password };

Status write_user(WriteContext& ctx, const User& u, Part part) {
    sql::Db& db = store::connection(ctx);
    const char* sql =
        part == Part::whole
            ? "INSERT INTO users (user, name, role, agent, disabled, password_hash) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        : part == Part::profile
            ? "UPDATE users SET name = ?2, role = ?3, agent = ?4, disabled = ?5 WHERE user = ?1"
            : "UPDATE users SET password_hash = ?6 WHERE user = ?1";
    auto st = db.prepare(sql);
    if (!st) return st.error();
    std::optional<std::string> agent;
    if (!u.agent.empty()) agent = u.agent;
    st->bind(1, u.user);
    if (part != Part::password) {
        st->bind(2, u.name)
            .bind(3, to_string(u.role))
            .bind(4, agent)
            .bind(5, std::int64_t(u.disabled ? 1 : 0));
    }
    if (part != Part::profile) st->bind(6, u.hash);
    return st->run();
}

// Applies the written part of `u` to the user in memory.
void apply(std::map<std::string, User, std::less<>>& users, const User& u, Part part) {
    const auto it = users.find(u.user);
    if (part == Part::whole || it == users.end()) {
        users.insert_or_assign(u.user, u);
    } else if (part == Part::profile) {
        it->second.name = u.name;
        it->second.role = u.role;
        it->second.agent = u.agent;
        it->second.disabled = u.disabled;
    } else {
        it->second.hash = u.hash;
    }
}

AuditRecord audit_record(const control::Request& request, const Answer& answer, Time at) {
    AuditRecord r;
    r.at = at;
    r.kind = RecordKind::action;
    r.type = request.command;
    if (request.caller.channel != control::Caller::Channel::web) {
        r.uid = request.caller.uid;
        r.gid = request.caller.gid;
    }
    Json body = who(request.caller);
    body["arguments"] = redacted(request.arguments);
    body["result"] = static_cast<int>(answer.result);
    body["text"] = answer.text;
    r.body = body.dump();
    return r;
}

}  // namespace

SchemaModule schema() {
    return {"users", {R"sql(
CREATE TABLE users (
  user          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  agent         TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL,
  last_login    INTEGER
);
)sql"}};
}

Json view(const User& u, const ZoneRules& zone) {
    Json j = {{"user", u.user},
              {"name", u.name},
              {"role", to_string(u.role)},
              {"agent", u.agent.empty() ? Json() : Json(u.agent)},
              {"disabled", u.disabled},
              {"last_login", u.last_login ? Json(format_site_time(zone, *u.last_login)) : Json()}};
    return j;
}

Result<std::string> hash_password(std::string_view password) {
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), int(salt.size())) != 1) {
        return Error{ErrorCode::internal, "no random bytes for a password's salt"};
    }
    const std::size_t length =
        argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
    std::string encoded(length, '\0');
    const int rc =
        argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(),
                              salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        return Error{ErrorCode::internal,
                     fmt::format("hashing a password failed: {}", argon2_error_message(rc))};
    }
    encoded.resize(encoded.find('\0') == std::string::npos ? encoded.size() : encoded.find('\0'));
    return encoded;
}

bool verify_password(std::string_view hash, std::string_view password) {
    const std::string encoded(hash);  // argon2 wants a C string
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

// ---------------------------------------------------------------------------------------------

struct Users::Impl {
    // The arguments of user-add and user-set, checked; `adding` requires what a new user needs.
    static std::optional<Answer> read(const Users& self, const Json& arguments, bool adding,
                                      User& user, std::optional<std::string>& password);
    static void add(Users& self, control::Request& request, control::Done done);
    static void set(Users& self, control::Request& request, control::Done done);
    static void passwd(Users& self, control::Request& request, control::Done done);
    static void list(Users& self, control::Done done);
    static void accesses(Users& self, control::Request& request, control::Done done);
    static void refuse(Users& self, const control::Request& request, const Answer& answer,
                       const control::Done& done);
    // Hashes `password` (when given) off the io thread, then `then` on it.
    static void hashed(Users& self, std::optional<std::string> password,
                       std::function<void(Result<std::string>)> then);
    // Writes `user` with the audit record of `request`, applies it once durable, answers.
    static void commit(Users& self, std::shared_ptr<control::Request> request, User user, Part part,
                       control::Done done);
};

Result<std::unique_ptr<Users>> Users::open(Context context) {
    std::unique_ptr<Users> self(new Users(std::move(context)));
    auto db = sql::Db::open_reader(self->ctx_.database);
    if (!db) return db.error();
    auto st = db->prepare(
        "SELECT user, name, role, agent, disabled, password_hash, last_login FROM users");
    if (!st) return st.error();
    while (st->step()) {
        User u;
        u.user = std::string(st->text(0));
        u.name = std::string(st->text(1));
        u.role = control::parse_role(st->text(2)).value_or(control::Role::agent);
        if (!st->is_null(3)) u.agent = std::string(st->text(3));
        u.disabled = st->int64(4) != 0;
        u.hash = std::string(st->text(5));
        if (!st->is_null(6)) u.last_login = from_ms(st->int64(6));
        self->users_.emplace(u.user, std::move(u));
    }
    if (st->failed()) return st->error();
    return self;
}

Users::Users(Context context) : ctx_(std::move(context)) {}

Users::~Users() {
    hasher_.join();
}

const User* Users::find(std::string_view user) const {
    const auto it = users_.find(user);
    return it == users_.end() ? nullptr : &it->second;
}

void Users::logged_in(const std::string& user, Time at) {
    const auto it = users_.find(user);
    if (it == users_.end()) return;
    it->second.last_login = at;
    // Only the column: a change to the same user may be on its way to the writer.
    WriteBatch batch;
    batch.job = [user, at = ms(at)](WriteContext& ctx) -> Status {
        auto st =
            store::connection(ctx).prepare("UPDATE users SET last_login = ?1 WHERE user = ?2");
        if (!st) return st.error();
        st->bind(1, at).bind(2, user);
        return st->run();
    };
    ctx_.store.append(std::move(batch));
}

void Users::add_to(control::Registry& registry) {
    auto add = [&registry, this](const char* name, control::Access access,
                                 void (*fn)(Users&, control::Request&, control::Done)) {
        registry.add(
            {name, access,
             [this, fn](control::Request& r, control::Done done) { fn(*this, r, std::move(done)); },
             /*audits_itself=*/access == control::Access::changes});
    };
    add("user-add", control::Access::changes, &Impl::add);
    add("user-set", control::Access::changes, &Impl::set);
    add("user-passwd", control::Access::changes, &Impl::passwd);
    registry.add({"user-list", control::Access::reads,
                  [this](control::Request&, control::Done done) { Impl::list(*this, done); }});
    registry.add(
        {"access-list", control::Access::reads, [this](control::Request& r, control::Done done) {
             Impl::accesses(*this, r, std::move(done));
         }});
}

std::optional<Answer> Users::Impl::read(const Users& self, const Json& arguments, bool adding,
                                        User& user, std::optional<std::string>& password) {
    json::Problems problems;
    auto r = json::Reader::named(arguments, "argument", problems);
    if (adding) {
        r.only({"user", "name", "role", "agent", "password"}, "unknown argument");
    } else {
        r.only({"user", "name", "role", "agent", "disabled"}, "unknown argument");
    }
    const auto id = r.bytes("user", 64, true);
    const auto name = r.word("name", 200, adding);
    const auto role = r.choice("role", {"agent", "supervisor", "admin"}, adding);
    const auto agent = r.bytes("agent", 64);
    const auto disabled = adding ? std::nullopt : r.boolean("disabled");
    if (adding) password = r.string("password", true);
    if (!problems.empty()) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    if (!valid_user_id(*id)) {
        return Answer::failure(ErrorCode::bad_request,
                               "argument 'user' must be 1 to 64 letters, digits, '_', '.' or '-'");
    }
    const User* existing = self.find(*id);
    if (adding && existing) {
        return Answer::failure(ErrorCode::bad_request, fmt::format("user '{}' exists", *id));
    }
    if (!adding && !existing) {
        return Answer::failure(ErrorCode::bad_request, fmt::format("no user '{}'", *id));
    }
    if (existing) user = *existing;
    user.user = *id;
    if (name) user.name = *name;
    if (role) {
        user.role = *control::parse_role(*role);
        if (user.role != control::Role::agent) user.agent.clear();
    }
    if (agent) user.agent = *agent;
    if (disabled) user.disabled = *disabled;
    if (user.role == control::Role::agent) {
        if (user.agent.empty()) {
            return Answer::failure(ErrorCode::bad_request,
                                   "argument 'agent' is required for role agent");
        }
        if (!self.ctx_.agent_exists(user.agent)) {
            return Answer::failure(ErrorCode::unknown_agent,
                                   fmt::format("unknown agent '{}'", user.agent));
        }
    } else if (agent) {
        return Answer::failure(ErrorCode::bad_request, "argument 'agent' is only for role agent");
    }
    if (password &&
        (password->size() < kMinPasswordLength || password->size() > kMaxPasswordLength)) {
        return Answer::failure(ErrorCode::bad_request,
                               fmt::format("argument 'password' must have {} to {} characters",
                                           kMinPasswordLength, kMaxPasswordLength));
    }
    return std::nullopt;
}

void Users::Impl::hashed(Users& self, std::optional<std::string> password,
                         std::function<void(Result<std::string>)> then) {
    if (!password) return then(std::string());
    asio::post(self.hasher_, [&self, password = std::move(*password), then = std::move(then)] {
        Result<std::string> h = hash_password(password);
        asio::post(self.ctx_.io, [h = std::move(h), then] { then(h); });
    });
}

void Users::Impl::commit(Users& self, std::shared_ptr<control::Request> request, User user,
                         Part part, control::Done done) {
    auto answer = std::make_shared<Answer>(
        Answer::success(fmt::format("user {}", user.user), view(user, self.ctx_.zone())));
    WriteBatch batch;
    batch.job = [user, part, answer, record = audit_record(*request, *answer, self.ctx_.now())](
                    WriteContext& ctx) mutable -> Status {
        if (Status s = write_user(ctx, user, part); !s) {
            *answer = Answer::failure(s.error());
            return s;
        }
        return ctx.append(std::move(record));
    };
    const std::uint64_t ticket = self.ctx_.store.append(std::move(batch));
    self.ctx_.when_durable(ticket, [&self, user, part, answer, done = std::move(done)] {
        if (answer->ok()) {
            apply(self.users_, user, part);
            if (self.on_change_) self.on_change_(*self.find(user.user));
        }
        done(*answer);
    });
}

// A refusal is audited too (the registry leaves the audit of these commands to them).
void Users::Impl::refuse(Users& self, const control::Request& request, const Answer& answer,
                         const control::Done& done) {
    WriteBatch batch;
    batch.records.push_back(audit_record(request, answer, self.ctx_.now()));
    self.ctx_.store.append(std::move(batch));
    done(answer);
}

void Users::Impl::add(Users& self, control::Request& request, control::Done done) {
    User user;
    std::optional<std::string> password;
    if (auto refused = read(self, request.arguments, true, user, password)) {
        return refuse(self, request, *refused, done);
    }
    auto shared = std::make_shared<control::Request>(request);
    hashed(self, std::move(password),
           [&self, shared, user, done = std::move(done)](Result<std::string> h) mutable {
               if (!h) return refuse(self, *shared, Answer::failure(h.error()), done);
               user.hash = std::move(*h);
               if (self.find(user.user)) {
                   return refuse(self, *shared,
                                 Answer::failure(ErrorCode::bad_request,
                                                 fmt::format("user '{}' exists", user.user)),
                                 done);
               }
               commit(self, shared, std::move(user), Part::whole, std::move(done));
           });
}

void Users::Impl::set(Users& self, control::Request& request, control::Done done) {
    User user;
    std::optional<std::string> none;
    if (auto refused = read(self, request.arguments, false, user, none)) {
        return refuse(self, request, *refused, done);
    }
    commit(self, std::make_shared<control::Request>(request), std::move(user), Part::profile,
           std::move(done));
}

void Users::Impl::passwd(Users& self, control::Request& request, control::Done done) {
    json::Problems problems;
    auto r = json::Reader::named(request.arguments, "argument", problems);
    r.only({"user", "password", "old_password"}, "unknown argument");
    const auto id = r.bytes("user", 64, true);
    const auto password = r.string("password", true);
    const auto old_password = r.string("old_password");
    if (!problems.empty()) {
        return refuse(self, request,
                      Answer::failure(ErrorCode::bad_request, problems.front().message), done);
    }
    const User* existing = self.find(*id);
    if (!existing) {
        return refuse(self, request,
                      Answer::failure(ErrorCode::bad_request, fmt::format("no user '{}'", *id)),
                      done);
    }
    if (password->size() < kMinPasswordLength || password->size() > kMaxPasswordLength) {
        return refuse(
            self, request,
            Answer::failure(ErrorCode::bad_request,
                            fmt::format("argument 'password' must have {} to {} characters",
                                        kMinPasswordLength, kMaxPasswordLength)),
            done);
    }
    // Users who change their own password over the web prove they know the old one.
    const bool own =
        request.caller.channel == control::Caller::Channel::web && request.caller.user == *id;
    if (own && !old_password) {
        return refuse(self, request,
                      Answer::failure(ErrorCode::bad_request,
                                      "argument 'old_password' is required to change your own"),
                      done);
    }
    auto shared = std::make_shared<control::Request>(request);
    asio::post(self.hasher_, [&self, shared, own, old = old_password.value_or(""),
                              old_hash = existing->hash, password = *password,
                              done = std::move(done)] {
        const bool proven = !own || verify_password(old_hash, old);
        Result<std::string> h =
            proven ? hash_password(password) : Result<std::string>(std::string());
        asio::post(self.ctx_.io, [&self, shared, proven, h = std::move(h), done] {
            if (!proven) {
                return refuse(self, *shared,
                              Answer::failure(ErrorCode::forbidden, "the old password is wrong"),
                              done);
            }
            if (!h) return refuse(self, *shared, Answer::failure(h.error()), done);
            const User* current = self.find(shared->arguments["user"].get<std::string>());
            if (!current) {
                return refuse(self, *shared,
                              Answer::failure(ErrorCode::bad_request, "no such user"), done);
            }
            User user = *current;
            user.hash = *h;
            commit(self, shared, std::move(user), Part::password, done);
        });
    });
}

void Users::Impl::accesses(Users& self, control::Request& request, control::Done done) {
    json::Problems problems;
    auto r = json::Reader::named(request.arguments, "argument", problems);
    r.only({"since", "user", "phone"}, "unknown argument");
    const auto since = r.time("since", true);
    auto user = r.bytes("user", 64);
    const auto phone = r.bytes("phone", 64);
    if (!problems.empty())
        return done(Answer::failure(ErrorCode::bad_request, problems.front().message));
    // A supervisor over the web sees its own accesses only.
    const control::Caller& c = request.caller;
    if (c.channel == control::Caller::Channel::web && c.role == control::Role::supervisor) {
        if (user && *user != c.user) {
            return done(
                Answer::failure(ErrorCode::forbidden, "a supervisor sees only its own accesses"));
        }
        user = c.user;
    }
    std::optional<std::string> patient;
    if (phone) patient = self.ctx_.key.pseudonym(*phone);
    asio::post(self.hasher_, [&self, at = ms(*since), user, patient, zone = self.ctx_.zone(),
                              done = std::move(done)] {
        Result<Json> found = [&]() -> Result<Json> {
            auto db = sql::Db::open_reader(self.ctx_.database);
            if (!db) return db.error();
            auto records = store::records_of_type(*db, "access", from_ms(at));
            if (!records) return records.error();
            Json list = Json::array();
            for (const AuditRecord& r : *records) {
                Json body = Json::parse(r.body, nullptr, false);
                if (!body.is_object()) continue;
                const std::string who =
                    body.contains("user")
                        ? body.value("user", "")
                        : fmt::format("uid {} gid {}", r.uid.value_or(0), r.gid.value_or(0));
                if (user && body.value("user", "") != *user) continue;
                const Json patients = body.value("patients", Json::array());
                if (patient &&
                    std::find(patients.begin(), patients.end(), Json(*patient)) == patients.end()) {
                    continue;
                }
                list.push_back({{"at", format_site_time(zone, r.at)},
                                {"who", who},
                                {"command", body.value("command", "")},
                                {"patients", patients}});
            }
            return list;
        }();
        asio::post(self.ctx_.io, [found = std::move(found), done] {
            if (!found) return done(Answer::failure(found.error()));
            done(Answer::listing(found->empty(), fmt::format("{} accesses", found->size()),
                                 {{"accesses", *found}}));
        });
    });
}

void Users::Impl::list(Users& self, control::Done done) {
    Json list = Json::array();
    const ZoneRules zone = self.ctx_.zone();
    for (const auto& [id, u] : self.users_)
        list.push_back(view(u, zone));
    const bool nothing = list.empty();
    done(Answer::listing(nothing, fmt::format("{} users", list.size()), {{"users", list}}));
}

}  // namespace acd::users
