/* strmap.c - ordered string map (see strmap.h). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#include "banned.h"

void strmap_init(struct strmap *m)
{
	m->items = NULL;
	m->n = m->cap = 0;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	strmap_init(m);
}

struct strmap_entry *strmap_find(const struct strmap *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return &m->items[i];
	return NULL;
}

const char *strmap_get(const struct strmap *m, const char *key)
{
	const struct strmap_entry *e = strmap_find(m, key);

	return e ? e->value : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
	return strmap_find(m, key) != NULL;
}

void strmap_set(struct strmap *m, const char *key, const char *value,
		const struct ymark *mark)
{
	struct strmap_entry *e = strmap_find(m, key);
	static const struct ymark nomark;

	if (!e) {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 16;
			m->items =
			    xreallocarray(m->items, m->cap, sizeof(*m->items));
		}
		e = &m->items[m->n++];
		e->key = xstrdup(key);
		e->value = NULL;
	}
	free(e->value);
	e->value = value ? xstrdup(value) : NULL;
	e->mark = mark ? *mark : nomark;
}

bool strmap_del(struct strmap *m, const char *key)
{
	struct strmap_entry *e = strmap_find(m, key);
	size_t i;

	if (!e)
		return false;
	i = (size_t)(e - m->items);
	free(e->key);
	free(e->value);
	memmove(&m->items[i], &m->items[i + 1],
		(m->n - i - 1) * sizeof(*m->items));
	m->n--;
	return true;
}

void strmap_load_environ(struct strmap *m, char *const *envp)
{
	for (; envp && *envp; envp++) {
		const char *eq = strchr(*envp, '=');
		char *key;

		if (!eq || eq == *envp)
			continue;
		key = xstrndup(*envp, (size_t)(eq - *envp));
		strmap_set(m, key, eq + 1, NULL);
		free(key);
	}
}
