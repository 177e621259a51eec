# wat.cmake: turn WebAssembly text fixtures into binary modules at build
# time with wabt's wat2wasm (tests and benchmarks write modules as .wat;
# nothing binary is committed).
#
#   pg_add_wat_modules(TARGET name OUTPUT_DIR dir WATS a.wat b.wat [ALL])
# creates custom target `name` producing dir/a.wasm, dir/b.wasm, with the
# name section kept (--debug-names) so backtraces show function names.
find_program(PG_WAT2WASM wat2wasm REQUIRED)

function(pg_add_wat_modules)
  cmake_parse_arguments(W "ALL" "TARGET;OUTPUT_DIR" "WATS" ${ARGN})
  set(outputs)
  foreach(wat ${W_WATS})
    get_filename_component(abs ${wat} ABSOLUTE)
    get_filename_component(name ${wat} NAME_WE)
    set(out ${W_OUTPUT_DIR}/${name}.wasm)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${W_OUTPUT_DIR}
      COMMAND ${PG_WAT2WASM} --debug-names ${abs} -o ${out}
      DEPENDS ${abs} COMMENT "wat2wasm ${name}.wat" VERBATIM)
    list(APPEND outputs ${out})
  endforeach()
  if(W_ALL)
    add_custom_target(${W_TARGET} ALL DEPENDS ${outputs})
  else()
    add_custom_target(${W_TARGET} DEPENDS ${outputs})
  endif()
endfunction()
