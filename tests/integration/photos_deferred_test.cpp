// Deferred photo renditions (RENDITIONS=deferred, the shape of the Lambda package, which has no libvips) over
// real HTTP, on SQLite and DynamoDB Local: attaching answers without renditions and marks the photo in the
// sparse index; the rendition worker (`kefir renditions --once`, a process of its own on the same store)
// makes them upright and without GPS, and the public page shows the photo from then on. Two workers never
// render one photo; a photo another worker leases is left to it until the lease ends; a file no renditions
// can be made of is removed with a `note` event; a deleted photo or batch leaves nothing behind. Last,
// `kefir serve` with libvips runs the worker by itself.
#include <cstdlib>
#include <future>
#include <set>
#include <thread>

#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "integration/on_each_store.hpp"
#include "integration/photos_support.hpp"
#include "util/time.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

// What one `kefir renditions --once` printed: the photos it rendered and those it removed.
struct WorkerPass {
  int exit_code = -1;
  std::vector<std::string> rendered;
  std::vector<std::string> removed;  // "<photoKey>: it <reason>"
  std::string output;
};

class DeferredRenditions : public OnEachStoreTest {
 protected:
  // The server's own worker would take the photos away from the tests' workers: it waits an hour.
  std::map<std::string, std::string> server_env() override {
    return {{"RENDITIONS", "deferred"}, {"RENDITION_INTERVAL", "3600"}};
  }

  void SetUp() override {
    OnEachStoreTest::SetUp();
    auto user = sign_in_user("deferred");
    brewer_ = std::make_unique<Brewer>(Brewer{user.user_id, user.api});
    batch_id_ = create_batch(*brewer_, {{"isPublic", true}});
    store_ = open_store();
  }

  // Attaches `bytes` as a photo of `batch_id` (the test's batch by default); the attach call must succeed.
  std::string attach(const std::string& bytes, const std::string& content_type, std::string batch_id = "") {
    if (batch_id.empty()) batch_id = batch_id_;
    auto upload = request_upload(*brewer_, batch_id, content_type);
    EXPECT_EQ(put_blob(upload.url, content_type, bytes).status, 200);
    auto attached = brewer_->api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}});
    EXPECT_EQ(attached.status, 200) << attached.body;
    return upload.photo_key;
  }

  WorkerPass run_worker() {
    auto env = server_env();
    if (GetParam() == "dynamodb") env.merge(dynamodb_local_env(table_));
    env["DATA_DIR"] = server_->data_dir();
    // LeakSanitizer's exit check crashes now and then on libvips' worker threads ("Tracer caught signal
    // 11"), so the worker goes without it, as every test's server does (they end by SIGKILL).
    const char* asan_options = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] = std::string(asan_options ? asan_options : "") + ":detect_leaks=0";
    auto result = run_kefir({"renditions", "--once"}, env);
    WorkerPass pass{result.exit_code, {}, {}, result.out + result.err};
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("rendered ")) pass.rendered.push_back(line.substr(9));
      if (line.starts_with("removed ")) pass.removed.push_back(line.substr(8));
    }
    EXPECT_EQ(pass.exit_code, 0) << pass.output;
    return pass;
  }

  fs::path blob_path(const std::string& key) const { return fs::path(server_->data_dir()) / "blobs" / key; }

  bool has_renditions(const std::string& key) const {
    for (auto rendition : photo::kRenditions)
      if (!fs::exists(blob_path(photo::rendition_key(key, rendition)))) return false;
    return true;
  }

  std::size_t public_photos() const {
    auto page = ApiClient(server_->base_url()).get("/public/b/" + batch_id_);
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("batch").at("photos").as_array().size();
  }

  std::optional<store::Item> photo_item(const std::string& key) {
    return store_->get(keys::photo(brewer_->user_id, key));
  }

  // Moves the photo's index entry to `claimable_at`, as a worker's lease does.
  void lease_until(const std::string& key, TimePoint claimable_at) {
    store::Update lease;
    lease.set["GSI1SK"] = keys::rendition_gsi1sk(format_rfc3339(claimable_at), key);
    store_->update(keys::photo(brewer_->user_id, key), lease, store::Condition::exists("GSI1PK"));
  }

  std::unique_ptr<Brewer> brewer_;
  std::string batch_id_;
  std::unique_ptr<store::ItemStore> store_;
  TempDir scratch_;
};

