#include "watch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <variant>

#include "connection.hpp"
#include "fields.hpp"
#include "render.hpp"
#include "table.hpp"
#include "wallboard.hpp"

namespace acd::ctl {
namespace {

using namespace std::chrono_literals;

constexpr auto kMinRedraw = 250ms;     // at most four frames a second
constexpr auto kNoticeShownFor = 10s;  // how long a notice stays under the title
constexpr auto kFirstRetry = 500ms;    // then doubling up to kLastRetry
constexpr auto kLastRetry = 5s;
constexpr int kMaxLinesPerBatch = 5000;
// Today's figures (stats-get reads the day's finished calls from the store: not a query for every
// frame) and the teams' sizes are not streamed: asked again this often, or, when acdd takes long
// to answer (a busy day on a slow disk), kFiguresShare times as long as it took, so that the
// wallboard never keeps acdd busy more than 1/kFiguresShare of the time.
constexpr auto kFiguresEvery = 5s;
constexpr int kFiguresShare = 20;

// ---------------------------------------------------------------------------------------------
// Signals through a pipe, so that poll() wakes up for them without a race.
// ---------------------------------------------------------------------------------------------

int g_signal_write_fd = -1;

extern "C" void on_signal(int sig) {
    const unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(g_signal_write_fd, &byte, 1);
}

class SignalPipe {
  public:
    SignalPipe() {
        if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) return;
        g_signal_write_fd = fds_[1];
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int sig : kSignals)
            ::sigaction(sig, &sa, nullptr);
    }
    ~SignalPipe() {
        for (int sig : kSignals)
            std::signal(sig, SIG_DFL);
        g_signal_write_fd = -1;
        if (fds_[0] >= 0) ::close(fds_[0]);
        if (fds_[1] >= 0) ::close(fds_[1]);
    }
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    int fd() const { return fds_[0]; }
    std::vector<int> take() {
        std::vector<int> sigs;
        unsigned char buf[64];
        ssize_t n;
        while ((n = ::read(fds_[0], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; ++i)
                sigs.push_back(buf[i]);
        }
        return sigs;
    }

  private:
    static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    int fds_[2] = {-1, -1};
};

// ---------------------------------------------------------------------------------------------
// Output: a terminal (alternate screen, ANSI escapes) or a plain stream.
// ---------------------------------------------------------------------------------------------

void write_all(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stdout gone: nothing to do about it
        done += static_cast<std::size_t>(n);
    }
}

bool colors_wanted() {
    const char* term = std::getenv("TERM");
    return std::getenv("NO_COLOR") == nullptr && term != nullptr && std::string(term) != "dumb";
}

std::string styled(const Wallboard::Line& line, bool color, std::size_t width) {
    if (!color) return line.text;
    switch (line.style) {
        case Wallboard::Style::title: {
            // Reverse video across the whole width, as a title bar.
            const std::size_t w = display_width(line.text);
            return "\x1b[1;7m" + line.text + std::string(width > w ? width - w : 0, ' ') +
                   "\x1b[0m";
        }
        case Wallboard::Style::heading:
            return "\x1b[1m" + line.text + "\x1b[0m";
        case Wallboard::Style::alert:
            return "\x1b[1;31m" + line.text + "\x1b[0m";
        case Wallboard::Style::notice:
            return "\x1b[33m" + line.text + "\x1b[0m";
        case Wallboard::Style::plain:
            break;
    }
    return line.text;
}

class Screen {
  public:
    Screen() : tty_(::isatty(STDOUT_FILENO) == 1), color_(tty_ && colors_wanted()) {
        if (tty_) write_all("\x1b[?1049h\x1b[?25l");  // alternate screen, cursor hidden
    }
    ~Screen() {
        if (tty_) write_all("\x1b[?25h\x1b[?1049l");
    }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    bool tty() const { return tty_; }
    // The terminal's size; 0 x 0 (no limit) when not a terminal.
    std::pair<std::size_t, std::size_t> size() const {
        winsize ws{};
        if (!tty_ || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) {
            return tty_ ? std::pair<std::size_t, std::size_t>{80, 24}
                        : std::pair<std::size_t, std::size_t>{0, 0};
        }
        return {ws.ws_col, ws.ws_row};
    }

