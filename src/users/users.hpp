// The web console's accounts (docs/spec/web.md, "Users and roles"): the `users` table in the
// store's database, the `user-*` commands, and the passwords' Argon2id hashes.
//
// - The table is owned by this module (its migrations are registered with the store, like the
//   agenda's): one row per user; a password is kept only as an Argon2id hash in PHC string form
//   (salt and parameters inside), never logged nor audited.
// - The users are held in memory, loaded once at start: the io thread never reads SQLite while
//   acdd serves. A change (user-add, user-set, user-passwd) is hashed on the module's own hashing
//   thread (Argon2 takes tens of milliseconds on purpose), written by a job on the store's writer
//   thread with its audit record (arguments without password), and applied in memory and answered
//   once durable.
// - Logins check a password against the hash (verify_password: thread-safe and slow, so called off
//   the io thread by the web listener).
//
// Single-threaded, on the io_context thread, except where a function says otherwise; owns its
// hashing thread.
#pragma once

#include <asio.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "acd/control.hpp"
#include "acd/pii.hpp"
#include "acd/store.hpp"

namespace acd::users {

// The users' tables, created and migrated by the store when it opens.
SchemaModule schema();

struct User {
    std::string user;  // the id rules of agents
    std::string name;
    control::Role role = control::Role::agent;
    std::string agent;  // role agent: the agent it works as; empty otherwise
    bool disabled = false;
    std::string hash;  // Argon2id, PHC string form
    std::optional<Time> last_login;
};

// The JSON view of a user (user-list, user-add...): never the hash.
Json view(const User& user);

// A password's Argon2id hash (fresh random salt); thread-safe, slow by design.
Result<std::string> hash_password(std::string_view password);
// Whether `password` matches `hash`; thread-safe, slow by design. A malformed hash never matches.
bool verify_password(std::string_view hash, std::string_view password);
// The shortest password accepted.
inline constexpr std::size_t kMinPasswordLength = 12;

struct Context {
    asio::io_context& io;
    Store& store;
    const PiiKey& key;               // access-list's `phone`: its pseudonym
    std::filesystem::path database;  // the store's file, read once at open
    std::function<Time()> now;
    // Runs `fn` on the io_context thread once every batch up to `ticket` is durable.
    std::function<void(std::uint64_t ticket, std::function<void()> fn)> when_durable;
    // Whether an agent id is configured (user-add and user-set of role agent).
    std::function<bool(const std::string& agent)> agent_exists;
    // The site's zone: the times the answers show are in it (config.md v1.1 `site.timezone`).
    std::function<ZoneRules()> zone;
};

class Users {
  public:
    // Loads every user from the database.
    static Result<std::unique_ptr<Users>> open(Context context);
    ~Users();  // waits for the hashing thread
    Users(const Users&) = delete;
    Users& operator=(const Users&) = delete;

    // Registers user-add, user-set, user-passwd, user-list, and access-list (the access traces,
    // read on the module's worker thread with a read-only connection of its own; a supervisor
    // over the web sees only its own).
    void add_to(control::Registry& registry);

    const User* find(std::string_view user) const;
    bool empty() const { return users_.empty(); }
    // Called with a user whenever a change to it is durable (the web listener ends the sessions
    // of a disabled user).
    void on_change(std::function<void(const User&)> fn) { on_change_ = std::move(fn); }
    // Records a successful login (last_login), with nothing to wait for.
    void logged_in(const std::string& user, Time at);

    struct Impl;

  private:
    explicit Users(Context context);

    Context ctx_;
    std::map<std::string, User, std::less<>> users_;
    std::function<void(const User&)> on_change_;
    asio::thread_pool hasher_{1};
};

}  // namespace acd::users
