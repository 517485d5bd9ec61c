// The words of the agenda's states (include/acd/agenda.hpp), as its tables and the admin protocol
// carry them.
#include <array>

#include "acd/agenda.hpp"

namespace acd::agenda {
namespace {

constexpr std::array<std::string_view, 2> kStatusWords = {"booked", "cancelled"};
constexpr std::array<std::string_view, 2> kUrgencyWords = {"urgent", "normal"};
constexpr std::array<std::string_view, 3> kActionWords = {"call_back", "book", "info"};

}  // namespace

std::string_view to_string(AppointmentStatus s) {
    return kStatusWords[static_cast<std::size_t>(s)];
}
std::optional<AppointmentStatus> parse_appointment_status(std::string_view s) {
    return parse_word<AppointmentStatus>(s, kStatusWords);
}

std::string_view to_string(Urgency u) {
    return kUrgencyWords[static_cast<std::size_t>(u)];
}
std::optional<Urgency> parse_urgency(std::string_view s) {
    return parse_word<Urgency>(s, kUrgencyWords);
}

std::string_view to_string(MessageAction a) {
    return kActionWords[static_cast<std::size_t>(a)];
}
std::optional<MessageAction> parse_message_action(std::string_view s) {
    return parse_word<MessageAction>(s, kActionWords);
}

}  // namespace acd::agenda
