# Read by cpack before it builds each package (CPACK_PROJECT_CONFIG_FILE).
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_TOUCHPOINT_CONFIGURED_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "touchpoint packages: this build tree was configured with CMAKE_INSTALL_PREFIX="
    "${CPACK_TOUCHPOINT_CONFIGURED_PREFIX}, but the packages install under /usr and the programs look for "
    "their assets under the configured prefix. Configure with -DCMAKE_INSTALL_PREFIX=/usr and rebuild.")
endif()