    void draw(const std::vector<Wallboard::Line>& lines, std::size_t width) {
        std::string out;
        if (tty_) {
            // Home, each line over the old one (cleared to its end), then the rest cleared. No
            // newline after the last line: the screen must not scroll.
            out = "\x1b[H";
            for (std::size_t i = 0; i < lines.size(); ++i) {
                out += styled(lines[i], color_, width) + "\x1b[K";
                if (i + 1 < lines.size()) out += "\r\n";
            }
            out += "\x1b[J";
        } else {
            for (const Wallboard::Line& l : lines)
                out += l.text + '\n';
            out += '\n';  // frames apart
        }
        write_all(out);
    }

  private:
    bool tty_;
    bool color_;
};

std::string clock_now() {
    const std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

// ---------------------------------------------------------------------------------------------
// Requests to acdd.
// ---------------------------------------------------------------------------------------------

struct Failure {
    std::string message;
    int exit_code = kExitUnreachable;
};

class Requests {
  public:
    Requests(std::string socket, std::chrono::milliseconds timeout)
        : socket_(std::move(socket)), timeout_(timeout) {}

    // The `arguments` of the response to `command`, when its result is 0 or 3.
    std::variant<Json, Failure> ask(const std::string& command, const Json& args = Json::object()) {
        const std::string request = Json{{"command", command}, {"arguments", args}}.dump();
        // acdd closes a connection idle for 300 s: on a closed one, connect again, once.
        for (int attempt = 0;; ++attempt) {
            if (!connection_) {
                auto c = Connection::open(socket_, timeout_);
                if (!c) return Failure{c.error().message};
                connection_.emplace(std::move(*c));
            }
            auto line = connection_->round_trip(request, timeout_);
            if (!line) {
                connection_.reset();
                if (attempt == 0) continue;
                return Failure{line.error().message};
            }
            const Json response = Json::parse(*line, nullptr, /*allow_exceptions=*/false);
            const auto result = response.is_object() ? field_int(response, "result") : std::nullopt;
            if (!result) return Failure{"acdd's response is not the admin protocol's: " + *line};
            if (*result == 0 || *result == 3) return response.value("arguments", Json::object());
            std::string text = command + ": " + field_string(response, "text");
            const Json a = response.value("arguments", Json::object());
            if (!field_string(a, "code").empty()) text += " (" + field_string(a, "code") + ")";
            return Failure{text, *result == 2 ? kExitUsage : kExitError};
        }
    }

    const std::string& socket() const { return socket_; }
    std::chrono::milliseconds timeout() const { return timeout_; }

  private:
    std::string socket_;
    std::chrono::milliseconds timeout_;
    std::optional<Connection> connection_;
};

// queue-get for every specialty whose waiting calls changed.
std::optional<Failure> refresh_deadlines(Requests& requests, Wallboard& board) {
    for (const std::string& specialty : board.take_stale()) {
        auto r = requests.ask("queue-get", {{"specialty", specialty}});
        if (auto* f = std::get_if<Failure>(&r)) {
            // A specialty removed by a reload since the change: nothing to show for it.
            if (f->exit_code == kExitError) continue;
            return *f;
        }
        board.set_deadlines(std::get<Json>(r), std::chrono::steady_clock::now());
    }
    return std::nullopt;
}

// Today's figures and the teams; `changed` tells whether the picture changed. A daemon that
// refuses them (an older one, a store error) leaves them out of the picture rather than the
// whole wallboard; only an unreachable acdd fails.
std::optional<Failure> refresh_figures(Requests& requests, Wallboard& board,
                                       bool* changed = nullptr) {
    bool any = false;
    auto teams = requests.ask("overflow-get");
    if (auto* f = std::get_if<Failure>(&teams)) {
        if (f->exit_code == kExitUnreachable) return *f;
    } else {
        any = board.set_teams(std::get<Json>(teams));
    }
    auto stats = requests.ask("stats-get");
    if (auto* f = std::get_if<Failure>(&stats)) {
        if (f->exit_code == kExitUnreachable) return *f;
    } else {
        any = board.set_figures(std::get<Json>(stats)) || any;
    }
    if (changed != nullptr) *changed = any;
    return std::nullopt;
}

// The whole picture from the lists; `version` for the title.
std::optional<Failure> load(Requests& requests, Wallboard& board, std::string& version) {
    auto v = requests.ask("version-get");
    if (auto* f = std::get_if<Failure>(&v)) return *f;
    version = field_string(std::get<Json>(v), "version");
    std::vector<Json> lists;
    for (const char* command : {"queue-list", "call-list", "agent-list"}) {
        auto r = requests.ask(command);
        if (auto* f = std::get_if<Failure>(&r)) return *f;
        lists.push_back(std::get<Json>(std::move(r)));
    }
    board.reset(lists[0], lists[1], lists[2], std::chrono::steady_clock::now());
    auto status = requests.ask("status-get");
    if (auto* f = std::get_if<Failure>(&status)) return *f;
    board.set_alerts(std::get<Json>(status));
    if (auto f = refresh_figures(requests, board)) return f;
    return refresh_deadlines(requests, board);
}

std::string title(const std::string& version, const std::string& socket) {
    return fmt::format("acdd {} wallboard · {} · {}", version.empty() ? "?" : version, socket,
                       clock_now());
}

int once(Requests& requests) {
    Wallboard board;
    std::string version;
    if (auto f = load(requests, board, version)) {
        fmt::print(stderr, "acdctl: {}\n", f->message);
        return f->exit_code;
    }
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    winsize ws{};
    const std::size_t width =
        tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : std::size_t{0};
    const auto lines = board.draw({title(version, requests.socket()), "", width, 0},
                                  std::chrono::steady_clock::now());
    std::string out;
    const bool color = tty && colors_wanted();
    for (const auto& l : lines)
        out += styled(l, color, width) + '\n';
    write_all(out);
    return kExitOk;
}

// Subscribes on a new connection; the stream then follows the response on it.
std::variant<Connection, Failure> subscribe(const Requests& requests) {
    auto c = Connection::open(requests.socket(), requests.timeout());
    if (!c) return Failure{c.error().message};
    const Json request = {{"command", "subscribe"},
                          {"arguments", {{"topics", {"calls", "agents", "queues", "alerts"}}}}};
    auto line = c->round_trip(request.dump(), requests.timeout());
    if (!line) return Failure{line.error().message};
    const Json response = Json::parse(*line, nullptr, false);
    if (!response.is_object() || response.value("result", -1) != 0) {
        return Failure{
            "subscribe: " + (response.is_object() ? field_string(response, "text") : *line),
            kExitError};
    }
    return std::move(*c);
}

int live(Requests& requests) {
    using Clock = std::chrono::steady_clock;
    SignalPipe signals;
    Screen screen;
    Wallboard board;
    std::string version;
    std::optional<Connection> stream;
    std::string notice;
    Clock::time_point notice_until{};
    Clock::time_point retry_at{};
    auto retry_after = std::chrono::milliseconds(kFirstRetry);
    Clock::time_point last_draw{};
    Clock::time_point figures_at{};
    bool dirty = true;
    bool had_picture = false;

    // Off a terminal the frames may be a log: what happens to the connection goes to stderr too.
    const auto report = [&](const std::string& text) {
        if (!screen.tty()) fmt::print(stderr, "acdctl: watch: {}\n", text);
    };
    const auto say = [&](std::string text) {
        notice = std::move(text);
        notice_until = Clock::now() + kNoticeShownFor;
        dirty = true;
        report(notice);
    };
    std::string loss;  // why the last subscription ended, until a new one starts
    // The picture stays, marked stale, until a new subscription replaces it.
    const auto stale = [&](const std::string& why) {
        board.disconnected(Clock::now(), clock_now(), why);
        report(why);
        dirty = true;
    };
    const auto lost = [&](std::string why) {
        stream.reset();
        loss = std::move(why);
        stale(loss);
    };

    for (;;) {
        Clock::time_point now = Clock::now();
        if (!stream && now >= retry_at) {
            std::optional<Failure> failure;
            auto s = subscribe(requests);
            if (auto* f = std::get_if<Failure>(&s)) {
                failure = *f;
            } else {
                stream.emplace(std::get<Connection>(std::move(s)));
                failure = load(requests, board, version);
            }
            if (failure) {
                stream.reset();
                stale(fmt::format("{}{}; trying again in {} ms", loss.empty() ? "" : loss + "; ",
                                  failure->message, retry_after.count()));
                retry_at = Clock::now() + retry_after;
                retry_after = std::min<std::chrono::milliseconds>(retry_after * 2, kLastRetry);
            } else {
                if (!loss.empty()) say(loss + "; subscribed again at " + clock_now());
                loss.clear();
                had_picture = true;
                retry_after = kFirstRetry;
                figures_at = Clock::now() + kFiguresEvery;
                dirty = true;
            }
        }
        if (stream) {
            if (auto f = refresh_deadlines(requests, board)) lost(f->message);
        }
        if (stream && Clock::now() >= figures_at) {
            bool changed = false;
            const auto asked = Clock::now();
            if (auto f = refresh_figures(requests, board, &changed)) lost(f->message);
            const auto took = Clock::now() - asked;
            figures_at =
                Clock::now() + std::max<Clock::duration>(kFiguresEvery, took * kFiguresShare);
            // Off a terminal a frame is printed per change only.
            dirty = dirty || changed;
        }

        now = Clock::now();
        if (!notice.empty() && now >= notice_until) {
            notice.clear();
            dirty = true;
        }
        // On a terminal the clocks tick every second; a log gets a frame per change only.
        const bool tick = screen.tty() && now - last_draw >= 1s;
        if ((dirty && now - last_draw >= kMinRedraw) || tick) {
            const auto [width, height] = screen.size();
            const std::string shown_title = had_picture ? title(version, requests.socket())
                                                        : "acdd wallboard · " + requests.socket();
            screen.draw(board.draw({shown_title, notice, width, height}, now), width);
            last_draw = now;
            dirty = false;
        }

        // Wait for the stream, a signal, the next frame or the next retry.
        Clock::time_point wake = now + 1s;
        if (dirty) wake = std::min(wake, last_draw + kMinRedraw);
        if (!stream) wake = std::min(wake, retry_at);
        if (stream) wake = std::min(wake, figures_at);
        if (!notice.empty()) wake = std::min(wake, notice_until);
        if (stream && stream->has_buffered_line()) wake = now;
        pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {stream ? stream->fd() : -1, POLLIN, 0}};
        const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
        ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(0, wait_ms.count())));

        for (int sig : signals.take()) {
            if (sig == SIGWINCH) {
                dirty = true;
                last_draw = {};  // redraw now, at the new size
            } else {
                return kExitOk;
            }
        }
        if (!stream) continue;
        // What is already here, without waiting; a bounded batch, so that a flood of changes
        // still lets the picture be drawn (and acdd drops us if we cannot keep up).
        std::string line;
        for (int batch = 0; batch < kMaxLinesPerBatch; ++batch) {
            const Connection::Read r = stream->read_line(line, Clock::now());
            if (r == Connection::Read::timeout) break;
            if (r != Connection::Read::line) {
                lost("acdd closed the subscription");
                break;
            }
            const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
            if (message.is_object() && message.contains("result")) {
                // The final line of a dropped subscriber ("too_slow"), or another error.
                lost("acdd ended the subscription: " + field_string(message, "text"));
                break;
            }
            board.apply(message, Clock::now());
            dirty = true;
        }
    }
}

}  // namespace

int run_watch(const std::string& socket, const WatchOptions& options,
              std::chrono::milliseconds timeout) {
    Requests requests(socket, timeout);
    return options.once ? once(requests) : live(requests);
}

}  // namespace acd::ctl
