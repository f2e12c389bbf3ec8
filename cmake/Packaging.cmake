# Install rules and the Debian package (CPack DEB).
#
# `cmake --install BUILD --prefix DIR` lays out DIR/bin, DIR/lib/{systemd/system,sysusers.d,
# tmpfiles.d}, DIR/etc/homeostasisd, DIR/share/{doc,man,homeostasisd,bash-completion}. A build
# configured with CMAKE_INSTALL_PREFIX=/usr (the package build, `make deb`) puts the config in
# /etc instead, as GNUInstallDirs does for that prefix; install such a build elsewhere with
# DESTDIR.
# The binary's own rule is beside its target in daemon/CMakeLists.txt.

include(GNUInstallDirs)

# The one place the maintainer is named: the package's Maintainer field, the Upstream-Contact
# of its copyright file and the signature of its changelog entries come from here.
set(HOMEO_PACKAGE_MAINTAINER "homeostasisd maintainers <maintainers@homeostasisd.invalid>"
    CACHE STRING "Maintainer of the Debian package (Name <email>)")

# /etc for the /usr prefix (GNUInstallDirs' special case), PREFIX/etc otherwise. Relative in the
# second case so that `cmake --install --prefix` moves it along with everything else.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(HOMEO_INSTALL_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/homeostasisd")
else()
  set(HOMEO_INSTALL_CONFDIR "${CMAKE_INSTALL_SYSCONFDIR}/homeostasisd")
endif()

install(FILES ${CMAKE_SOURCE_DIR}/systemd/homeostasisd.service
        DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/homeostasisd.sysusers
        DESTINATION lib/sysusers.d RENAME homeostasisd.conf)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/homeostasisd.tmpfiles
        DESTINATION lib/tmpfiles.d RENAME homeostasisd.conf)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/config.yaml DESTINATION ${HOMEO_INSTALL_CONFDIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/record.schema.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The Grafana dashboard and the Prometheus alerting rules for the self-metrics.
install(FILES ${CMAKE_SOURCE_DIR}/dashboards/homeostasisd.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeostasisd/dashboards)
install(FILES ${CMAKE_SOURCE_DIR}/rules/homeostasisd.rules.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeostasisd/rules)
install(FILES ${CMAKE_SOURCE_DIR}/completions/homeostasisd.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME homeostasisd)

# Debian's copyright file (machine-readable, the license of LICENSE) and changelog, with the
# maintainer filled in; the changelog is compressed below.
configure_file(${CMAKE_SOURCE_DIR}/cmake/debian/copyright.in ${CMAKE_BINARY_DIR}/copyright @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/cmake/debian/changelog.in ${CMAKE_BINARY_DIR}/changelog @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/cmake/debian/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME homeostasisd)

# A stripped binary still carries the compilers' .comment and the .note section; Debian's
# dh_strip removes them, and so does this when the install strips (CPack does).
install(CODE "set(HOMEO_OBJCOPY \"${CMAKE_OBJCOPY}\")")
install(CODE [[
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND "${HOMEO_OBJCOPY}" --remove-section=.comment --remove-section=.note
                            "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/homeostasisd"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "objcopy could not remove .comment from homeostasisd")
    endif()
  endif()
]])

# Debian ships man pages and changelogs compressed (gzip -n: no name or time stamp, so builds
# are reproducible).
find_program(HOMEO_GZIP gzip REQUIRED)
set(HOMEO_MAN_PAGE ${CMAKE_BINARY_DIR}/homeostasisd.8.gz)
add_custom_command(OUTPUT ${HOMEO_MAN_PAGE}
                   COMMAND ${HOMEO_GZIP} -9 -n -c ${CMAKE_SOURCE_DIR}/docs/homeostasisd.8
                           > ${HOMEO_MAN_PAGE}
                   DEPENDS ${CMAKE_SOURCE_DIR}/docs/homeostasisd.8
                   COMMENT "Compressing the man page")
set(HOMEO_CHANGELOG ${CMAKE_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${HOMEO_CHANGELOG}
                   COMMAND ${HOMEO_GZIP} -9 -n -c ${CMAKE_BINARY_DIR}/changelog > ${HOMEO_CHANGELOG}
                   DEPENDS ${CMAKE_BINARY_DIR}/changelog
                   COMMENT "Compressing the changelog")
add_custom_target(homeo_compressed_docs ALL DEPENDS ${HOMEO_MAN_PAGE} ${HOMEO_CHANGELOG})
install(FILES ${HOMEO_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${HOMEO_CHANGELOG} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- CPack: homeostasisd_<version>_<arch>.deb in the build directory --------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME homeostasisd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${HOMEO_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "log follower that ships application errors as Homeostasis error records")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HOMEO_PACKAGE_MAINTAINER}")
# CPack puts the summary above this as the Description's first line.
# Lines of at most 79 characters: CPack indents each by one.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "homeostasisd follows application log files, recognises their format (JSON
lines, syslog, Python logging with tracebacks, Java, web server, database and
container logs, user-defined RE2 patterns, ...), turns every error into one
standardized record with host context, scrubs secrets from it and ships
records in batches to the configured transports (files, HTTP, Kafka, AMQP,
PostgreSQL, SQLite), with checkpoints for at-least-once delivery.
It runs as a hardened systemd service (Type=notify) under its own user.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends: the Debian runtime libraries the binary links (dpkg-shlibdeps, from dpkg-dev), plus
# the tools the maintainer scripts call to create the user and the state directory.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd | systemd-standalone-sysusers | systemd-sysusers, systemd | systemd-standalone-tmpfiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/cmake/debian/conffiles ${CMAKE_SOURCE_DIR}/cmake/debian/postinst
    ${CMAKE_SOURCE_DIR}/cmake/debian/prerm ${CMAKE_SOURCE_DIR}/cmake/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
# Install with DESTDIR into the staging tree so the absolute /etc destination lands in the
# package rather than on the build machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
include(CPack)
