# parigot.cmake: build a parigot program (C + .proto services) into a
# wasm32-wasi module that links the guest SDK (libparigot.a, which also
# holds the generated C of the built-in services in idl/).
#
#   pg_add_program(NAME
#                  SOURCES main.c ...
#                  [PROTOS store/v1/store.proto ...]  # relative to PROTO_PATH
#                  [PROTO_PATH dir]      # default: the current source dir
#                  [INCLUDES dir ...] [FLAGS -O2 ...] [OUTPUT_DIR dir]
#                  [OUTPUT_NAME file])   # default NAME (-> NAME.wasm)
#
# runs protoc with protoc-gen-parigot on PROTOS (into
# ${CMAKE_CURRENT_BINARY_DIR}/NAME.pb, which is on the include path, so
# `#include "store/v1/store.pg.h"`), compiles everything with clang-19
# --target=wasm32-wasi -mbulk-memory (memcpy as memory.copy, much faster
# than wasi-libc's loop in the interpreter; -O2 unless FLAGS says otherwise)
# and links the SDK.
# Creates target NAME producing OUTPUT_DIR/OUTPUT_NAME.wasm (default: the
# current binary dir; OUTPUT_NAME lets two apps each have a `main.wasm`
# while target names stay unique); ${NAME}_WASM holds the path. Nothing is left undefined at
# link time: a typo is a link error, not a failed import at run time.
function(pg_add_program name)
  cmake_parse_arguments(P "" "OUTPUT_DIR;OUTPUT_NAME;PROTO_PATH"
                        "SOURCES;PROTOS;INCLUDES;FLAGS;DEPENDS" ${ARGN})
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT P_OUTPUT_NAME)
    set(P_OUTPUT_NAME ${name})
  endif()
  if(NOT P_PROTO_PATH)
    set(P_PROTO_PATH ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  if(NOT P_FLAGS)
    set(P_FLAGS -O2)
  endif()
  set(pb_dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.pb)
  set(gen_sources)
  if(P_PROTOS)
    pg_protoc_parigot(gen_sources OUT_DIR ${pb_dir} PROTO_PATH ${P_PROTO_PATH}
                      PROTOS ${P_PROTOS})
  endif()
  set(srcs)
  foreach(s ${P_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  set(incs -I${pb_dir} -I${PG_SDK_INCLUDE} -I${PG_IDL_GEN}
           -I${CMAKE_SOURCE_DIR}/include)
  foreach(i ${P_INCLUDES})
    list(APPEND incs -I${i})
  endforeach()
  # Headers beside the sources and the SDK's own: a change rebuilds.
  file(GLOB local_headers ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  file(GLOB sdk_headers ${PG_SDK_INCLUDE}/parigot/*.h)
  set(out ${P_OUTPUT_DIR}/${P_OUTPUT_NAME}.wasm)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${P_OUTPUT_DIR}
    COMMAND ${PG_GUEST_CC} --target=wasm32-wasi -mbulk-memory ${P_FLAGS} -Wall -Wextra
            -Werror=incompatible-pointer-types
            ${incs} -o ${out} ${srcs} ${gen_sources} ${PG_SDK_WASM_LIB}
    DEPENDS ${srcs} ${gen_sources} ${local_headers} ${sdk_headers}
            ${PG_SDK_WASM_LIB} pg_sdk_wasm ${P_DEPENDS}
    COMMENT "parigot program ${P_OUTPUT_NAME}.wasm" VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set(${name}_WASM ${out} PARENT_SCOPE)
endfunction()
