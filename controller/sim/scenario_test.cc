#include "controller/sim/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>

namespace vmbalance {
namespace sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ScenarioTest, ParsesEveryField) {
  StatusOr<Scenario> s = ParseScenario(R"({
    "name": "x", "pcpus": 8, "offline_pcpus": [7, 3], "host_memory_mib": 6144,
    "host_overhead_mib": 300, "noise": 0.05, "seed": 42,
    "migrate_threshold": 0.4, "cpu_quantum_ms": 10, "balloon_mib_per_s": 128,
    "guest_kernel_mib": 70, "guest_reserved_mib": 30, "epoch_s": 5,
    "last_ran_jitter": 0.25, "fail_take_at": [9, 3], "fail_calls_at": 4,
    "qemu_overhead_mib": 48, "host_holder_mib": [[0, 1000], [40, 3000]],
    "stats_period_s": 5, "lazy_backing": true,
    "domains": [
      {"name": "vm1", "uuid": "11111111-2222-3333-4444-555555555555",
       "vcpus": 2, "memory_mib": 512, "max_memory_mib": 2048, "pin": [0, 1],
       "cpu": [[0, 0.9], [30, 0.2]], "mem": [[0, 150], [10, 400]],
       "start": 2, "stop": 100, "restart_at": 40,
       "file_read_mib_per_s": 64, "file_mib": 700, "swap_mib": 256},
      {"name": "vm2", "at": [5], "cpu": [[[0, 0.5]]], "mem_workload": "grow",
       "grow_mib_per_s": 10, "balloon_driver": false,
       "stats_stale_from": 12, "restart_at": [20, 30]}]})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->name, "x");
  EXPECT_EQ(s->pcpus, 8);
  EXPECT_THAT(s->offline_pcpus, ElementsAre(3, 7));
  EXPECT_EQ(s->host_memory_mib, 6144);
  EXPECT_EQ(s->host_overhead_mib, 300);
  EXPECT_DOUBLE_EQ(s->noise, 0.05);
  EXPECT_EQ(s->seed, 42u);
  EXPECT_DOUBLE_EQ(s->migrate_threshold, 0.4);
  EXPECT_EQ(s->cpu_quantum_ms, 10);
  EXPECT_DOUBLE_EQ(s->balloon_mib_per_s, 128);
  EXPECT_EQ(s->guest_kernel_mib, 70);
  EXPECT_EQ(s->guest_reserved_mib, 30);
  EXPECT_EQ(s->epoch_s, 5);
  EXPECT_DOUBLE_EQ(s->last_ran_jitter, 0.25);
  EXPECT_THAT(s->fail_take_at, ElementsAre(3, 9));
  EXPECT_THAT(s->fail_calls_at, ElementsAre(4));
  EXPECT_EQ(s->qemu_overhead_mib, 48);
  EXPECT_DOUBLE_EQ(StepAt(s->host_holder_mib, 39), 1000);
  EXPECT_DOUBLE_EQ(StepAt(s->host_holder_mib, 40), 3000);
  EXPECT_DOUBLE_EQ(s->stats_period_s, 5);
  EXPECT_TRUE(s->lazy_backing);
  ASSERT_EQ(s->domains.size(), 2u);
  const DomainSpec& a = s->domains[0];
  EXPECT_EQ(a.uuid, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(a.vcpus, 2);
  EXPECT_THAT(a.pin, ElementsAre(0, 1));
  ASSERT_EQ(a.cpu.size(), 2u);  // one list shared by both vCPUs
  EXPECT_DOUBLE_EQ(StepAt(a.cpu[1], 29), 0.9);
  EXPECT_DOUBLE_EQ(StepAt(a.cpu[1], 30), 0.2);
  EXPECT_DOUBLE_EQ(LinearAt(a.mem, 5), 275);
  EXPECT_EQ(a.start, 2);
  EXPECT_EQ(a.stop, 100);
  EXPECT_THAT(a.restart_at, ElementsAre(40));
  EXPECT_EQ(a.mem_workload, MemWorkload::kProfile);
  EXPECT_DOUBLE_EQ(a.file_read_mib_per_s, 64);
  EXPECT_EQ(a.file_mib, 700);
  EXPECT_EQ(a.swap_mib, 256);
  const DomainSpec& b = s->domains[1];
  EXPECT_THAT(b.at, ElementsAre(5));
  EXPECT_EQ(b.mem_workload, MemWorkload::kGrow);
  EXPECT_DOUBLE_EQ(b.grow_mib_per_s, 10);
  EXPECT_FALSE(b.balloon_driver);
  EXPECT_EQ(b.stats_stale_from, 12);
  EXPECT_THAT(b.restart_at, ElementsAre(20, 30));
  EXPECT_EQ(b.max_memory_mib, 512);  // defaults to memory_mib
  EXPECT_FALSE(b.stop.has_value());
  EXPECT_DOUBLE_EQ(b.file_read_mib_per_s, 0);  // new fields default off
  EXPECT_FALSE(b.file_mib.has_value());
  EXPECT_EQ(b.swap_mib, 0);
}

