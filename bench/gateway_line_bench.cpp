// Lines per second of the gateway line parser (include/acd/gateway_line.hpp, simdjson On-Demand)
// against its reference, the path the gateway server took before (nlohmann-json's document, then
// parse_gateway_event()), on the same lines in the same run. Run by hand (not a test): see
// docs/performance.md.
//
// The mix is what a gateway sends for a busy call center, written as a SIP gateway writes it
// (Call-IDs of about 40 bytes, E.164 callers, keys in the spec's order), 10,000 lines cycled:
// per call one call.offered (40% with `class`, 15% with `specialty`), one call.answered with the
// agent, one call.ended with a cause, and 5% of calls a call.no_answer before the answer; one
// agent.state for every ten calls; one line in a thousand refused (a field of the wrong type).
//
// Each iteration parses one line, so "Time" is ns per line and items_per_second lines per second.
// Before timing, every line is parsed by both and the answers compared (the run stops on a
// difference), and the parser's lines handed to the reference are counted (printed at the end).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "acd/gateway_line.hpp"

namespace {

using acd::GatewayLineParser;

std::vector<std::string> make_lines() {
    std::mt19937_64 rng(20261205);
    const auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
    const auto pick = [&](int n) { return int(std::uniform_int_distribution<>(0, n - 1)(rng)); };
    const char* classes[] = {"urgent", "appointment", "admin"};
    const char* specialties[] = {"cardiology", "neurology", "radiology", "pediatrics"};
    const char* causes[] = {"normal_clearing", "caller_hangup", "agent_hangup"};
    const char* states[] = {"ready", "paused", "logged_out"};
    std::vector<std::string> lines;
    std::uint64_t seq = 0;
    for (int call = 0; lines.size() < 10'000; ++call) {
        const std::string id =
            "a84b4c76e66710@pbx-" + std::to_string(100000 + call) + ".hospital.lu";
        const std::string agent = "agent" + std::to_string(pick(400));
        std::string offered = R"({"type":"call.offered","seq":)" + std::to_string(++seq) +
                              R"(,"call_id":")" + id + R"(","caller":"+352621)" +
                              std::to_string(100000 + pick(900000)) + R"(","dialed":"+35244112)" +
                              std::to_string(200 + pick(20)) + '"';
        if (chance(0.15)) offered += std::string(R"(,"specialty":")") + specialties[pick(4)] + '"';
        if (chance(0.4)) offered += std::string(R"(,"class":")") + classes[pick(3)] + '"';
        lines.push_back(offered + "}");
        if (chance(0.05)) {
            lines.push_back(R"({"type":"call.no_answer","seq":)" + std::to_string(++seq) +
                            R"(,"call_id":")" + id + R"(","agent":")" + agent + R"("})");
        }
        lines.push_back(R"({"type":"call.answered","seq":)" + std::to_string(++seq) +
                        R"(,"call_id":")" + id + R"(","agent":")" + agent + R"("})");
        lines.push_back(R"({"type":"call.ended","seq":)" + std::to_string(++seq) +
                        R"(,"call_id":")" + id + R"(","cause":")" + causes[pick(3)] + R"("})");
        if (call % 10 == 0) {
            lines.push_back(R"({"type":"agent.state","seq":)" + std::to_string(++seq) +
                            R"(,"agent":")" + agent + R"(","state":")" + states[pick(3)] +
                            R"(","reason":"break"})");
        }
        if (lines.size() % 1000 == 0) {
            lines.push_back(R"({"type":"call.ended","seq":)" + std::to_string(++seq) +
                            R"(,"call_id":42})");
        }
    }
    return lines;
}

const std::vector<std::string>& lines() {
    static const std::vector<std::string> all = make_lines();
    return all;
}

void BM_Reference(benchmark::State& state) {
    const auto& all = lines();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const std::string& line = all[i++ % all.size()];
        bytes += line.size();
        benchmark::DoNotOptimize(acd::parse_gateway_line_reference(line, "gw1"));
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(std::int64_t(bytes));
}
BENCHMARK(BM_Reference);

void BM_Parser(benchmark::State& state) {
    const auto& all = lines();
    GatewayLineParser parser;
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const std::string& line = all[i++ % all.size()];
        bytes += line.size();
        benchmark::DoNotOptimize(parser.parse(line, "gw1"));
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(std::int64_t(bytes));
}
BENCHMARK(BM_Parser);

}  // namespace

int main(int argc, char** argv) {
    // Both read every line the same way, or the comparison means nothing.
    GatewayLineParser parser;
    std::size_t total = 0;
    for (const std::string& line : lines()) {
        total += line.size();
        const auto a = parser.parse(line, "gw1");
        const auto b = acd::parse_gateway_line_reference(line, "gw1");
        if (a.ok() != b.ok() || (a.ok() && !(*a == *b))) {
            std::fprintf(stderr, "the parser and the reference differ on %s\n", line.c_str());
            return 1;
        }
    }
    const auto referred = parser.referred();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::fprintf(stderr, "%zu lines, %.1f bytes on average; %llu handed to the reference\n",
                 lines().size(), double(total) / double(lines().size()),
                 static_cast<unsigned long long>(referred));
    return 0;
}
