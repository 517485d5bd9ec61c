// config-test (admin-protocol.md v1.1): the path must be in the folder of acdd's configuration
// file, and its errors never quote the content of a file that is not valid JSON.
#include <gtest/gtest.h>

#include <fstream>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"

namespace acd::test {
namespace {

TEST(ConfigTest, APathOutsideTheConfigurationFolderIsRefused) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    AdminClient admin((daemon.dir() / "admin.sock").string());
    const std::vector<std::string> outside = {"/etc/passwd", (daemon.dir() / "../x.json").string()};
    for (const std::string& path : outside) {
        const Json r = admin.call("config-test", {{"path", path}});
        EXPECT_EQ(r["result"], 1) << path;
        EXPECT_EQ(r["arguments"]["code"], "bad_request") << r.dump();
        EXPECT_NE(r["text"].get<std::string>().find("must be a file in"), std::string::npos)
            << r.dump();
    }
    EXPECT_EQ(admin.call("config-test", {{"path", "acdd.json"}})["result"], 0);  // relative: there
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(ConfigTest, TheErrorsNeverQuoteTheContentOfAFileThatIsNotJson) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    AdminClient admin((daemon.dir() / "admin.sock").string());
    const std::string secrets[] = {
        "TOPSECRET-123\n", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
        "{\"a\": TOPSECRET}"};
    for (const std::string& secret : secrets) {
        std::ofstream(daemon.dir() / "secret.key") << secret;
        const Json r = admin.call("config-test", {{"path", "secret.key"}});
        EXPECT_EQ(r["result"], 1);
        const std::string shown = r.dump();
        EXPECT_EQ(shown.find("TOPSECRET"), std::string::npos) << shown;
        EXPECT_EQ(shown.find("0123"), std::string::npos) << shown;
        EXPECT_NE(shown.find("line 1"), std::string::npos) << shown;  // it still says where
    }
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
