# guest.cmake: build C sources into a wasm32-wasi module with clang-19.
#
#   pg_add_guest(NAME SOURCES a.c b.c [INCLUDES dir...] [FLAGS -O2 ...]
#                [OUTPUT_DIR dir])
# creates target NAME that produces OUTPUT_DIR/NAME.wasm (default: the
# current binary dir); ${NAME}_WASM holds the path. Imports from the
# `parigot` module stay undefined at link time (--allow-undefined).
function(pg_add_guest name)
  cmake_parse_arguments(G "" "OUTPUT_DIR" "SOURCES;INCLUDES;FLAGS;DEPENDS" ${ARGN})
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT G_FLAGS)
    set(G_FLAGS -O2)
  endif()
  set(out ${G_OUTPUT_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  set(incs)
  foreach(i ${G_INCLUDES})
    list(APPEND incs -I${i})
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${PG_GUEST_CC} --target=wasm32-wasi ${G_FLAGS} ${incs}
            -Wl,--allow-undefined -o ${out} ${srcs}
    DEPENDS ${srcs} ${G_DEPENDS}
    COMMENT "wasm32-wasi guest ${name}.wasm" VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set(${name}_WASM ${out} PARENT_SCOPE)
endfunction()
