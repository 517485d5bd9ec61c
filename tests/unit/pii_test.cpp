// docs/spec/agenda.md "Patients and personal data" and the key rules of docs/spec/config.md.
#include "acd/pii.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "temp_dir.hpp"

namespace acd {
namespace {

using test::TempDir;

StoreConfig store_in(const TempDir& dir) {
    StoreConfig c;
    c.path = dir / "acdd.db";
    c.pii_key_file = dir / "acdd.db.key";
    return c;
}

void write_file(const std::filesystem::path& p, const std::string& content, mode_t mode) {
    std::ofstream(p, std::ios::binary) << content;
    chmod(p.c_str(), mode);
}

const std::string kHexKey(64, 'a');

TEST(PiiKeyFile, IsCreatedWithMode0600WhenAbsentAndNotNamed) {
    TempDir dir;
    bool created = false;
    auto key = PiiKey::load(store_in(dir), &created);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_TRUE(created);
    struct stat st {};
    ASSERT_EQ(stat((dir / "acdd.db.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600U);
    // The second start reads the same key.
    auto again = PiiKey::load(store_in(dir), &created);
    ASSERT_TRUE(again);
    EXPECT_FALSE(created);
    EXPECT_EQ(again->fingerprint(), key->fingerprint());
}

TEST(PiiKeyFile, ReadableByOtherUsersIsRefused) {
    TempDir dir;
    write_file(dir / "acdd.db.key", kHexKey, 0644);
    auto key = PiiKey::load(store_in(dir));
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find("accessible by other users (mode 0644)"), std::string::npos)
        << key.error().message;
    write_file(dir / "acdd.db.key", kHexKey, 0640);
    EXPECT_FALSE(PiiKey::load(store_in(dir)));
}

TEST(PiiKeyFile, NamedFileThatIsMissingIsRefused) {
    TempDir dir;
    StoreConfig c = store_in(dir);
    c.pii_key_file_given = true;
    auto key = PiiKey::load(c);
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find("store.pii_key_file"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(c.pii_key_file));
}

TEST(PiiKeyFile, HoldsRawBytesOrHex) {
    TempDir dir;
    write_file(dir / "acdd.db.key", kHexKey + "\n", 0600);
    auto hex = PiiKey::load(store_in(dir));
    ASSERT_TRUE(hex);
    write_file(dir / "acdd.db.key", std::string(32, '\xaa'), 0600);
    auto raw = PiiKey::load(store_in(dir));
    ASSERT_TRUE(raw);
    EXPECT_EQ(hex->fingerprint(), raw->fingerprint());
    write_file(dir / "acdd.db.key", "short", 0600);
    auto bad = PiiKey::load(store_in(dir));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("32 random bytes"), std::string::npos);
}

PiiKey test_key(std::uint8_t fill = 7) {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(fill);
    return PiiKey::from_bytes(bytes);
}

TEST(Pseudonym, IsAnHmacOfTheNormalizedNumber) {
    const PiiKey key = test_key();
    EXPECT_EQ(key.pseudonym("+352 44-11 22 21"), key.pseudonym("+35244112221"));
    EXPECT_NE(key.pseudonym("+35244112221"), key.pseudonym("35244112221"));
    EXPECT_EQ(key.pseudonym("+35244112221").size(), 64U);
    EXPECT_EQ(key.pseudonym("+35244112221").find("35244112221"), std::string::npos);
    EXPECT_NE(test_key(8).pseudonym("+35244112221"), key.pseudonym("+35244112221"));
}

TEST(Pseudonym, NormalizationKeepsDigitsAndALeadingPlus) {
    EXPECT_EQ(normalize_phone("+352 (44) 11-22.21"), "+35244112221");
    EXPECT_EQ(normalize_phone("0044+1"), "00441");
}

TEST(SealedData, OpensOnlyUnderItsPseudonymAndKey) {
    const PiiKey key = test_key();
    const std::string sealed = key.seal("{\"phone\":\"+35244112221\"}", "p1");
    EXPECT_EQ(sealed.find("35244112221"), std::string::npos);
    EXPECT_EQ(key.open(sealed, "p1"), "{\"phone\":\"+35244112221\"}");
    EXPECT_FALSE(key.open(sealed, "p2"));
    EXPECT_FALSE(test_key(9).open(sealed, "p1"));
    std::string tampered = sealed;
    tampered[15] ^= 1;
    EXPECT_FALSE(key.open(tampered, "p1"));
}

TEST(SealedData, UsesAFreshNonceEachTime) {
    const PiiKey key = test_key();
    EXPECT_NE(key.seal("same", "p"), key.seal("same", "p"));
}

// routing.md v1.1 "Quality sample": a deterministic choice keyed by the PII key, uniform over call
// ids, of quality.sample_percent of the calls.
TEST(QualitySample, TheChoiceIsDeterministicForAKeyAndUniformOverCallIds) {
    const PiiKey key = test_key();
    int selected = 0;
    constexpr int kCalls = 20000;
    for (int i = 0; i < kCalls; ++i) {
        const std::string id = "call-" + std::to_string(i);
        const bool chosen = key.quality_sample("gw1", id, 10);
        EXPECT_EQ(chosen, key.quality_sample("gw1", id, 10));
        selected += chosen ? 1 : 0;
    }
    // 10 % of 20,000: 2,000, standard deviation 42; 5 of them either side.
    EXPECT_GT(selected, 1790);
    EXPECT_LT(selected, 2210);
}

TEST(QualitySample, TheChoiceDependsOnTheKeyAndTheGateway) {
    int differ_key = 0;
    int differ_gateway = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = "c" + std::to_string(i);
        const bool a = test_key(7).quality_sample("gw1", id, 50);
        differ_key += a != test_key(8).quality_sample("gw1", id, 50) ? 1 : 0;
        differ_gateway += a != test_key(7).quality_sample("gw2", id, 50) ? 1 : 0;
    }
    EXPECT_GT(differ_key, 400);  // about 500 for independent choices
    EXPECT_GT(differ_gateway, 400);
}

TEST(QualitySample, ZeroPercentSelectsNoneAndAHundredEvery) {
    const PiiKey key = test_key();
    for (int i = 0; i < 100; ++i) {
        EXPECT_FALSE(key.quality_sample("gw1", std::to_string(i), 0));
        EXPECT_TRUE(key.quality_sample("gw1", std::to_string(i), 100));
    }
}

}  // namespace
}  // namespace acd
