#pragma once
// C interface of libgraphlora_spm.so, the shared object that alone links libsentencepiece.
// Debian's libsentencepiece exports a private copy of protobuf (3.14) while LibTorch needs the
// system libprotobuf (3.21); one process image holding both crashes in protobuf's static
// initialisers or aborts on its version check. The tokenizer therefore dlopen()s this shim with
// RTLD_LOCAL | RTLD_DEEPBIND, so sentencepiece binds to its own protobuf copy and nothing of it
// leaks into the global symbol scope. Only C types cross this boundary (no C++ exceptions, no
// std::string), so the shim stays independent of the caller's C++ ABI.
//
// Ownership: buffers and error strings returned through out-parameters are malloc'd by the shim
// and released with glr_spm_free_buffer(); models with glr_spm_free().
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GLR_SPM_ABI_VERSION 1

typedef struct glr_spm glr_spm;

// GLR_SPM_ABI_VERSION of the shim, so a stale libgraphlora_spm.so is recognised.
int glr_spm_abi_version(void);

// Parses a serialized ModelProto (the bytes of a `.model` file). Returns NULL on failure, with a
// message in *error.
glr_spm* glr_spm_load_serialized(const char* bytes, size_t size, char** error);
void glr_spm_free(glr_spm* model);
void glr_spm_free_buffer(void* buffer);

// SentencePieceProcessor::Encode / Decode (the library's own normalisation and dummy prefix).
// Return 0 on success, otherwise -1 with a message in *error.
int glr_spm_encode(const glr_spm* model, const char* text, size_t textSize, int** ids, size_t* count,
                   char** error);
int glr_spm_decode(const glr_spm* model, const int* ids, size_t count, char** text, size_t* textSize,
                   char** error);

// The raw piece of `id` (NULL when out of range or out of memory).
char* glr_spm_id_to_piece(const glr_spm* model, int id, size_t* pieceSize);
int glr_spm_piece_size(const glr_spm* model);
int glr_spm_bos_id(const glr_spm* model);
int glr_spm_eos_id(const glr_spm* model);
int glr_spm_unk_id(const glr_spm* model);

#ifdef __cplusplus
}
#endif
