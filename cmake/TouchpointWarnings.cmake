# touchpoint_target_defaults(<target>): warnings (fatal for our code) and the include root.
# Third-party headers come in through SYSTEM include paths from their imported targets, so their
# warnings never fail our build.
function(touchpoint_target_defaults target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  # g++ 12 at -O2 (release preset) reports -Wrestrict inside libstdc++'s inlined std::string code where
  # there is no overlap (GCC bug 105329); it fails optimised builds of correct code. Debug builds keep it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict>)
  endif()
  if(TOUCHPOINT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()