TEST(ScenarioTest, DefaultsAndDeterministicUuids) {
  StatusOr<Scenario> s = ParseScenario(R"({"domains": [{"name": "vm1"}]})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->pcpus, 4);
  const DomainSpec& d = s->domains[0];
  EXPECT_EQ(d.vcpus, 1);
  EXPECT_TRUE(d.pin.empty());
  EXPECT_DOUBLE_EQ(StepAt(d.cpu[0], 10), 0);
  EXPECT_EQ(d.uuid, DeterministicUuid("vm1"));
  ASSERT_EQ(d.uuid.size(), 36u);
  for (size_t i = 0; i < d.uuid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    EXPECT_EQ(d.uuid[i] == '-', dash) << d.uuid;
    if (!dash) {
      EXPECT_TRUE(std::isxdigit(d.uuid[i]) && !std::isupper(d.uuid[i]));
    }
  }
  EXPECT_EQ(d.uuid[14], '4') << "version 4 layout: " << d.uuid;
  EXPECT_NE(DeterministicUuid("vm1"), DeterministicUuid("vm2"));
  EXPECT_NE(DeterministicUuid("ab"), DeterministicUuid("ba"));
}

TEST(ScenarioTest, SeriesHelpers) {
  std::vector<SeriesPoint> s = {{10, 1}, {20, 3}};
  EXPECT_DOUBLE_EQ(StepAt(s, 0), 1);
  EXPECT_DOUBLE_EQ(StepAt(s, 19), 1);
  EXPECT_DOUBLE_EQ(StepAt(s, 25), 3);
  EXPECT_DOUBLE_EQ(LinearAt(s, 0), 1);
  EXPECT_DOUBLE_EQ(LinearAt(s, 15), 2);
  EXPECT_DOUBLE_EQ(LinearAt(s, 99), 3);
  EXPECT_DOUBLE_EQ(StepAt({}, 3), 0);
  EXPECT_DOUBLE_EQ(LinearAt({}, 3), 0);
}

struct BadCase {
  const char* json;
  const char* message;
};

class BadScenarioTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenarioTest, IsRejectedWithAMessageNamingTheField) {
  StatusOr<Scenario> s = ParseScenario(GetParam().json);
  ASSERT_FALSE(s.ok()) << GetParam().json;
  EXPECT_THAT(s.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadScenarioTest,
    ::testing::Values(
        BadCase{"{", "not valid JSON"}, BadCase{"[1]", "expected an object"},
        BadCase{R"({"pcpus": "4"})", "pcpus: expected an integer"},
        BadCase{R"({"pcpus": 2.5})", "pcpus: expected an integer"},
        BadCase{R"({"pcpus": 0})", "pcpus: must be in [1, 65536], got 0"},
        BadCase{R"({"pcpu": 4})", "pcpu: unknown field"},
        BadCase{R"({"offline_pcpus": [0, 1, 2, 3]})", "leaves no pCPU online"},
        BadCase{R"({"offline_pcpus": [9]})", "offline_pcpus[0]: must be in"},
        BadCase{R"({"noise": -1})", "noise: must be in"},
        BadCase{R"({"domains": {}})", "domains: expected a list"},
        BadCase{R"({"domains": [5]})", "domains[0]: expected an object"},
        BadCase{R"({"domains": [{"vcpus": 1}]})", "domains[0].name: missing"},
        BadCase{R"({"domains": [{"name": ""}]})", "domains[0].name: empty"},
        BadCase{R"({"domains": [{"name": "a"}, {"name": "a"}]})",
                "domains[1].name: duplicate"},
        BadCase{R"({"domains": [{"name": "a", "uuid": "u"},
                                {"name": "b", "uuid": "u"}]})",
                "domains[1].uuid: duplicate"},
        BadCase{R"({"domains": [{"name": "a", "vcpu": 2}]})",
                "domains[0].vcpu: unknown field"},
        BadCase{R"({"domains": [{"name": "a", "pin": [4]}]})",
                "domains[0].pin[0]: must be in [0, 3], got 4"},
        BadCase{R"({"domains": [{"name": "a", "vcpus": 2, "pin": [0]}]})",
                "domains[0].pin: needs one pCPU per vCPU (2)"},
        BadCase{R"({"offline_pcpus": [1], "domains": [{"name": "a",
                    "pin": [1]}]})",
                "domains[0].pin: pCPU 1 is offline"},
        BadCase{R"({"domains": [{"name": "a", "cpu": [[0, 1.5]]}]})",
                "domains[0].cpu[0][1]: must be in [0, 1], got 1.5"},
        BadCase{R"({"domains": [{"name": "a", "cpu": [[5, 0.1], [5, 0.2]]}]})",
                "domains[0].cpu[1]: ticks must be strictly ascending"},
        BadCase{R"({"domains": [{"name": "a", "cpu": [[0]]}]})",
                "domains[0].cpu[0]: expected [tick, value]"},
        BadCase{R"({"domains": [{"name": "a", "cpu": "busy"}]})",
                "domains[0].cpu: expected a number or a list"},
        BadCase{R"({"domains": [{"name": "a", "vcpus": 2,
                    "cpu": [[[0, 0.1]]]}]})",
                "domains[0].cpu: has 1 series for 2 vCPUs"},
        BadCase{R"({"domains": [{"name": "a", "mem": [[-1, 5]]}]})",
                "domains[0].mem[0][0]: must be in"},
        BadCase{R"({"domains": [{"name": "a", "memory_mib": 1024,
                    "max_memory_mib": 512}]})",
                "domains[0].max_memory_mib: is below memory_mib"},
        BadCase{R"({"domains": [{"name": "a", "mem_workload": "leak"}]})",
                "domains[0].mem_workload: expected \"profile\" or \"grow\""},
        BadCase{R"({"domains": [{"name": "a", "balloon_driver": 1}]})",
                "domains[0].balloon_driver: expected true or false"},
        BadCase{R"({"domains": [{"name": "a", "start": 5, "stop": 5}]})",
                "domains[0].stop: must be after start"},
        BadCase{R"({"domains": [{"name": "a", "restart_at": [0]}]})",
                "domains[0].restart_at: ticks must be ascending and after"},
        BadCase{R"({"domains": [{"name": "a", "restart_at": [9, 3]}]})",
                "domains[0].restart_at: ticks must be ascending"},
        BadCase{R"({"domains": [{"name": "a", "hang": 3}]})",
                "domains[0].hang: expected an object"},
        BadCase{R"({"domains": [{"name": "a", "hang": {"ticks": 3}}]})",
                "domains[0].hang: needs from_tick and ticks"},
        BadCase{R"({"domains": [{"name": "a",
                    "hang": {"from_tick": 1, "ticks": 0}}]})",
                "domains[0].hang.ticks: must be in"},
        BadCase{R"({"domains": [{"name": "a",
                    "hang": {"from_tick": 1, "ticks": 2, "part": true}}]})",
                "domains[0].hang.part: unknown field"}));

