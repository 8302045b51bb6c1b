# Writes a C++ source holding the dashboard's static files as byte arrays, so the hub is one binary that
# serves its own pages and never reads web files at run time.
# Usage: cmake -DOUTPUT=<file.cpp> -DASSET_LIST=<file> -P embed_assets.cmake
# where each line of ASSET_LIST is "<name>|<media type>|<path>".
cmake_minimum_required(VERSION 3.25)
if(NOT OUTPUT OR NOT ASSET_LIST)
  message(FATAL_ERROR "embed_assets.cmake needs OUTPUT and ASSET_LIST")
endif()
file(STRINGS "${ASSET_LIST}" ASSETS)

set(arrays "")
set(table "")
set(index 0)
foreach(entry IN LISTS ASSETS)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 type)
  list(GET parts 2 path)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # One line per 32 bytes keeps the generated file readable in a debugger.
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
  string(APPEND arrays "// ${name} (${size} bytes) from ${path}\nconst unsigned char kAsset${index}[] = {\n${bytes}0x00};\n\n")
  # Every embedded file is UTF-8 text; the charset is added here because ';' would split a CMake list.
  string(APPEND table "    {\"${name}\", \"${type}; charset=utf-8\", kAsset${index}, ${size}},\n")
  math(EXPR index "${index} + 1")
endforeach()

file(WRITE "${OUTPUT}.tmp"
"// Made by sync/hub/dashboard/embed_assets.cmake at build time from sync/hub/web. Do not edit.
#include \"hub/dashboard/assets.hpp\"

namespace touchpoint::hub::dashboard {
namespace {

${arrays}const EmbeddedAsset kAssets[] = {
${table}};

}  // namespace

std::span<const EmbeddedAsset> embeddedAssets() { return kAssets; }

}  // namespace touchpoint::hub::dashboard
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
