#include "exporter/http/bcrypt.h"

#include <string>

#include "exporter/http/basic_auth.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;

// Made by Apache's htpasswd (its own bcrypt, not libxcrypt):
//   htpasswd -bnBC 10 prom 's3cret pass'
//   htpasswd -bnBC 5 alice wonderland
constexpr char kPromHash[] =
    "$2y$10$6VEoS9jMFpTUYWccOa1gHeHkSc4PTLLm6mD6H7SE69hoRULb4klNW";
constexpr char kAliceHash[] =
    "$2y$05$NuUdxVOgiOIQqD8nSsCI6e6h.dy.2xaPaYrYsNFHHrEfpNBrmEcOu";

TEST(BcryptTest, MatchesHashesMadeByHtpasswd) {
  EXPECT_TRUE(BcryptMatches("s3cret pass", kPromHash));
  EXPECT_TRUE(BcryptMatches("wonderland", kAliceHash));
}

TEST(BcryptTest, RejectsWrongPasswords) {
  EXPECT_FALSE(BcryptMatches("s3cret pas", kPromHash));
  EXPECT_FALSE(BcryptMatches("s3cret pass ", kPromHash));
  EXPECT_FALSE(BcryptMatches("", kPromHash));
  EXPECT_FALSE(BcryptMatches("wonderland", kPromHash));
}

TEST(BcryptTest, TheSameHashUnderTheBPrefixMatchesToo) {
  std::string b = kAliceHash;
  b[2] = 'b';
  EXPECT_TRUE(CheckBcryptHash(b).ok());
  EXPECT_TRUE(BcryptMatches("wonderland", b));
}

TEST(BcryptTest, MalformedHashesAreRejectedWithAReason) {
  const std::string good = kAliceHash;
  struct Case {
    std::string hash;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not a bcrypt hash"},
           {"secret", "not a bcrypt hash"},
           {"$1$abc$def", "not a bcrypt hash"},
           {"$6$rounds=5000$salt$hash", "not a bcrypt hash"},
           {good.substr(0, 59), "59 characters"},
           {good + "x", "61 characters"},
           {good.substr(0, 20) + "!" + good.substr(21), "alphabet"},
           {"$2y$99$" + good.substr(7), "cost"},
       }) {
    Status s = CheckBcryptHash(c.hash);
    EXPECT_FALSE(s.ok()) << c.hash;
    EXPECT_THAT(s.message(), HasSubstr(c.why)) << c.hash;
    EXPECT_FALSE(BcryptMatches("wonderland", c.hash)) << c.hash;
  }
  EXPECT_TRUE(CheckBcryptHash(good).ok());
}

TEST(BasicAuthorizationTest, ParsesTheHeader) {
  std::string user, password;
  // base64("alice:won:der land")
  ASSERT_TRUE(ParseBasicAuthorization("Basic YWxpY2U6d29uOmRlciBsYW5k", &user,
                                      &password));
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(password, "won:der land");
  ASSERT_TRUE(ParseBasicAuthorization("basic YTpi", &user, &password));
  EXPECT_EQ(user, "a");
  EXPECT_EQ(password, "b");
  for (const char* bad : {"", "Bearer YTpi", "Basic", "Basic !!!!",
                          "Basic YWxpY2U=" /* no colon */, "Basic YTpiYw"}) {
    EXPECT_FALSE(ParseBasicAuthorization(bad, &user, &password)) << bad;
  }
  EXPECT_FALSE(ParseBasicAuthorization(nullptr, &user, &password));
}

TEST(BasicAuthTest, LetsInTheRightUserOnly) {
  BasicAuth auth({{"prom", kPromHash}, {"alice", kAliceHash}});
  EXPECT_TRUE(auth.enabled());
  // base64("prom:s3cret pass"), twice: the second answer is remembered.
  EXPECT_TRUE(auth.Allows("Basic cHJvbTpzM2NyZXQgcGFzcw=="));
  EXPECT_TRUE(auth.Allows("Basic cHJvbTpzM2NyZXQgcGFzcw=="));
  EXPECT_TRUE(auth.Allows("Basic YWxpY2U6d29uZGVybGFuZA=="));  // alice
  EXPECT_FALSE(auth.Allows("Basic cHJvbTp3cm9uZw=="));         // prom:wrong
  EXPECT_FALSE(auth.Allows("Basic Ym9iOndvbmRlcmxhbmQ="));     // bob:wonderland
  EXPECT_FALSE(auth.Allows("Basic YWxpY2U6czNjcmV0IHBhc3M="));  // alice, prom's
  EXPECT_FALSE(auth.Allows(nullptr));
}

TEST(BasicAuthTest, NoUsersLetsEveryoneIn) {
  BasicAuth auth({});
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.Allows(nullptr));
}

}  // namespace
}  // namespace vmbalance