TEST(ScenarioTest, HangWindowIsParsed) {
  StatusOr<Scenario> s = ParseScenario(R"({"domains": [{"name": "a",
      "hang": {"from_tick": 10, "ticks": 8, "partial": true}}, {"name": "b"}]})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_TRUE(s->domains[0].hang.has_value());
  EXPECT_EQ(s->domains[0].hang->from_tick, 10);
  EXPECT_EQ(s->domains[0].hang->ticks, 8);
  EXPECT_TRUE(s->domains[0].hang->partial);
  EXPECT_FALSE(s->domains[1].hang.has_value());
}

TEST(ScenarioTest, MangledInputNeverCrashes) {
  const std::string good = R"({"pcpus": 2, "offline_pcpus": [1],
    "domains": [{"name": "a", "vcpus": 2, "pin": [0, 0],
                 "cpu": [[[0, 0.5]], [[0, 0.1], [3, 1]]],
                 "mem": [[0, 1], [4, 9]], "restart_at": [3]}]})";
  ASSERT_TRUE(ParseScenario(good).ok());
  const std::string replacements = "[]{}\",:0-9.e";
  int rejected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    rejected += !ParseScenario(good.substr(0, i)).ok();  // truncated
    for (char c : replacements) {
      std::string bad = good;
      bad[i] = c;
      ParseScenario(bad);  // must return, whatever it returns
    }
  }
  EXPECT_EQ(rejected, static_cast<int>(good.size()));
}

TEST(ScenarioTest, LoadScenarioNamesTheFileAndDefaultsTheName) {
  StatusOr<Scenario> missing = LoadScenario("/nonexistent/x.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/x.json"));
  StatusOr<Scenario> s =
      LoadScenario("controller/sim/testdata/cpu_64x500.json");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->pcpus, 64);
  int vcpus = 0;
  for (const DomainSpec& d : s->domains) vcpus += d.vcpus;
  EXPECT_EQ(vcpus, 500);
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
