// The state_file: keeps the bridge's seq strictly increasing across its restarts.
//
// The file holds one number, a bound above every seq the bridge has sent: before an event with a
// seq above the bound is sent, the bound is raised by a block (kSeqBlock) and written durably
// (a temporary file, fsync, rename, fsync of the folder). After a restart numbering resumes above
// the bound. The gateway protocol allows gaps, so a crash costs at most one block of numbers,
// and the disk sees one write per block, not per event. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace acd::kamailio {

inline constexpr std::uint64_t kSeqBlock = 1000;

class SeqFile {
  public:
    explicit SeqFile(std::string path) : path_(std::move(path)) {}

    // Reads the bound (0 when the file does not exist). Returns an error message, empty if none;
    // a file that holds anything but a number is an error (never guess a seq).
    std::string load();
    // The seq for the next event. Raises and writes the bound first when needed; returns 0 (and
    // sets `error`) when the bound cannot be written: then no event may be sent.
    std::uint64_t next(std::string& error);
    std::uint64_t last() const { return last_; }

  private:
    std::string write(std::uint64_t bound);

    std::string path_;
    std::uint64_t last_ = 0;   // the last seq handed out
    std::uint64_t bound_ = 0;  // durably on disk: every seq handed out is <= bound_
};

}  // namespace acd::kamailio
