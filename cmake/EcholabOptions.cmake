# Warnings and sanitizers as INTERFACE targets, linked PRIVATE to every
# target, so no one edits CMAKE_CXX_FLAGS.
add_library(echolab_warnings INTERFACE)
target_compile_options(echolab_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
    -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough
    $<$<BOOL:${ECHOLAB_WERROR}>:-Werror>)

add_library(echolab_options INTERFACE)
target_compile_features(echolab_options INTERFACE cxx_std_20)
if(ECHOLAB_SANITIZE)
    target_compile_options(echolab_options INTERFACE
        -fsanitize=${ECHOLAB_SANITIZE} -fno-omit-frame-pointer
        -fno-sanitize-recover=all)
    target_link_options(echolab_options INTERFACE
        -fsanitize=${ECHOLAB_SANITIZE})
else()
    # Fortify turns an FD_SET past FD_SETSIZE into an abort instead of a
    # silent overwrite (ASan alone misses a far jump past the redzone).
    target_compile_definitions(echolab_options INTERFACE
        $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()