TEST_P(DeferredRenditions, AttachAnswersAtOnceAndTheWorkerMakesUprightRenditionsWithoutGps) {
  auto original = read_file(photo_fixture("rotated-gps.jpg"));
  auto key = attach(original, "image/jpeg");
  EXPECT_FALSE(has_renditions(key));
  EXPECT_EQ(public_photos(), 0u) << "never the original on the public page";
  auto pending = photo_item(key);
  ASSERT_TRUE(pending);
  EXPECT_EQ(json_string(*pending, "GSI1PK"), keys::rendition_shard(key));
  auto listed = brewer_->api.get("/batches/" + batch_id_ + "/photos?size=320").json().at("photos").at(0);
  EXPECT_TRUE(get_url(std::string(listed.at("url").as_string())).body == original)
      << "the owner sees the original meanwhile";

  auto pass = run_worker();
  EXPECT_EQ(pass.rendered, std::vector<std::string>{key}) << pass.output;
  EXPECT_NE(pass.output.find("1 photos rendered, 0 removed"), std::string::npos) << pass.output;
  for (const char* query : {"?size=320", "?size=320&format=jpeg", "?size=1280", "?size=1280&format=jpeg"}) {
    SCOPED_TRACE(query);
    auto photo = brewer_->api.get("/batches/" + batch_id_ + "/photos" + query).json().at("photos").at(0);
    auto download = get_url(std::string(photo.at("url").as_string()));
    ASSERT_EQ(download.status, 200);
    expect_upright_without_gps(download.body, std::string_view(query).find("jpeg") == std::string_view::npos,
                               scratch_);
  }
  EXPECT_TRUE(read_file(blob_path(key)) == original) << "the original stays as uploaded";
  EXPECT_EQ(public_photos(), 1u);
  EXPECT_FALSE(photo_item(key)->contains("GSI1PK")) << "off the index";
  EXPECT_TRUE(run_worker().rendered.empty()) << "nothing left to do";
}

TEST_P(DeferredRenditions, TwoWorkersNeverRenderOnePhotoTwice) {
  std::set<std::string> attached;
  for (int i = 0; i < 8; ++i)
    attached.insert(attach(image_bytes("image/jpeg", "photo " + std::to_string(i)), "image/jpeg"));
  auto first = std::async(std::launch::async, [this] { return run_worker(); });
  auto second = std::async(std::launch::async, [this] { return run_worker(); });
  auto one = first.get(), other = second.get();
  std::multiset<std::string> rendered(one.rendered.begin(), one.rendered.end());
  rendered.insert(other.rendered.begin(), other.rendered.end());
  EXPECT_EQ(rendered, std::multiset<std::string>(attached.begin(), attached.end()))
      << "each photo rendered exactly once\n"
      << one.output << "\n"
      << other.output;
  for (const auto& key : attached) EXPECT_TRUE(has_renditions(key)) << key;
}

TEST_P(DeferredRenditions, APhotoAnotherWorkerLeasesIsLeftToItUntilTheLeaseEnds) {
  auto key = attach(image_bytes("image/png"), "image/png");
  lease_until(key, clock_.now() + std::chrono::hours(1));
  EXPECT_TRUE(run_worker().rendered.empty());
  EXPECT_FALSE(has_renditions(key));
  // That worker died: its lease ends and the photo is anyone's again.
  lease_until(key, clock_.now() - std::chrono::seconds(1));
  EXPECT_EQ(run_worker().rendered, std::vector<std::string>{key});
  EXPECT_TRUE(has_renditions(key));
}

