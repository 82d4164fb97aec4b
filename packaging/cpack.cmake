# The Debian package (issue 25), built by scripts/package: a build with
# -DOAKGATE_PACKAGE=ON -DCMAKE_INSTALL_PREFIX=/usr, then `cpack -G DEB`. Only with
# OAKGATE_PACKAGE, so a plain `cmake --install` keeps installing the binary and templates only.
option(OAKGATE_PACKAGE "Install the unit, Nginx template, docs and /etc/oakgate for the .deb" OFF)
if(NOT OAKGATE_PACKAGE)
  return()
endif()

include(GNUInstallDirs)
set(_pkg ${CMAKE_SOURCE_DIR}/packaging/debian)
set(_gen ${CMAKE_BINARY_DIR}/packaging)
set(OAKGATE_DEB_RELEASE 1)
set(OAKGATE_DEB_VERSION "${PROJECT_VERSION}-${OAKGATE_DEB_RELEASE}")
set(OAKGATE_DEB_MAINTAINER "oakgate maintainers <oakgate@example.org>")

# The unit as packaged: the one binary and templates under /usr rather than a build per colour
# under /opt/oakgate/<colour>/ (the layout scripts/bluegreen installs).
file(READ ${CMAKE_SOURCE_DIR}/systemd/oakgate@.service _unit)
string(REPLACE "/opt/oakgate/%i/bin/oakgate" "${CMAKE_INSTALL_FULL_BINDIR}/oakgate" _unit "${_unit}")
string(REPLACE "/opt/oakgate/%i/share/oakgate/templates"
               "${CMAKE_INSTALL_FULL_DATADIR}/oakgate/templates" _unit "${_unit}")
string(REPLACE "file:/opt/oakgate/%i/share/doc/oakgate" "file:${CMAKE_INSTALL_FULL_DOCDIR}"
               _unit "${_unit}")
string(REPLACE "# Each colour runs its own installed build from /opt/oakgate/<colour>/, so a rollback is a\n# switch back to the colour that still holds the previous version (scripts/bluegreen).\n"
               "# Installed by the Debian package: both colours run /usr/bin/oakgate. (A checkout's\n# scripts/bluegreen installs a build per colour under /opt/oakgate/<colour>/ instead.)\n"
               _unit "${_unit}")
file(WRITE ${_gen}/oakgate@.service "${_unit}")

# Debian's changelog, compressed without a timestamp (Debian policy §12.7).
file(WRITE ${_gen}/changelog.Debian
     "oakgate (${OAKGATE_DEB_VERSION}) bookworm; urgency=medium\n\n"
     "  * Package built by CPack from the oakgate sources (scripts/package).\n\n"
     " -- ${OAKGATE_DEB_MAINTAINER}  Fri, 04 Dec 2026 00:00:00 +0000\n")
execute_process(COMMAND gzip -9nf ${_gen}/changelog.Debian)

install(FILES ${_gen}/oakgate@.service DESTINATION /lib/systemd/system)
install(FILES nginx/oakgate.conf.in nginx/live-colour.conf nginx/README
        DESTINATION ${CMAKE_INSTALL_DATADIR}/oakgate/nginx)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES ${_pkg}/copyright ${_gen}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The example configuration, as conffiles (packaging/debian/conffiles): dpkg keeps an
# operator's edits on upgrade and removes them on purge.
install(FILES systemd/common.env.example DESTINATION /etc/oakgate RENAME common.env)
install(FILES systemd/blue.env.example DESTINATION /etc/oakgate RENAME blue.env)
install(FILES systemd/green.env.example DESTINATION /etc/oakgate RENAME green.env)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME oakgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${OAKGATE_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OAuth 2.0 authorization server and credential gateway")
# The extended description only: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "oakgate signs browsers in, issues opaque tokens with the authorization-code\n"
    "flow and PKCE, introspects and revokes them, manages API keys and answers\n"
    "/v1/validate for AI agents. All state lives in PostgreSQL, and it runs as a\n"
    "blue/green pair of systemd units behind Nginx.")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${OAKGATE_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${OAKGATE_DEB_MAINTAINER}")
# Shared libraries by dpkg-shlibdeps; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql (>= 15)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pkg}/postinst;${_pkg}/prerm;${_pkg}/postrm;${_pkg}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
