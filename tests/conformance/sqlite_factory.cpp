#include "adapters/sqlite/sqlite_item_store.hpp"
#include "conformance/store_factories.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

// Each test gets its own database file; the directory goes away when the suite exits.
const StoreFactoryRegistration sqlite_registration{{
    "sqlite",
    [](const Clock& clock) -> std::unique_ptr<store::ItemStore> {
      static TempDir directory;
      auto file = directory.path() / ("conformance-" + unique_suffix() + ".db");
      return std::make_unique<store::SqliteItemStore>(file.string(), clock);
    },
    true,
    {},
}};

}  // namespace
}  // namespace kefir::test
