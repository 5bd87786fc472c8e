// Deadline-bounded gather, decision and barrier over MPI point-to-point messages.
#include "apps/mpi/rank_channel.hpp"

#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"

#include <chrono>
#include <thread>

namespace gpucert::coll::mpi {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::microseconds(200);
constexpr int kTagSpace = 30000; // below the MPI-guaranteed MPI_TAG_UB of 32767

bool expired(Clock::time_point start, double timeout_s) {
  return std::chrono::duration<double>(Clock::now() - start).count() > timeout_s;
}

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING] = {};
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw EnvironmentError(std::string(what) + ": " + text);
  }
}

} // namespace

RankChannel::RankChannel(MPI_Comm comm) : comm_(comm) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

RankChannel::~RankChannel() {
  // Sends still in flight belong to a run that is ending: let MPI_Finalize or MPI_Abort take them.
  for (auto& s : sends_)
    if (s.request != MPI_REQUEST_NULL)
      MPI_Request_free(&s.request);
}

int RankChannel::next_tag() {
  return 1 + (seq_++ % kTagSpace);
}

void RankChannel::progress_sends() {
  for (auto it = sends_.begin(); it != sends_.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? sends_.erase(it) : it + 1;
  }
}

RankChannel::Gathered RankChannel::gather(const nlohmann::json& mine, double timeout_s) {
  const int tag = next_tag();
  Gathered g;
  if (!root()) {
    PendingSend s;
    s.buffer = std::make_unique<std::string>(mine.dump());
    check(MPI_Isend(s.buffer->data(), static_cast<int>(s.buffer->size()), MPI_CHAR, 0, tag, comm_,
                    &s.request),
          "MPI_Isend");
    sends_.push_back(std::move(s));
    progress_sends();
    return g;
  }
  g.payloads.assign(static_cast<size_t>(size_), std::nullopt);
  g.payloads[0] = mine;
  std::vector<int> waiting;
  for (int r = 1; r < size_; ++r)
    waiting.push_back(r);
  const auto start = Clock::now();
  while (!waiting.empty()) {
    bool got = false;
    for (auto it = waiting.begin(); it != waiting.end();) {
      int flag = 0;
      MPI_Status st;
      check(MPI_Iprobe(*it, tag, comm_, &flag, &st), "MPI_Iprobe");
      if (!flag) {
        ++it;
        continue;
      }
      int count = 0;
      MPI_Get_count(&st, MPI_CHAR, &count);
      std::string text(static_cast<size_t>(count), '\0');
      check(MPI_Recv(text.data(), count, MPI_CHAR, *it, tag, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
      try {
        // The guarded parser: a rank's report is bounded in depth and number length too.
        g.payloads[static_cast<size_t>(*it)] =
            parse_json_text(text, "report of rank " + std::to_string(*it));
      } catch (const std::exception& e) {
        throw InternalError("rank " + std::to_string(*it) +
                            " sent a malformed report: " + e.what());
      }
      it = waiting.erase(it);
      got = true;
    }
    if (waiting.empty() || expired(start, timeout_s))
      break;
    if (!got)
      std::this_thread::sleep_for(kPoll);
  }
  g.missing = waiting;
  return g;
}

std::optional<int> RankChannel::decide(int decision, double timeout_s) {
  const int tag = next_tag();
  if (root()) {
    for (int r = 1; r < size_; ++r) {
      PendingSend s;
      s.buffer =
          std::make_unique<std::string>(reinterpret_cast<const char*>(&decision), sizeof decision);
      check(MPI_Isend(s.buffer->data(), 1, MPI_INT, r, tag, comm_, &s.request), "MPI_Isend");
      sends_.push_back(std::move(s));
    }
    progress_sends();
    return decision;
  }
  int value = 0;
  MPI_Request req = MPI_REQUEST_NULL;
  check(MPI_Irecv(&value, 1, MPI_INT, 0, tag, comm_, &req), "MPI_Irecv");
  const auto start = Clock::now();
  while (true) {
    int done = 0;
    check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    progress_sends();
    if (done)
      return value;
    if (expired(start, timeout_s)) {
      MPI_Cancel(&req);
      MPI_Request_free(&req);
      return std::nullopt;
    }
    std::this_thread::sleep_for(kPoll);
  }
}

bool RankChannel::barrier(double timeout_s) {
  MPI_Request req = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(comm_, &req), "MPI_Ibarrier");
  const auto start = Clock::now();
  while (true) {
    int done = 0;
    check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    progress_sends();
    if (done)
      return true;
    if (expired(start, timeout_s)) {
      MPI_Request_free(&req); // an incomplete barrier cannot be cancelled; the run is aborting
      return false;
    }
    std::this_thread::sleep_for(kPoll);
  }
}

void RankChannel::broadcast(void* data, int bytes) {
  check(MPI_Bcast(data, bytes, MPI_BYTE, 0, comm_), "MPI_Bcast");
}

} // namespace gpucert::coll::mpi
