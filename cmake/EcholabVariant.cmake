# echolab_add_variant(<name> MODEL <model> [UNIT <unit>] [WAITS_IN <call>]
#                     [POOL_FLAG <--flag>] [CONN_LIMIT <n>] [NEEDS <feature>]
#                     [SOURCES <more .cpp>] [LIBS <targets>])
# The one place a server variant is declared (docs/adding-a-variant.md).
# It builds <name>/main.cpp into bin/<name> and records the variant and
# its traits; echolab_write_variant_list() then writes them for C++
# (generated/variants.inc, read by support/variants.hpp) and for the
# Python tools (variants.json). Tests, benchmarks, the report and the
# side-by-side page take every variant from there, never by name.
set(ECHOLAB_MODELS one_at_a_time per_connection worker_pool event_loop)
set(ECHOLAB_UNITS process thread)
set(ECHOLAB_NEEDS io_uring)
set(ECHOLAB_TRAITS MODEL UNIT WAITS_IN POOL_FLAG CONN_LIMIT NEEDS)

# Fails the configure step with a message naming the variant.
function(echolab_check_traits name)
    set(where "echolab_add_variant(${name})")
    # The folder, the binary and the name in every test are one word
    # (docs/contract.md); a copied folder must be renamed in its CMakeLists.txt.
    get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
    if(NOT name STREQUAL folder)
        message(FATAL_ERROR "${where} in folder ${folder}/: a variant is "
            "named after its folder; write echolab_add_variant(${folder} ...)")
    endif()
    if(NOT arg_MODEL IN_LIST ECHOLAB_MODELS)
        list(JOIN ECHOLAB_MODELS ", " known)
        message(FATAL_ERROR "${where}: MODEL '${arg_MODEL}' is not one of "
            "${known}")
    endif()
    if(arg_UNIT AND NOT arg_UNIT IN_LIST ECHOLAB_UNITS)
        message(FATAL_ERROR "${where}: UNIT '${arg_UNIT}' is not process "
            "or thread")
    endif()
    # Per connection and a pool say what runs each client; they have one.
    if(arg_MODEL MATCHES "^(per_connection|worker_pool)$" AND NOT arg_UNIT)
        message(FATAL_ERROR "${where}: MODEL ${arg_MODEL} needs UNIT "
            "process or thread")
    endif()
    if(arg_MODEL STREQUAL "worker_pool" AND NOT arg_POOL_FLAG)
        message(FATAL_ERROR "${where}: MODEL worker_pool needs POOL_FLAG, "
            "the flag that sizes the pool (e.g. --threads)")
    endif()
    if(arg_POOL_FLAG AND NOT arg_POOL_FLAG MATCHES "^--[a-z][a-z-]*$")
        message(FATAL_ERROR "${where}: POOL_FLAG '${arg_POOL_FLAG}' is not "
            "a long flag such as --threads")
    endif()
    if(NOT arg_WAITS_IN MATCHES "^[a-z_0-9]+$")
        message(FATAL_ERROR "${where}: WAITS_IN '${arg_WAITS_IN}' is not a "
            "system call name as strace prints it")
    endif()
    if(DEFINED arg_CONN_LIMIT AND NOT arg_CONN_LIMIT MATCHES "^[1-9][0-9]*$")
        message(FATAL_ERROR "${where}: CONN_LIMIT '${arg_CONN_LIMIT}' is "
            "not a positive integer")
    endif()
    if(arg_NEEDS AND NOT arg_NEEDS IN_LIST ECHOLAB_NEEDS)
        message(FATAL_ERROR "${where}: NEEDS '${arg_NEEDS}' is not one of "
            "${ECHOLAB_NEEDS}")
    endif()
endfunction()

function(echolab_add_variant name)
    cmake_parse_arguments(PARSE_ARGV 1 arg ""
        "MODEL;UNIT;WAITS_IN;POOL_FLAG;CONN_LIMIT;NEEDS" "SOURCES;LIBS")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "echolab_add_variant(${name}): unknown "
            "arguments: ${arg_UNPARSED_ARGUMENTS}")
    endif()
    # The blocking models wait in accept4; without CONN_LIMIT the only
    # bound is --max-conns itself (written as 0).
    if(NOT DEFINED arg_WAITS_IN)
        set(arg_WAITS_IN accept4)
    endif()
    echolab_check_traits(${name})
    if(NOT DEFINED arg_CONN_LIMIT)
        set(arg_CONN_LIMIT 0)
    endif()

    add_executable(${name} main.cpp ${arg_SOURCES})
    target_link_libraries(${name} PRIVATE echolab::core ${arg_LIBS}
        echolab_options echolab_warnings)
    set_property(GLOBAL APPEND PROPERTY ECHOLAB_VARIANTS ${name})
    foreach(trait IN LISTS ECHOLAB_TRAITS)
        set_property(GLOBAL PROPERTY ECHOLAB_VARIANT_${name}_${trait}
            "${arg_${trait}}")
    endforeach()
endfunction()

# Writes the registry: generated/variants.inc (one C++ initialiser per
# variant, in registration order) and variants.json; sets ECHOLAB_VARIANTS
# in the caller; adds the target `variants` that builds them all.
function(echolab_write_variant_list)
    get_property(names GLOBAL PROPERTY ECHOLAB_VARIANTS)
    set(cpp "")
    set(json "")
    foreach(name IN LISTS names)
        foreach(trait IN LISTS ECHOLAB_TRAITS)
            get_property(${trait} GLOBAL PROPERTY
                ECHOLAB_VARIANT_${name}_${trait})
        endforeach()
        string(APPEND cpp "    {\"${name}\", \"\", Model::${MODEL}, "
            "\"${UNIT}\", \"${WAITS_IN}\", \"${POOL_FLAG}\", ${CONN_LIMIT}, "
            "\"${NEEDS}\"},\n")
        if(json)
            string(APPEND json ",\n")
        endif()
        string(APPEND json "  {\"name\": \"${name}\", "
            "\"binary\": \"${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/${name}\", "
            "\"model\": \"${MODEL}\", \"unit\": \"${UNIT}\", "
            "\"waits_in\": \"${WAITS_IN}\", \"pool_flag\": \"${POOL_FLAG}\", "
            "\"conn_limit\": ${CONN_LIMIT}, \"needs\": \"${NEEDS}\"}")
    endforeach()
    set(ECHOLAB_VARIANT_ENTRIES "${cpp}")
    configure_file(${PROJECT_SOURCE_DIR}/cmake/variants.inc.in
        ${PROJECT_BINARY_DIR}/generated/variants.inc @ONLY)
    file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/variants.json
        CONTENT "[\n${json}\n]\n" @ONLY)
    set(ECHOLAB_VARIANTS ${names} PARENT_SCOPE)
    add_custom_target(variants DEPENDS ${names})
endfunction()
