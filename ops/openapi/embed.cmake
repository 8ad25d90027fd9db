# Embeds docs/openapi.json (generated from docs/openapi.yaml by ops/openapi/build-json) into kefir_core as
# kefir::api::openapi_json(), served at GET /openapi.json. Read at configure time; CMake re-runs when it changes.
set(KEFIR_OPENAPI_JSON ${CMAKE_SOURCE_DIR}/docs/openapi.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KEFIR_OPENAPI_JSON})
file(READ ${KEFIR_OPENAPI_JSON} KEFIR_OPENAPI_JSON_TEXT)
configure_file(${CMAKE_CURRENT_LIST_DIR}/openapi_document.cpp.in ${CMAKE_BINARY_DIR}/generated/openapi_document.cpp
               @ONLY)
target_sources(kefir_core PRIVATE ${CMAKE_BINARY_DIR}/generated/openapi_document.cpp)
