/*
 * path.h - lexical file path helpers (POSIX paths, no file system access
 * except getcwd() in path_absolute()).
 *
 * Compose files name paths relative to their own directory or to the
 * project directory; these helpers join, split and clean such paths the
 * way Go's path/filepath does (Clean, Dir, Base, Join), so that the
 * loader and the tests agree on one spelling. Every function returns a
 * new string the caller frees.
 */
#ifndef MOORING_PATH_H
#define MOORING_PATH_H

#include <stdbool.h>

bool path_is_abs(const char *p);
/* Lexical clean: "a//b/./c/.." -> "a/b"; "" -> "."; keeps leading "..". */
char *path_clean(const char *p);
/* dir/rel cleaned; rel when it is absolute. */
char *path_join(const char *dir, const char *rel);
/* "a/b/c.yaml" -> "a/b", "c.yaml" -> ".", "/c" -> "/". */
char *path_dirname(const char *p);
/* Last element of the cleaned path: "a/b/" -> "b", "/" -> "/". */
char *path_basename(const char *p);
/* p made absolute against the current directory, cleaned. */
int path_absolute(char **out, const char *p);

#endif