TEST_P(DeferredRenditions, BombAndCorruptImagesAreRemovedWithANoteOnTheTimeline) {
  auto bomb = attach(read_file(photo_fixture("bomb.png")), "image/png");
  auto jpeg = image_bytes("image/jpeg");
  auto corrupt = attach(jpeg.substr(0, jpeg.size() / 2), "image/jpeg");
  auto fine = attach(image_bytes("image/webp"), "image/webp");

  auto pass = run_worker();
  EXPECT_EQ(pass.rendered, std::vector<std::string>{fine}) << pass.output;
  ASSERT_EQ(pass.removed.size(), 2u) << pass.output;
  for (const auto& key : {bomb, corrupt}) {
    EXPECT_FALSE(fs::exists(blob_path(key))) << key;
    for (auto rendition : photo::kRenditions)
      EXPECT_FALSE(fs::exists(blob_path(photo::rendition_key(key, rendition))));
    EXPECT_FALSE(photo_item(key)) << key;
  }
  auto batch = brewer_->api.get("/batches/" + batch_id_).json().at("batch");
  EXPECT_EQ(batch.at("photoKeys").as_array(), json::array{json::value(fine)});
  std::vector<std::string> notes;
  for (const auto& event : list_all(brewer_->api, "/batches/" + batch_id_ + "/events", "events", 100))
    if (event.at("type") == "note" && text(event.at("description")).starts_with("Photo removed: it "))
      notes.push_back(text(event.at("description")));
  ASSERT_EQ(notes.size(), 2u);
  auto said = [&](const std::string& words) {
    return std::any_of(notes.begin(), notes.end(),
                       [&](const auto& note) { return note.find(words) != std::string::npos; });
  };
  EXPECT_TRUE(said("30000 x 30000 pixels")) << notes[0] << " / " << notes[1];
  EXPECT_TRUE(said("not a readable image")) << notes[0] << " / " << notes[1];
  EXPECT_EQ(public_photos(), 1u);
}

TEST_P(DeferredRenditions, ADeletedPhotoOrBatchLeavesNothingBehind) {
  auto deleted = attach(image_bytes("image/jpeg", "deleted"), "image/jpeg");
  auto kept = attach(image_bytes("image/jpeg", "kept"), "image/jpeg");
  auto other_batch = create_batch(*brewer_);
  auto in_other_batch = attach(image_bytes("image/jpeg", "other"), "image/jpeg", other_batch);
  ASSERT_EQ(
      brewer_->api.del("/batches/" + batch_id_ + "/photos/" + deleted.substr(deleted.rfind('/') + 1)).status,
      204);
  ASSERT_EQ(brewer_->api.del("/batches/" + other_batch + "?permanent=true").status, 204);

  EXPECT_EQ(run_worker().rendered, std::vector<std::string>{kept});
  EXPECT_TRUE(has_renditions(kept));
  for (const auto& key : {deleted, in_other_batch}) {
    EXPECT_FALSE(fs::exists(blob_path(key))) << key;
    for (auto rendition : photo::kRenditions)
      EXPECT_FALSE(fs::exists(blob_path(photo::rendition_key(key, rendition))));
  }
  EXPECT_FALSE(fs::exists(blob_path(in_other_batch).parent_path()));
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, DeferredRenditions, ::testing::Values("sqlite", "dynamodb"));

TEST(DeferredRenditionsInServe, ServeWithLibvipsRendersDeferredPhotosByItself) {
  ServerProcess server({.env = {{"RENDITIONS", "deferred"}, {"RENDITION_INTERVAL", "1"}}});
  auto brewer = sign_up(server);
  auto batch_id = create_batch(brewer, {{"isPublic", true}});
  auto key = add_photo(brewer, batch_id, "by serve");
  ApiClient anonymous(server.base_url());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t shown = 0;
  while (shown == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    shown = anonymous.get("/public/b/" + batch_id).json().at("batch").at("photos").as_array().size();
  }
  EXPECT_EQ(shown, 1u) << "the public page shows the photo once serve's worker made its renditions";
  EXPECT_FALSE(server
                   .wait_for_output(
                       [&](const std::string& line) {
                         return line.find("photo renditions made") != std::string::npos &&
                                line.find(key) != std::string::npos;
                       },
                       std::chrono::seconds(1))
                   .empty());
}

TEST(DeferredRenditionsInServe, AnUnknownRenditionsModeIsAConfigurationError) {
  TempDir data_dir;
  auto result = run_kefir({"renditions", "--once"}, {{"DATA_DIR", data_dir.str()}, {"RENDITIONS", "later"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("RENDITIONS: must be one of inline, deferred (got 'later')"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace kefir::test::photos
