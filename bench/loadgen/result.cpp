#include "bench/loadgen/result.hpp"

#include <algorithm>

namespace echolab::loadgen {

const char* to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::ok:
            return "ok";
        case Verdict::mismatch:
            return "mismatch";
        case Verdict::stalled:
            return "stalled";
        case Verdict::server_failed:
            return "server failed";
    }
    return "?";
}

void Fairness::add(std::uint64_t round_trips) noexcept {
    min = connections == 0 ? round_trips : std::min(min, round_trips);
    max = std::max(max, round_trips);
    starved += round_trips == 0 ? 1 : 0;
    ++connections;
}

void Fairness::merge(const Fairness& other) noexcept {
    if (other.connections == 0) {
        return;
    }
    min = connections == 0 ? other.min : std::min(min, other.min);
    max = std::max(max, other.max);
    starved += other.starved;
    connections += other.connections;
}

void merge_into(RunResult& total, const RunResult& part) {
    if (part.verdict == Verdict::stalled && total.verdict == Verdict::ok) {
        total.verdict = part.verdict;
        total.detail = part.detail;
    }
    total.completed += part.completed;
    total.latency.merge(part.latency);
    total.service_latency.merge(part.service_latency);
    total.connect_latency.merge(part.connect_latency);
    total.first_echo_latency.merge(part.first_echo_latency);
    total.messages_sent += part.messages_sent;
    total.messages_verified += part.messages_verified;
    total.bytes_sent += part.bytes_sent;
    total.bytes_received += part.bytes_received;
    total.connections_opened += part.connections_opened;
    total.open_loop.scheduled += part.open_loop.scheduled;
    total.open_loop.started += part.open_loop.started;
    total.open_loop.max_lag_ns =
        std::max(total.open_loop.max_lag_ns, part.open_loop.max_lag_ns);
    total.fairness.merge(part.fairness);
    total.errors.merge(part.errors);
}

void settle_verdict(RunResult& result) {
    const ErrorCounts& e = result.errors;
    if (e.count(ErrorKind::mismatch) != 0) {
        result.verdict = Verdict::mismatch;
        result.detail = e.first(ErrorKind::mismatch);
        return;
    }
    if (result.verdict == Verdict::stalled) {
        return;
    }
    for (ErrorKind kind :
         {ErrorKind::refused, ErrorKind::reset, ErrorKind::closed,
          ErrorKind::timeout, ErrorKind::other}) {
        if (e.count(kind) != 0) {
            result.verdict = Verdict::server_failed;
            result.detail = e.first(kind);
            return;
        }
    }
    result.verdict = Verdict::ok;
}

int exit_status(const RunResult& result) noexcept {
    return result.verdict == Verdict::ok ? 0 : 1;
}

}  // namespace echolab::loadgen
