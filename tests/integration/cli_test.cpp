// The acdd command line (docs/spec/config.md "--check-config", and --version, --help).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "acd/version.hpp"
#include "process.hpp"

namespace acd::test {
namespace {

const std::string kAcdd = ACD_ACDD_BINARY;
const std::filesystem::path kSource = ACD_SOURCE_DIR;

TEST(Cli, CheckConfigPrintsOkAndExitsZeroForAGoodFile) {
    const std::string file = (kSource / "config/acdd.json").string();
    const ProcessResult r = run_process({kAcdd, "--check-config", "-c", file});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "ok: " + file + "\n");
}

TEST(Cli, CheckConfigPrintsEveryErrorAndExitsOneForABadFile) {
    const std::string file = (kSource / "tests/config/bad-several-errors.json").string();
    const ProcessResult r = run_process({kAcdd, "--check-config", "-c", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(file + ": agents[0].skills[0]: unknown specialty 'neuro'\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(file + ": ring_timeout_s: must be between 1 and 600, got -1\n"),
              std::string::npos);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 4);
}

TEST(Cli, StartupRefusesABadConfigWithTheSameMessages) {
    const std::string file = (kSource / "tests/config/bad-unknown-skill.json").string();
    const ProcessResult r = run_process({kAcdd, "-c", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("agents[2].skills[0]: unknown specialty 'cardio'"), std::string::npos);
}

TEST(Cli, VersionPrintsTheVersion) {
    const ProcessResult r = run_process({kAcdd, "--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, std::string("acdd ") + kVersion + "\n");
}

TEST(Cli, HelpPrintsUsage) {
    const ProcessResult r = run_process({kAcdd, "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--check-config"), std::string::npos);
}

TEST(Cli, UnknownOptionIsAUsageError) {
    const ProcessResult r = run_process({kAcdd, "--bogus"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("Usage: acdd"), std::string::npos);
}

}  // namespace
}  // namespace acd::test
