"""Publishing: which items a widget shows (`selection`; a page of them from a cursor:
`paging`), their rendering (`render`, with the
themes of `themes`), the output formats in one table (`formats`: `html`, `feeds`, `embed`),
rendered bytes cached per widget version (`cache`), and the versions themselves (`widgets`).

A new output format is a writer function and a line in `formats.FORMATS`; a new theme is a
folder under `widgets/`.
May import: models, config, content, store.
"""
