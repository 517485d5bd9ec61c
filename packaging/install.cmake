# Install rules (docs/operations.md "Install") and the Debian package (cpack -G DEB).
#
# Programs, manual pages and documentation go under the install prefix (GNUInstallDirs). The
# configuration and the systemd unit follow Debian: with the prefix /usr, which is what the
# package uses, they go to /etc/acdd/acdd.json and /lib/systemd/system/acdd.service; with any
# other prefix (`cmake --install build --prefix /tmp/x`, /usr/local) they stay under it:
# <prefix>/etc/acdd/acdd.json, <prefix>/lib/systemd/system/acdd.service. The choice is made when
# installing, since `cmake --install --prefix` and CPack set the prefix only then.
include(GNUInstallDirs)

set(ACD_SYSTEMD_UNITDIR "" CACHE STRING
    "Where acdd.service goes; empty: /lib/systemd/system for the prefix /usr, else <prefix>/lib/systemd/system")

install(TARGETS acdd acdctl acd-sim acd-load acd-kamailio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Kamailio's configuration for acd-kamailio (docs/telephony.md): a hospital copies it next to its
# own Kamailio configuration, or runs it as it is with `kamailio -f`.
install(FILES ${PROJECT_SOURCE_DIR}/config/kamailio/acdd.cfg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/acdd/kamailio)
# Manual pages compressed, as Debian has them (gzip -n: the same bytes on every build), each in
# the section its name ends with (acdd.json.5 in man5).
set(ACD_MAN_PAGES)
foreach(page acdd.8 acdctl.8 acd-kamailio.8 acdd.json.5 acd-sim.1 acd-load.1)
  string(REGEX REPLACE ".*\\." "" section ${page})
  set(out ${CMAKE_BINARY_DIR}/man/man${section}/${page}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man/man${section}
    COMMAND sh -c "gzip -9n < '${PROJECT_SOURCE_DIR}/man/${page}' > '${out}'"
    DEPENDS ${PROJECT_SOURCE_DIR}/man/${page} VERBATIM)
  list(APPEND ACD_MAN_PAGES ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(acd_man_pages ALL DEPENDS ${ACD_MAN_PAGES})
# The web pages (docs/web.md): acdd finds them in share/acdd/web beside its bin folder.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/acdd/web)
file(GLOB ACD_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${ACD_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/simulator DESTINATION ${CMAKE_INSTALL_DOCDIR})

# CMAKE_INSTALL_SYSCONFDIR is "etc" unless given; an absolute value is used as it is.
install(CODE "
  set(acd_sysconfdir \"${CMAKE_INSTALL_SYSCONFDIR}\")
  set(acd_unitdir \"${ACD_SYSTEMD_UNITDIR}\")
  if(NOT IS_ABSOLUTE \"\${acd_sysconfdir}\")
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
      set(acd_sysconfdir \"/\${acd_sysconfdir}\")
    else()
      set(acd_sysconfdir \"\${CMAKE_INSTALL_PREFIX}/\${acd_sysconfdir}\")
    endif()
  endif()
  if(acd_unitdir STREQUAL \"\")
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
      set(acd_unitdir \"/lib/systemd/system\")
    else()
      set(acd_unitdir \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
    endif()
  elseif(NOT IS_ABSOLUTE \"\${acd_unitdir}\")
    set(acd_unitdir \"\${CMAKE_INSTALL_PREFIX}/\${acd_unitdir}\")
  endif()
  file(INSTALL \"${PROJECT_SOURCE_DIR}/config/acdd.dist.json\"
       DESTINATION \"\${acd_sysconfdir}/acdd\" RENAME acdd.json
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  file(INSTALL \"${PROJECT_SOURCE_DIR}/config/acd-kamailio.dist.json\"
       DESTINATION \"\${acd_sysconfdir}/acdd\" RENAME acd-kamailio.json
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  file(INSTALL \"${PROJECT_SOURCE_DIR}/config/acdd.service\"
               \"${PROJECT_SOURCE_DIR}/config/acd-kamailio.service\"
       DESTINATION \"\${acd_unitdir}\"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

# --- The Debian package: cpack -G DEB in the build folder -----------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME acdd)
set(CPACK_PACKAGE_VENDOR "acdd")
set(CPACK_PACKAGE_CONTACT "acdd maintainers <maintainers@users.noreply.h-seed-c0ab4f01.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "automatic call distribution daemon for hospital call centers")
set(CPACK_PACKAGE_DESCRIPTION
    "acdd routes the calls a telephony gateway reports to trained agents through per-specialty
priority queues, spills over to an external team, and keeps a tamper-evident audit log in
SQLite. The package holds acdd, its admin client acdctl, acd-sim and acd-load, acd-kamailio
(the bridge to Kamailio) with Kamailio's configuration, the systemd units (not enabled),
/etc/acdd/acdd.json, /etc/acdd/acd-kamailio.json and the documentation.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # acdd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries' packages come from dpkg-shlibdeps (dpkg-dev); adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# CPack 3.25 does not mark files in /etc as conffiles by itself: packaging/debian/conffiles.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
