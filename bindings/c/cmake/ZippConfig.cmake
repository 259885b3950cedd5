# CMake package file for libzipp: find_package(Zipp) gives the imported target Zipp::zipp
# (the shared library, with zipp.h and zipp.hpp on its include path; zipp.hpp needs C++17).
# Installed by bindings/c/install.sh into <prefix>/lib/cmake/Zipp; relocatable.

get_filename_component(_ZIPP_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(WIN32)
  set(_ZIPP_LIBRARY "${_ZIPP_PREFIX}/bin/zipp.dll")
  set(_ZIPP_IMPLIB "${_ZIPP_PREFIX}/lib/zipp.dll.lib")
elseif(APPLE)
  set(_ZIPP_LIBRARY "${_ZIPP_PREFIX}/lib/libzipp.dylib")
else()
  set(_ZIPP_LIBRARY "${_ZIPP_PREFIX}/lib/libzipp.so")
endif()

if(NOT EXISTS "${_ZIPP_LIBRARY}" OR NOT EXISTS "${_ZIPP_PREFIX}/include/zipp.h")
  set(Zipp_FOUND FALSE)
  set(Zipp_NOT_FOUND_MESSAGE "libzipp is not complete under ${_ZIPP_PREFIX} (${_ZIPP_LIBRARY}, include/zipp.h)")
  return()
endif()

if(NOT TARGET Zipp::zipp)
  add_library(Zipp::zipp SHARED IMPORTED)
  set_target_properties(Zipp::zipp PROPERTIES
    IMPORTED_LOCATION "${_ZIPP_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${_ZIPP_PREFIX}/include")
  if(WIN32)
    set_target_properties(Zipp::zipp PROPERTIES IMPORTED_IMPLIB "${_ZIPP_IMPLIB}")
  endif()
endif()

set(Zipp_INCLUDE_DIRS "${_ZIPP_PREFIX}/include")
set(Zipp_LIBRARIES Zipp::zipp)
unset(_ZIPP_LIBRARY)
unset(_ZIPP_IMPLIB)
