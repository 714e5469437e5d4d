# echolab_add_variant(<name>): the one place a server variant is registered.
# It builds <name>/main.cpp into bin/<name> and records the name, from which
# the conformance suite, the fault tests and the benchmark sweep take their
# list (variants.inc, variants.txt).
function(echolab_add_variant name)
    add_executable(${name} main.cpp)
    target_link_libraries(${name} PRIVATE echolab::core
        echolab_options echolab_warnings)
    set_property(GLOBAL APPEND PROPERTY ECHOLAB_VARIANTS ${name})
endfunction()

function(echolab_write_variant_list)
    get_property(names GLOBAL PROPERTY ECHOLAB_VARIANTS)
    set(ECHOLAB_VARIANT_ENTRIES "")
    foreach(name IN LISTS names)
        string(APPEND ECHOLAB_VARIANT_ENTRIES "    \"${name}\",\n")
    endforeach()
    configure_file(${PROJECT_SOURCE_DIR}/cmake/variants.inc.in
        ${PROJECT_BINARY_DIR}/generated/variants.inc @ONLY)
    list(JOIN names "\n" lines)
    file(WRITE ${PROJECT_BINARY_DIR}/variants.txt "${lines}\n")
    set(ECHOLAB_VARIANTS ${names} PARENT_SCOPE)
    add_custom_target(variants DEPENDS ${names})
endfunction()
