# Shared build settings for every Cairn target.

# cairn_target_defaults(TARGET [TEST])
#   Warnings, strict Qt string handling and the project's compile definitions. Product code
#   (core, ui, app) gets every strict string macro; TEST targets may build QStrings from ASCII
#   literals, which keeps data tables readable (`<< QStringList{"a", "b"}`).
function(cairn_target_defaults target)
    cmake_parse_arguments(ARG "TEST" "" "" ${ARGN})
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                             -Wnon-virtual-dtor -Wcast-align -Wnull-dereference)
    if(CAIRN_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(NOT ARG_TEST)
        target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII)
    endif()
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_BYTEARRAY
        QT_USE_QSTRINGBUILDER
        QT_NO_FOREACH
        QT_NO_URL_CAST_FROM_STRING
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_STRICT_ITERATORS)
endfunction()

# cairn_add_test(NAME SOURCES src... [LIBS lib...] [GUI] [TIMEOUT seconds] [LABELS l...])
#   Builds one Qt Test executable and registers it with CTest. GUI tests run on the
#   offscreen platform so they need no display. Every test gets the path of the shared
#   fixtures and of the built executables through the environment.
function(cairn_add_test name)
    cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    set(target tst_${name})
    add_executable(${target} ${ARG_SOURCES})
    cairn_target_defaults(${target} TEST)
    target_link_libraries(${target} PRIVATE Qt6::Test cairn_testsupport ${ARG_LIBS})
    if(CAIRN_PRECOMPILED_HEADERS)
        if(ARG_GUI)
            target_precompile_headers(${target} PRIVATE <QtWidgets> <QtCore> <QtTest>)
        else()
            target_precompile_headers(${target} REUSE_FROM cairn_testsupport)
        endif()
    endif()
    set(args)
    set(labels ${ARG_LABELS})
    if(ARG_GUI)
        list(APPEND args -platform offscreen)
        list(APPEND labels gui)
    else()
        list(APPEND labels core)
    endif()
    add_test(NAME ${name} COMMAND ${target} ${args})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${labels}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CAIRN_TEST_BIN_DIR=$<TARGET_FILE_DIR:cairn-cli>;CAIRN_CLI=$<TARGET_FILE:cairn-cli>;CAIRN_GUI=$<TARGET_FILE:cairn>;CAIRN_SOURCE_DIR=${PROJECT_SOURCE_DIR};CAIRN_FIXTURES_DIR=${CAIRN_FIXTURES_DIR}")
endfunction()

# cairn_precompile(TARGET HEADER...)
#   Precompiled headers: Qt and yaml-cpp headers dominate compile time on small machines.
function(cairn_precompile target)
    if(CAIRN_PRECOMPILED_HEADERS)
        target_precompile_headers(${target} PRIVATE ${ARGN})
    endif()
endfunction()
