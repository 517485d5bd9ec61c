#include "acd/admin_socket.hpp"

namespace acd {

Result<std::optional<std::filesystem::path>, ConfigErrors> admin_socket_of(
    const std::filesystem::path& file) {
    ConfigErrors errors;
    const auto text = json::read_file(file, errors);
    if (!text) return errors;
    const auto root = json::parse_document(*text, errors);
    if (!root) return errors;
    json::Reader top = json::Reader::at_path(*root, "", errors);
    const Json* admin = top.valid() ? top.object("admin") : nullptr;
    std::optional<std::string> socket;
    if (admin != nullptr) socket = json::Reader::at_path(*admin, "admin", errors).string("socket");
    if (!errors.empty()) return errors;
    if (!socket) return std::optional<std::filesystem::path>();
    const std::filesystem::path path(*socket);
    if (path.is_absolute()) return std::optional(path.lexically_normal());
    return std::optional((std::filesystem::absolute(file).parent_path() / path).lexically_normal());
}

}  // namespace acd
