# Compiles resources/prompts/*.txt into graphlora_data, so the prompt templates ship inside the
# library and the CLI works from any directory (prompt.h: a resources directory given at run
# time still takes precedence). Included from core/CMakeLists.txt after graphlora_module(data).
# The .cpp is regenerated at build time whenever a template changes; a new template file is
# picked up at the next configure (CONFIGURE_DEPENDS).
file(GLOB _glr_prompt_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/resources/prompts/*.txt)
set(_glr_prompt_cpp ${CMAKE_CURRENT_BINARY_DIR}/generated/prompt_templates_embedded.cpp)
add_custom_command(
  OUTPUT ${_glr_prompt_cpp}
  COMMAND ${CMAKE_COMMAND} -DPROMPT_DIR=${CMAKE_SOURCE_DIR}/resources/prompts -DOUTPUT=${_glr_prompt_cpp}
          -P ${CMAKE_CURRENT_LIST_DIR}/EmbedPromptsScript.cmake
  DEPENDS ${_glr_prompt_files} ${CMAKE_CURRENT_LIST_DIR}/EmbedPromptsScript.cmake
  COMMENT "Embedding prompt templates"
  VERBATIM)
target_sources(graphlora_data PRIVATE ${_glr_prompt_cpp})
