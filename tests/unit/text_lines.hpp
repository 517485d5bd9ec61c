// The lines of a program's text output, for tests that compare them one by one.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace acd::test {

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

}  // namespace acd::test
