// The admin socket's path as a configuration file gives it, read without the rest of the file:
// acdctl needs only `admin.socket`, and an operator fixing an error elsewhere in the file must
// still be able to ask the running acdd for its status.
//
//   auto socket = acd::admin_socket_of("/etc/acdd/acdd.json");
//
// Contract: reads only the file. A relative path is made absolute against the file's folder, as
// acdd does. Errors name the path of the bad value (`admin.socket: expected a string, ...`), or
// say why the file cannot be read or parsed. A file without `admin.socket` gives nullopt: acdd
// then uses the default (AdminConfig::socket).
#pragma once

#include <filesystem>
#include <optional>

#include "acd/config.hpp"

namespace acd {

Result<std::optional<std::filesystem::path>, ConfigErrors> admin_socket_of(
    const std::filesystem::path& file);

}  // namespace acd
